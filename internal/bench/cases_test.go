package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall/internal/testdb"
)

// casesConfig is the case benchmark on one dialect's test database.
func casesConfig(t testing.TB, dialect string, cases, entries, requests, streams, posts int, out *bytes.Buffer) CasesConfig {
	cfg := CasesConfig{Cases: cases, Entries: entries, Requests: requests, Clients: 2, Streams: streams, Posts: posts, Out: out}
	sc := testdb.Config(t, dialect)
	cfg.DatabaseURL = sc.URL
	if sc.URL == "" {
		cfg.Dir = t.TempDir()
	}
	return cfg
}

// TestCasesBenchRuns checks, on both databases, that the case benchmark
// loads what it says and measures every route without an error, and that
// every posted entry reaches every stream. It asserts nothing about speed.
func TestCasesBenchRuns(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			var out bytes.Buffer
			res, err := Cases(context.Background(), casesConfig(t, d, 300, 3000, 10, 5, 3, &out))
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if len(res) != 10 {
				t.Fatalf("got %d results; want 10", len(res))
			}
			for _, r := range res {
				if r.N == 0 || r.Errors != 0 {
					t.Errorf("%s: %d measured, %d errors", r.Name, r.N, r.Errors)
				}
			}
			if live := res[len(res)-1]; live.N != 5*3 {
				t.Errorf("streams received %d entries; want %d", live.N, 15)
			}
			if !strings.Contains(out.String(), "loaded 300 cases and 3000 timeline entries") {
				t.Errorf("output:\n%s", out.String())
			}
		})
	}
}

// BenchmarkCases runs the case benchmark at the size (100,000
// cases, 1,000,000 timeline entries; SHIELDWALL_BENCH_CASES and
// SHIELDWALL_BENCH_ENTRIES change it) on each database the test command
// provides, and reports the slowest p95 and the stream p99 in ms:
//
//	./scripts/test -run '^$' -bench BenchmarkCases -benchtime 1x -timeout 60m ./internal/bench/
func BenchmarkCases(b *testing.B) {
	size := func(env string, def int) int {
		if n, err := strconv.Atoi(os.Getenv(env)); err == nil && n > 0 {
			return n
		}
		return def
	}
	cases, entries := size("SHIELDWALL_BENCH_CASES", 100000), size("SHIELDWALL_BENCH_ENTRIES", 1000000)
	for _, d := range testdb.Dialects(b) {
		b.Run(d, func(b *testing.B) {
			for b.Loop() {
				var out bytes.Buffer
				res, err := Cases(context.Background(), casesConfig(b, d, cases, entries, 400, 100, 50, &out))
				// The whole table, not b.Log, which shortens long output.
				fmt.Fprintf(os.Stdout, "\n%s: %s\n", d, out.String())
				if err != nil {
					b.Fatal(err)
				}
				var worst time.Duration
				for _, r := range res[1 : len(res)-1] {
					worst = max(worst, r.P95)
				}
				b.ReportMetric(float64(worst)/1e6, "slowest-p95-ms")
				b.ReportMetric(float64(res[len(res)-1].P99)/1e6, "stream-p99-ms")
			}
		})
	}
}
