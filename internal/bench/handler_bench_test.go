package bench

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/store"
)

// BenchmarkIntakeHandler measures the server's own work per report,
// without the network and the load generator: requests go straight to the
// handler from 64 goroutines. cpu-ns/op is the process's CPU time per
// report, which competing programs on the machine hardly change; the
// intake/bare difference is what storing a report costs.
func BenchmarkIntakeHandler(b *testing.B) {
	b.Run("bare", func(b *testing.B) { benchHandler(b, bareHandler(), "") })
	for _, linger := range []time.Duration{0, time.Millisecond} {
		b.Run(fmt.Sprintf("intake/linger=%s", linger), func(b *testing.B) {
			defer func(d time.Duration) { store.DefaultLinger = d }(store.DefaultLinger)
			store.DefaultLinger = linger
			benchIntake(b)
		})
	}
}

func benchIntake(b *testing.B) {
	{
		ctx := context.Background()
		st, err := server.OpenStore(ctx, store.Config{Path: filepath.Join(b.TempDir(), "bench.db")}, slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		srv := server.New(st, slog.New(slog.DiscardHandler))
		defer srv.Close()
		sys := shieldwall.SystemActor("bench")
		if _, err := srv.Accounts.CreateUser(ctx, sys, shieldwall.UserInput{Email: "bench@example.com", Name: "Bench Reporter", Department: "Finance"},
			accounts.CreateUserOptions{CreateDepartment: true}); err != nil {
			b.Fatal(err)
		}
		token, _, err := srv.Accounts.CreateToken(ctx, sys, "bench@example.com", "bench")
		if err != nil {
			b.Fatal(err)
		}
		benchHandler(b, srv.Handler, token)
		bs := srv.Intake.BatchStats()
		b.ReportMetric(float64(bs.Changes)/float64(max(1, bs.Batches)), "reports/batch")
	}
}

func benchHandler(b *testing.B, h http.Handler, token string) {
	const clients = 64
	work := make(chan struct{}, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	cpu0 := processCPU()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				req := httptest.NewRequest(http.MethodPost, "/api/v1/reports", bytes.NewReader(reportBody))
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusCreated {
					b.Errorf("status %d: %s", rec.Code, rec.Body)
				}
			}
		}()
	}
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reports/s")
}
