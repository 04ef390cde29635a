//go:build unix

package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"syscall"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// BenchmarkReportBatch measures the writer's side of report intake on
// SQLite (synchronous=FULL): batches of reports, each with its audit event,
// committed by the Batcher as the intake does. Its ns/op is the cost per
// report; the writer is one goroutine, so this bounds intake throughput.
func BenchmarkReportBatch(b *testing.B) {
	for _, size := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("clients=%d", size), func(b *testing.B) {
			s := testdb.Open(b, "sqlite")
			dep := mustCreateDepartment(b, s, "Finance")
			u := mustCreateUser(b, s, dep.ID, "bench@example.com", "Bench Reporter", shieldwall.RoleMember, "")
			actor := shieldwall.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, DepartmentID: dep.ID}
			batcher := s.NewBatcher(256)
			defer batcher.Close()
			details := json.RawMessage(`{"amount":48250,"currency":"EUR","payee":"Nordic Parts AB","paid":false,"what_changed":"new IBAN"}`)
			ctx := context.Background()
			b.ResetTimer()
			cpu0 := processCPU()
			var wg sync.WaitGroup
			work := make(chan struct{})
			for range size {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range work {
						err := batcher.Do(ctx, func(ctx context.Context, tx *store.Tx) error {
							r := shieldwall.Report{ID: store.NewID(), Kind: shieldwall.KindPaymentFraud, Title: "Supplier asks to change bank details",
								Description: "An email from our regular supplier asks us to pay the next invoice to a new IBAN.",
								Details:     details, Status: shieldwall.StatusNew, Source: shieldwall.SourceAPI,
								ReporterID: u.ID, DepartmentID: dep.ID, Signals: []shieldwall.Signal{}, CreatedAt: tx.Now, UpdatedAt: tx.Now}
							if err := tx.CreateReport(ctx, &r); err != nil {
								return err
							}
							return tx.AppendAudit(ctx, actor, "report.create", "report", r.ID, "payment-fraud report via api")
						})
						if err != nil {
							b.Error(err)
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
		})
	}
}

// processCPU returns the CPU time (user + system) this process has used, in ns.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
