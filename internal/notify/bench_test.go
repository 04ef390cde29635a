package notify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// benchResponders makes n people who get critical notifications.
func benchResponders(b *testing.B, st *store.Store, n int) []string {
	b.Helper()
	var ids []string
	err := st.InTx(b.Context(), func(tx *store.Tx) error {
		d := shieldwall.Department{ID: store.NewID(), Name: "Response", Slug: "response", CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if err := tx.CreateDepartment(b.Context(), &d); err != nil {
			return err
		}
		for i := range n {
			u := shieldwall.User{ID: store.NewID(), Email: fmt.Sprintf("r%d@example.com", i), Name: fmt.Sprintf("Responder %d", i),
				Role: shieldwall.RoleSecurity, DepartmentID: d.ID, Active: true, CreatedAt: tx.Now, UpdatedAt: tx.Now}
			if err := tx.CreateUser(b.Context(), &u, ""); err != nil {
				return err
			}
			// Webhook only, so the figure is the webhook path's.
			p := shieldwall.NotificationPreferences{UserID: u.ID, Email: []shieldwall.Urgency{}, Digest: shieldwall.DigestNone, TimeZone: "UTC"}
			if err := tx.SetNotificationPreferences(b.Context(), &p); err != nil {
				return err
			}
			ids = append(ids, u.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// startWorker runs a worker as serve does and stops it when the benchmark ends.
func startWorker(b *testing.B, st *store.Store) {
	w := notify.NewWorker(st, notify.WorkerConfig{Poll: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
}

// BenchmarkCriticalFanout: a SEV1 engages 50 responders in one change; the
// figure is the p99 (and p50) time from its commit to each responder's
// message arriving at a loopback webhook receiver. Quality bar: p99 < 500 ms.
//
//	go test -run XXX -bench CriticalFanout -benchtime 20x ./internal/notify/
func BenchmarkCriticalFanout(b *testing.B) {
	for _, dialect := range testdb.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			st := testdb.Open(b, dialect)
			ids := benchResponders(b, st, 50)
			var mu sync.Mutex
			arrived := map[string]time.Time{}
			got := make(chan struct{}, 64)
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				arrived[r.Header.Get("webhook-id")] = time.Now()
				mu.Unlock()
				got <- struct{}{}
			}))
			defer rcv.Close()
			if _, err := notify.NewWebhooks(st).Create(b.Context(), system, shieldwall.WebhookInput{URL: rcv.URL, MinUrgency: shieldwall.UrgencyCritical}); err != nil {
				b.Fatal(err)
			}
			startWorker(b, st)
			var lat []time.Duration
			b.ResetTimer()
			for i := range b.N {
				mu.Lock()
				clear(arrived)
				mu.Unlock()
				err := st.InTx(b.Context(), func(tx *store.Tx) error {
					for _, id := range ids {
						n := shieldwall.Notification{UserID: id, Urgency: shieldwall.UrgencyCritical, Kind: "case.engaged",
							Title: fmt.Sprintf("SEV1 %d: you are engaged", i), ObjectType: "case", ObjectID: fmt.Sprint(i)}
						if err := tx.AddNotification(b.Context(), &n); err != nil {
							return err
						}
					}
					return nil
				})
				committed := time.Now()
				if err != nil {
					b.Fatal(err)
				}
				for range ids {
					select {
					case <-got:
					case <-time.After(30 * time.Second):
						b.Fatal("a responder's message did not arrive within 30 s")
					}
				}
				mu.Lock()
				for _, at := range arrived {
					lat = append(lat, at.Sub(committed))
				}
				mu.Unlock()
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*50/100].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkOutboxThroughput: sustained notifications per second through
// the outbox to a loopback webhook receiver, writers committing 100 at a
// time while the worker delivers. Quality bar: 2,000/s on 2 cores.
//
//	go test -run XXX -bench OutboxThroughput -benchtime 20000x ./internal/notify/
func BenchmarkOutboxThroughput(b *testing.B) {
	for _, dialect := range testdb.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			st := testdb.Open(b, dialect)
			ids := benchResponders(b, st, 20)
			var received atomic.Int64
			all := make(chan struct{})
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if received.Add(1) == int64(b.N) {
					close(all)
				}
			}))
			defer rcv.Close()
			if _, err := notify.NewWebhooks(st).Create(b.Context(), system, shieldwall.WebhookInput{URL: rcv.URL, MinUrgency: shieldwall.UrgencyLow}); err != nil {
				b.Fatal(err)
			}
			startWorker(b, st)
			start := time.Now()
			b.ResetTimer()
			for i := 0; i < b.N; i += 100 {
				err := st.InTx(b.Context(), func(tx *store.Tx) error {
					for j := i; j < min(i+100, b.N); j++ {
						n := shieldwall.Notification{UserID: ids[j%len(ids)], Urgency: shieldwall.UrgencyNormal, Kind: "report.new", Title: "New report"}
						if err := tx.AddNotification(b.Context(), &n); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			select {
			case <-all:
			case <-time.After(5 * time.Minute):
				b.Fatalf("only %d of %d messages arrived", received.Load(), b.N)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "notifications/s")
		})
	}
}
