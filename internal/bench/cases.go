package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/store"
)

// CasesConfig says how big a database the case benchmark builds and how it measures.
type CasesConfig struct {
	Cases       int    // cases to load
	Entries     int    // timeline entries to load, spread over the cases
	Requests    int    // requests per measured route
	Clients     int    // concurrent clients per route
	Streams     int    // open event streams on one case
	Posts       int    // timeline entries posted while the streams listen
	Dir         string // folder for the SQLite file; "" for a temporary one
	DatabaseURL string // PostgreSQL instead of SQLite; its database must be empty
	Out         io.Writer
}

// Latency is one measured route.
type Latency struct {
	Name          string
	P50, P95, P99 time.Duration
	N, Errors     int
}

func summarise(name string, lat []time.Duration, errors int) Latency {
	slices.Sort(lat)
	pick := func(q float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(q*float64(len(lat))))]
	}
	return Latency{Name: name, P50: pick(0.50), P95: pick(0.95), P99: pick(0.99), N: len(lat), Errors: errors}
}

// Cases loads cfg.Cases cases with cfg.Entries timeline entries, then
// measures the case page's API, the case list and the live timeline over
// loopback HTTP, beside a bare net/http handler that serves the same case
// body from memory, measured by the same client in the same run.
func Cases(ctx context.Context, cfg CasesConfig) ([]Latency, error) {
	sc := store.Config{URL: cfg.DatabaseURL}
	if cfg.DatabaseURL == "" {
		if cfg.Dir == "" {
			d, err := os.MkdirTemp("", "shieldwall-bench-")
			if err != nil {
				return nil, err
			}
			defer os.RemoveAll(d)
			cfg.Dir = d
		}
		sc.Path = filepath.Join(cfg.Dir, fmt.Sprintf("cases-%d.db", time.Now().UnixNano()))
	}
	st, err := server.OpenStore(ctx, sc, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	srv := server.New(st, slog.New(slog.DiscardHandler))
	defer srv.Close()

	system := shieldwall.SystemActor("bench")
	// The pages need a session: the lead has a password and signs in once.
	const leadPassword = "bench password, long enough"
	person := func(email, name, dept string, role shieldwall.Role, password string) (shieldwall.User, string, error) {
		u, err := srv.Accounts.CreateUser(ctx, system, shieldwall.UserInput{Email: email, Name: name, Department: dept, Role: role, Password: password},
			accounts.CreateUserOptions{CreateDepartment: true})
		if err != nil {
			return u, "", fmt.Errorf("bench: %s: %w (the database must be empty)", email, err)
		}
		token, _, err := srv.Accounts.CreateToken(ctx, system, email, "bench")
		return u, token, err
	}
	lead, leadToken, err := person("lead@bench.example", "Lead", "Security", shieldwall.RoleSecurity, leadPassword)
	if err != nil {
		return nil, err
	}
	session, err := srv.Accounts.SignIn(ctx, lead.Email, leadPassword, "bench")
	if err != nil {
		return nil, err
	}
	// Loopback is a secure context, where the cookie carries the __Host- prefix; send both names.
	leadCookie := "cookie:__Host-shieldwall_session=" + session.CookieValue + "; shieldwall_session=" + session.CookieValue
	member, memberToken, err := person("member@bench.example", "Member", "Legal", shieldwall.RoleMember, "")
	if err != nil {
		return nil, err
	}
	began := time.Now()
	ids, err := loadCases(ctx, st, cfg, lead, member)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Out, "loaded %d cases and %d timeline entries on %s in %s\n", cfg.Cases, cfg.Entries, st.Dialect(), time.Since(began).Round(time.Second))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler, ReadHeaderTimeout: 10 * time.Second}
	hs.RegisterOnShutdown(srv.Response.Hub().CloseAll)
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients + cfg.Streams}}
	defer client.CloseIdleConnections()

	rng := rand.New(rand.NewPCG(7, 11))
	randomCase := func() string { return ids[rng.IntN(len(ids))] }
	var mu sync.Mutex
	next := func(f func() string) func() string {
		return func() string { mu.Lock(); defer mu.Unlock(); return f() }
	}
	// The bare baseline serves one real case body from memory.
	sample, err := fetch(ctx, client, base+"/api/v1/cases/"+ids[0], leadToken)
	if err != nil {
		return nil, err
	}
	bare := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(sample)
	}), ReadHeaderTimeout: 10 * time.Second}
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go bare.Serve(bln)
	defer bare.Close()

	routes := []struct {
		name  string
		url   func() string
		token string
	}{
		{"bare net/http (same case body from memory)", func() string { return "http://" + bln.Addr().String() + "/" }, ""},
		{"GET /api/v1/cases/{id} (security, random case)", next(func() string { return base + "/api/v1/cases/" + randomCase() }), leadToken},
		{"GET /api/v1/cases/{id}/timeline (random case)", next(func() string { return base + "/api/v1/cases/" + randomCase() + "/timeline" }), leadToken},
		{"GET /api/v1/cases (security, first page)", func() string { return base + "/api/v1/cases" }, leadToken},
		{"GET /api/v1/cases?open=true&severity=SEV1 (security)", func() string { return base + "/api/v1/cases?open=true&severity=SEV1" }, leadToken},
		{"GET /api/v1/cases?q=vendor (security, search)", func() string { return base + "/api/v1/cases?q=vendor" }, leadToken},
		{"GET /api/v1/cases (member: their 1% of cases)", func() string { return base + "/api/v1/cases" }, memberToken},
		{"GET /cases/{id} (page, security, random case)", next(func() string { return base + "/cases/" + randomCase() }), leadCookie},
		{"GET /cases (page, security, first page)", func() string { return base + "/cases" }, leadCookie},
	}
	var results []Latency
	for _, r := range routes {
		results = append(results, measure(ctx, client, r.name, r.url, r.token, cfg.Requests, cfg.Clients))
	}
	live, err := measureStreams(ctx, client, base, ids[0], leadToken, cfg.Streams, cfg.Posts)
	if err != nil {
		return nil, err
	}
	results = append(results, live)

	w := cfg.Out
	fmt.Fprintf(w, "\ncases: %d cases, %d timeline entries, %s; %d requests per route from %d clients on loopback\n\n", cfg.Cases, cfg.Entries, st.Dialect(), cfg.Requests, cfg.Clients)
	fmt.Fprintf(w, "%-56s %9s %9s %9s %7s\n", "route", "p50", "p95", "p99", "errors")
	for _, r := range results {
		fmt.Fprintf(w, "%-56s %9s %9s %9s %7d\n", r.Name, r.P50.Round(10*time.Microsecond), r.P95.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Errors)
	}
	worst := Latency{}
	for _, r := range results[1 : len(results)-1] {
		if r.P95 > worst.P95 {
			worst = r
		}
	}
	fmt.Fprintf(w, "\nslowest p95 of the case routes: %s (%s)   (bar: < 50 ms)\n", worst.P95.Round(10*time.Microsecond), worst.Name)
	fmt.Fprintf(w, "timeline entry to %d open streams, p99: %s   (bar: < 200 ms)\n", cfg.Streams, live.P99.Round(10*time.Microsecond))
	return results, nil
}

func fetch(ctx context.Context, client *http.Client, url, token string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	// token is an API token, or "cookie:" and a Cookie header for the pages.
	if cookie, ok := strings.CutPrefix(token, "cookie:"); ok {
		req.Header.Set("Cookie", cookie)
	} else if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("bench: GET %s answered %d: %.200s", url, resp.StatusCode, body)
	}
	return body, err
}

// measure sends n GET requests from clients goroutines and times each.
func measure(ctx context.Context, client *http.Client, name string, url func() string, token string, n, clients int) Latency {
	var mu sync.Mutex
	var lat []time.Duration
	errors := 0
	work := make(chan struct{}, n)
	for range n {
		work <- struct{}{}
	}
	close(work)
	// A few unmeasured requests warm connections and caches.
	for range 3 {
		fetch(ctx, client, url(), token)
	}
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				t0 := time.Now()
				_, err := fetch(ctx, client, url(), token)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					errors++
				} else {
					lat = append(lat, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return summarise(name, lat, errors)
}

// measureStreams opens streams on one case, posts entries one after
// another and times each from the POST leaving to its arrival on every stream.
func measureStreams(ctx context.Context, client *http.Client, base, caseID, token string, streams, posts int) (Latency, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type arrival struct {
		body string
		at   time.Time
	}
	arrivals := make(chan arrival, streams*posts)
	ready := make(chan error, streams)
	for range streams {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/cases/"+caseID+"/events", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				ready <- err
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			signalled := false
			for sc.Scan() {
				line := sc.Text()
				if !signalled && strings.HasPrefix(line, ": connected") {
					ready <- nil
					signalled = true
				}
				if i := strings.Index(line, `"body":"bench-`); i >= 0 {
					tag := line[i+len(`"body":"`):]
					tag = tag[:strings.IndexByte(tag, '"')]
					arrivals <- arrival{tag, time.Now()}
				}
			}
			if !signalled {
				ready <- fmt.Errorf("bench: stream closed before it opened")
			}
		}()
	}
	for range streams {
		if err := <-ready; err != nil {
			return Latency{}, err
		}
	}
	sent := map[string]time.Time{}
	var lat []time.Duration
	errors := 0
	for i := range posts {
		tag := fmt.Sprintf("bench-%d", i)
		t0 := time.Now()
		sent[tag] = t0
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/cases/"+caseID+"/timeline", strings.NewReader(`{"body":"`+tag+`"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			errors++
		}
		if resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		// Wait for this entry on every stream before the next, so each is timed alone.
		deadline := time.After(5 * time.Second)
		for got := 0; got < streams; {
			select {
			case a := <-arrivals:
				lat = append(lat, a.at.Sub(sent[a.body]))
				got++
			case <-deadline:
				errors += streams - got
				got = streams
			}
		}
	}
	return summarise(fmt.Sprintf("timeline entry → %d open event streams", streams), lat, errors), nil
}

// loadCases writes the benchmark's cases directly, in large transactions:
// going through the service would take hours for a million entries. Each
// case has three roles, five tasks, its creator (the lead) as participant,
// the member in one case of a hundred, an awareness event, and its share of
// the timeline entries.
func loadCases(ctx context.Context, st *store.Store, cfg CasesConfig, lead, member shieldwall.User) ([]string, error) {
	types := []string{"phishing", "bec", "ransomware", "personal-data-breach", "lost-device", "insider-threat", "account-takeover", "vendor-breach"}
	statuses := []shieldwall.CaseStatus{shieldwall.CaseClosed, shieldwall.CaseClosed, shieldwall.CaseClosed, shieldwall.CaseRecovered, shieldwall.CaseInvestigating}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now().Add(-2 * 365 * 24 * time.Hour).UTC()
	perCase := cfg.Entries / max(cfg.Cases, 1)
	extra := cfg.Entries - perCase*cfg.Cases
	ids := make([]string, 0, cfg.Cases)
	const chunk = 2000
	for from := 0; from < cfg.Cases; from += chunk {
		to := min(from+chunk, cfg.Cases)
		var cases, roles, tasks, parts, events, timeline [][]any
		for i := from; i < to; i++ {
			id := store.NewID()
			ids = append(ids, id)
			created := start.Add(time.Duration(i) * (2 * 365 * 24 * time.Hour / time.Duration(cfg.Cases)))
			typ := types[i%len(types)]
			status := statuses[rng.IntN(len(statuses))]
			severity := shieldwall.Severity(fmt.Sprintf("SEV%d", 1+rng.IntN(4)))
			at := store.TimeValue(created)
			var closed any
			if status == shieldwall.CaseClosed {
				closed = store.TimeValue(created.Add(72 * time.Hour))
			}
			cases = append(cases, []any{id, fmt.Sprintf("%s case %d", strings.ReplaceAll(typ, "-", " "), i), typ, string(severity), string(status),
				"A benchmark case.", "", typ == "insider-threat", "{}", lead.Name, at, store.TimeValue(created.Add(time.Hour)), at, closed})
			for _, role := range []string{"incident-commander", "it-containment", "legal-counsel"} {
				roles = append(roles, []any{id, role, role, lead.ID, at})
			}
			for j := range 5 {
				tasks = append(tasks, []any{store.NewID(), id, fmt.Sprintf("task-%d", j), "it-containment", fmt.Sprintf("Task %d", j),
					store.TimeValue(created.Add(time.Duration(j+1) * time.Hour)), "open", at})
			}
			parts = append(parts, []any{id, lead.ID, "created", at})
			if i%100 == 0 {
				parts = append(parts, []any{id, member.ID, "added", at})
			}
			events = append(events, []any{id, "awareness", at, "", lead.Name, at})
			n := perCase
			if i < extra {
				n++
			}
			for j := range n {
				timeline = append(timeline, []any{store.NewID(), id, "note", fmt.Sprintf("Note %d on case %d.", j, i), lead.ID, lead.Name,
					store.TimeValue(created.Add(time.Duration(j) * time.Minute))})
			}
		}
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for _, t := range []struct {
				table string
				cols  []string
				rows  [][]any
			}{
				{"cases", []string{"id", "title", "type", "severity", "status", "summary", "affected", "confidential", "plan", "created_by", "created_at", "updated_at", "aware_at", "closed_at"}, cases},
				{"case_roles", []string{"case_id", "role", "name", "user_id", "engaged_at"}, roles},
				{"case_tasks", []string{"id", "case_id", "task_key", "role", "title", "due_at", "status", "created_at"}, tasks},
				{"case_participants", []string{"case_id", "user_id", "reason", "added_at"}, parts},
				{"case_events", []string{"case_id", "event", "at", "reference", "recorded_by", "recorded_at"}, events},
				{"case_timeline", []string{"id", "case_id", "kind", "body", "actor_id", "actor_name", "created_at"}, timeline},
			} {
				if err := tx.InsertRows(ctx, t.table, t.cols, t.rows); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// A database in use has statistics; give the planner the same.
	return ids, st.Analyze(ctx)
}
