package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// cli is the operator at the command line, who sets up each test's people.
var cli = shieldwall.SystemActor("test")

// person is a test user and the API token they call with.
type person struct {
	shieldwall.User
	token string
}

// env is the whole application on a real database, served over loopback HTTP.
type env struct {
	dialect string
	cfg     store.Config
	st      *store.Store
	srv     *server.Server
	url     string
	db      *sql.DB // a second, plain connection: what the store keeps is checked from outside it
	// One person per role; none has a password (argon2id is slow), all call with tokens.
	admin, auditor, security, champion, member person
}

// each runs fn once per database dialect with a fresh application.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) { fn(t, newEnv(t, d)) })
	}
}

func newEnv(t *testing.T, dialect string) *env {
	t.Helper()
	cfg := testdb.Config(t, dialect)
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	srv := server.New(st, slog.New(slog.DiscardHandler))
	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(ts.Close) // registered last, so it runs before the store closes
	e := &env{dialect: dialect, cfg: cfg, st: st, srv: srv, url: ts.URL, db: testdb.Raw(t, cfg)}
	e.admin = e.mustPerson(t, "admin@example.com", "Ada Admin", shieldwall.RoleAdmin, "IT")
	e.auditor = e.mustPerson(t, "auditor@example.com", "Aud Itor", shieldwall.RoleAuditor, "Legal")
	e.security = e.mustPerson(t, "sec@example.com", "Sec Analyst", shieldwall.RoleSecurity, "Security")
	e.champion = e.mustPerson(t, "champ@example.com", "Cham Pion", shieldwall.RoleChampion, "Finance")
	e.member = e.mustPerson(t, "member@example.com", "Mem Ber", shieldwall.RoleMember, "Finance")
	return e
}

// mustPerson creates a user (and their department when new) and a token for them.
func (e *env) mustPerson(t *testing.T, email, name string, role shieldwall.Role, dept string) person {
	t.Helper()
	u, err := e.srv.Accounts.CreateUser(t.Context(), cli, shieldwall.UserInput{Email: email, Name: name, Role: role, Department: dept},
		accounts.CreateUserOptions{CreateDepartment: true})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	secret, _, err := e.srv.Accounts.CreateToken(t.Context(), cli, email, "test")
	if err != nil {
		t.Fatalf("CreateToken(%s): %v", email, err)
	}
	return person{User: u, token: secret}
}

// response is what the server answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request with token as bearer ("" for none) and body as JSON ("" for none).
func (e *env) do(t *testing.T, method, path, token, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return e.send(t, method, path, token, rd, "application/json")
}

// send is do with any body and content type.
func (e *env) send(t *testing.T, method, path, token string, body io.Reader, contentType string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil && contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// ok decodes a JSON answer with status want into v.
func (r response) ok(t *testing.T, want int, v any) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d; want %d (body %s)", r.status, want, r.body)
	}
	if want == http.StatusNoContent {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt != "application/json" {
		t.Errorf("Content-Type = %q; want application/json", r.header.Get("Content-Type"))
	}
	if v != nil {
		dec := json.NewDecoder(bytes.NewReader(r.body))
		if err := dec.Decode(v); err != nil {
			t.Fatalf("body %s: %v", r.body, err)
		}
	}
}

// leaks are what a client must never see: SQL, driver names, Go source
// paths, stack traces.
var leaks = []string{"SQL", "sqlite", "pq:", "pgx", "SQLSTATE", ".go:", "goroutine", "panic", "store:", "/internal/", "runtime."}

// problem checks that r is an RFC 9457 problem with status and code and
// returns it. It fails on anything a client must never see.
func (r response) problem(t *testing.T, status int, code string) httpx.Problem {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d; want %d (body %s)", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q; want application/problem+json (body %q)", ct, r.body)
	}
	for _, l := range leaks {
		if strings.Contains(string(r.body), l) {
			t.Errorf("problem %s contains %q", r.body, l)
		}
	}
	var p httpx.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %q: %v", r.body, err)
	}
	if p.Code != code || p.Status != r.status || p.Detail == "" || p.Title == "" || !strings.HasSuffix(p.Type, "/"+code) {
		t.Errorf("problem = %+v; want code %q, status %d, a title and a detail", p, code, r.status)
	}
	return p
}

// rfc3339UTC matches what every created_at must look like.
var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)

// checkObjects fails unless every object in the JSON list or object body
// has an id and a created_at in RFC 3339, UTC ("Z").
func checkObjects(t *testing.T, body []byte) {
	t.Helper()
	var list struct {
		Items []map[string]any `json:"items"`
	}
	var one map[string]any
	objs := []map[string]any{}
	if json.Unmarshal(body, &list) == nil && list.Items != nil {
		objs = list.Items
	} else if err := json.Unmarshal(body, &one); err == nil {
		objs = append(objs, one)
	} else {
		t.Fatalf("body %s is neither an object nor a list", body)
	}
	for _, o := range objs {
		if id, _ := o["id"].(string); id == "" {
			t.Errorf("object %v has no id", o)
		}
		c, _ := o["created_at"].(string)
		if !rfc3339UTC.MatchString(c) {
			t.Errorf("created_at = %q; want RFC 3339 in UTC ending in Z", c)
		}
		if _, err := time.Parse(time.RFC3339, c); err != nil {
			t.Errorf("created_at %q does not parse as RFC 3339: %v", c, err)
		}
	}
}

// counts is how many rows of each kind exist: what "nothing half-written" compares.
type counts struct{ departments, users, audit, tokens int }

func (e *env) count(t *testing.T) counts {
	t.Helper()
	db := e.db
	var c counts
	for _, q := range []struct {
		table string
		dst   *int
	}{{"departments", &c.departments}, {"users", &c.users}, {"audit_events", &c.audit}, {"api_tokens", &c.tokens}} {
		if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+q.table).Scan(q.dst); err != nil {
			t.Fatalf("count %s: %v", q.table, err)
		}
	}
	return c
}

// unchanged fails the test when any count differs from before.
func (e *env) unchanged(t *testing.T, before counts) {
	t.Helper()
	if after := e.count(t); after != before {
		t.Errorf("rows after = %+v; want %+v (nothing written)", after, before)
	}
}
