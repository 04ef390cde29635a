// Package bench measures Shieldwall's quality bars beside a bare baseline
// measured in the same run, so that the figures mean something on any machine.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/store"
)

// IntakeConfig sets up the intake benchmark.
type IntakeConfig struct {
	Clients  int           // concurrent clients
	Duration time.Duration // per measured run
	Dir      string        // where the SQLite file lives (a temporary folder when empty)
	Out      io.Writer
	// CPUProfile, when set, receives a CPU profile of the group-commit run.
	CPUProfile io.Writer
	// Linger replaces how long a group commit waits for more changes under
	// load: 0 keeps store.DefaultLinger, a negative value never waits.
	Linger time.Duration
}

// Result is one measured run.
type Result struct {
	Name     string
	Requests int64
	Errors   int64
	Elapsed  time.Duration
	P50, P99 time.Duration
	// CPU is the process's CPU time (user + system) during the measured
	// run, server and load generator together: unlike the rate, it hardly
	// changes when other programs compete for the cores.
	CPU time.Duration
}

// CPUPerRequest is the CPU time spent per successful request.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Requests)
}

// Rate is requests per second.
func (r Result) Rate() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// reportBody is what every client sends: a realistic payment-fraud report.
var reportBody = []byte(`{"kind":"payment-fraud","title":"Supplier asks to change bank details",` +
	`"description":"An email from our regular supplier asks us to pay the next invoice to a new IBAN. The tone is urgent and the sender address looks slightly different.",` +
	`"details":{"amount":48250,"currency":"EUR","payee":"Nordic Parts AB","what_changed":"new IBAN","paid":false}}`)

// Intake runs the bare ceiling, the naive store (one commit per report) and
// the real intake (group commit), each driven by the same client, and prints
// reports/s, p50/p99 and the ratios to the ceiling.
func Intake(ctx context.Context, cfg IntakeConfig) ([]Result, error) {
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "shieldwall-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		cfg.Dir = d
	}
	bare, err := run(ctx, "bare net/http (decode JSON, answer 201, store nothing)", cfg, "", bareHandler(), nil)
	if err != nil {
		return nil, err
	}
	results := []Result{bare}
	for _, mode := range []storeMode{
		{name: "naive (one transaction and commit per report)", noBatch: true},
		{name: "shieldwall intake (group commit)"},
		{name: "diagnostic: shieldwall intake storing nothing", noStore: true},
	} {
		var prof io.Writer
		if !mode.noBatch && !mode.noStore {
			prof = cfg.CPUProfile
		}
		res, err := runStore(ctx, cfg, mode, prof)
		if err != nil {
			return nil, err
		}
		results = append(results, res)
	}
	w := cfg.Out
	fmt.Fprintf(w, "\nintake: %d clients, %s per run, SQLite WAL synchronous=FULL, load generator in the same process\n", cfg.Clients, cfg.Duration)
	if load := machineLoad(); load != "" {
		// Rates depend on what else the machine runs; CPU per report hardly does.
		fmt.Fprintf(w, "machine: %d CPUs, %s\n", runtime.NumCPU(), load)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-52s %12s %10s %10s %12s %8s\n", "run", "reports/s", "p50", "p99", "CPU/report", "errors")
	for _, r := range results {
		fmt.Fprintf(w, "%-52s %12.0f %10s %10s %12s %8d\n", r.Name, r.Rate(), r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond),
			r.CPUPerRequest().Round(time.Microsecond), r.Errors)
	}
	real, nothing := results[2], results[3]
	fmt.Fprintf(w, "\nintake / bare throughput: %.2f   (bar: ≥ 0.50, and ≥ 10,000 reports/s)\n", real.Rate()/bare.Rate())
	fmt.Fprintf(w, "intake p99 / bare p99:    %.2f   (bar: ≤ 2.00)\n", float64(real.P99)/float64(bare.P99))
	fmt.Fprintf(w, "intake / naive:           %.2f\n", real.Rate()/results[1].Rate())
	// What the server does besides storing (authentication, validation,
	// the full answer, its headers), measured alone: how much of the
	// ceiling is left for the database.
	fmt.Fprintf(w, "storing nothing / bare:   %.2f   throughput, p99 %.2f (diagnostic: the path without the database)\n",
		nothing.Rate()/bare.Rate(), float64(nothing.P99)/float64(bare.P99))
	if bare.CPUPerRequest() > 0 && real.CPUPerRequest() > 0 {
		// What the CPU time per report implies if every core were ours: a
		// projection, not a measurement (per-report cost also shifts with
		// the rate), but one that other programs on the machine hardly move.
		cpus := float64(runtime.NumCPU())
		fmt.Fprintf(w, "\nCPU-bound projection on %d CPUs: bare %.0f/s, intake %.0f/s, ratio %.2f (from CPU time per report)\n",
			runtime.NumCPU(), cpus/bare.CPUPerRequest().Seconds(), cpus/real.CPUPerRequest().Seconds(),
			bare.CPUPerRequest().Seconds()/real.CPUPerRequest().Seconds())
	}
	return results, nil
}

func bareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in shieldwall.ReportInput
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			httpx.WriteProblem(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": "bare", "kind": in.Kind, "created_at": time.Now().UTC()})
	})
}

// storeMode is how the real server files reports in one run.
type storeMode struct {
	name             string
	noBatch, noStore bool // see server.WithNoBatch and server.WithNoStore
}

// runStore measures the real server on a fresh SQLite file.
func runStore(ctx context.Context, cfg IntakeConfig, mode storeMode, prof io.Writer) (Result, error) {
	if cfg.Linger != 0 {
		defer func(d time.Duration) { store.DefaultLinger = d }(store.DefaultLinger)
		store.DefaultLinger = max(cfg.Linger, 0)
	}
	path := filepath.Join(cfg.Dir, fmt.Sprintf("bench-%d.db", time.Now().UnixNano()))
	st, err := server.OpenStore(ctx, store.Config{Path: path}, slog.New(slog.DiscardHandler))
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	srv := server.New(st, slog.New(slog.DiscardHandler), server.WithNoBatch(mode.noBatch), server.WithNoStore(mode.noStore))
	defer srv.Close()
	sys := shieldwall.SystemActor("bench")
	if _, err := srv.Accounts.CreateUser(ctx, sys, shieldwall.UserInput{Email: "bench@example.com", Name: "Bench Reporter", Department: "Finance"},
		accounts.CreateUserOptions{CreateDepartment: true}); err != nil {
		return Result{}, err
	}
	token, _, err := srv.Accounts.CreateToken(ctx, sys, "bench@example.com", "bench")
	if err != nil {
		return Result{}, err
	}
	res, err := run(ctx, mode.name, cfg, token, srv.Handler, prof)
	if err != nil || mode.noStore {
		return res, err
	}
	if bs := srv.Intake.BatchStats(); !mode.noBatch && bs.Batches > 0 {
		fmt.Fprintf(cfg.Out, "group commit (warm-up included): %d transactions, %.1f reports each on average, writer busy %s of %s, longest transaction %s\n",
			bs.Batches, float64(bs.Changes)/float64(bs.Batches), bs.Busy.Round(time.Millisecond), (cfg.Duration + warmUp).Round(time.Millisecond),
			bs.Longest.Round(time.Microsecond))
	}
	// Every acknowledged report must be in the database.
	_, total, err := srv.Intake.List(ctx, sys, shieldwall.ReportFilter{Page: shieldwall.Page{Limit: 1}})
	if err != nil {
		return res, err
	}
	if int64(total) < res.Requests {
		return res, fmt.Errorf("bench: %d reports acknowledged but %d stored", res.Requests, total)
	}
	return res, nil
}

// warmUp is how long connections and caches warm up before a measured run.
const warmUp = 300 * time.Millisecond

// run serves h on loopback and drives it with cfg.Clients clients for cfg.Duration.
func run(ctx context.Context, name string, cfg IntakeConfig, token string, h http.Handler, prof io.Writer) (Result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String() + "/api/v1/reports"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients, MaxConnsPerHost: cfg.Clients}}
	defer client.CloseIdleConnections()

	// Warm up connections and caches before measuring.
	drive(ctx, client, url, token, cfg.Clients, warmUp)
	if prof != nil {
		if err := pprof.StartCPUProfile(prof); err != nil {
			return Result{}, err
		}
	}
	cpu0 := processCPU()
	res := drive(ctx, client, url, token, cfg.Clients, cfg.Duration)
	res.CPU = processCPU() - cpu0
	if prof != nil {
		pprof.StopCPUProfile()
	}
	res.Name = name
	if res.Requests == 0 {
		return res, fmt.Errorf("bench: %s: no request succeeded", name)
	}
	return res, nil
}

func drive(ctx context.Context, client *http.Client, url, token string, clients int, d time.Duration) Result {
	var ok, failed atomic.Int64
	lat := make([][]time.Duration, clients)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(reportBody))
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				var body struct {
					ID string `json:"id"`
				}
				derr := json.NewDecoder(resp.Body).Decode(&body)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated || derr != nil || body.ID == "" {
					failed.Add(1)
					continue
				}
				lat[i] = append(lat[i], time.Since(t0))
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	res := Result{Requests: ok.Load(), Errors: failed.Load(), Elapsed: elapsed}
	if len(all) > 0 {
		res.P50 = all[len(all)/2]
		res.P99 = all[len(all)*99/100]
	}
	return res
}
