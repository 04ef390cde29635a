package server_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// roleColumns is the order of the role columns in testdata/access.txt.
var roleColumns = []string{"anon", "admin", "security", "champion", "member", "auditor"}

type accessRow struct {
	method, path string
	want         map[string]string // role → allow or deny
	line         int
}

func readAccessTable(t *testing.T) map[string]accessRow {
	t.Helper()
	f, err := os.Open("testdata/access.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string]accessRow{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2+len(roleColumns) {
			t.Fatalf("access.txt:%d: got %d fields; want %d", n, len(fields), 2+len(roleColumns))
		}
		row := accessRow{method: fields[0], path: fields[1], want: map[string]string{}, line: n}
		for i, role := range roleColumns {
			v := fields[2+i]
			if v != "allow" && v != "deny" {
				t.Fatalf("access.txt:%d: %q is neither allow nor deny", n, v)
			}
			row.want[role] = v
		}
		key := row.method + " " + row.path
		if _, dup := rows[key]; dup {
			t.Fatalf("access.txt:%d: %s appears twice", n, key)
		}
		rows[key] = row
	}
	return rows
}

// actorClient is how the walk acts as one role: a browser session (cookie
// jar plus CSRF token) for pages, and a bearer token for the API.
type actorClient struct {
	client  *http.Client
	session string
	csrf    string
	token   string
}

func TestRouteAccess(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		srv := server.New(st, slog.New(slog.DiscardHandler))
		ts := httptest.NewServer(srv.Handler)
		defer ts.Close()

		table := readAccessTable(t)
		routes := srv.Router.Routes()
		registered := map[string]bool{}
		for _, r := range routes {
			key := r.Method + " " + r.Path
			registered[key] = true
			if _, ok := table[key]; !ok {
				t.Errorf("route %s (action %s) is missing from testdata/access.txt", key, r.Action)
			}
		}
		for key, row := range table {
			if !registered[key] {
				t.Errorf("access.txt:%d: %s is not a registered route", row.line, key)
			}
		}

		// One person per role, all in one department, signed in through the real sign-in.
		sys := shieldwall.SystemActor("test")
		if _, err := srv.Accounts.CreateDepartment(ctx, sys, shieldwall.DepartmentInput{Name: "Finance"}); err != nil {
			t.Fatal(err)
		}
		const password = "correct horse battery staple"
		clients := map[string]actorClient{"anon": {client: newClient()}}
		var someUserID string
		for _, role := range roleColumns[1:] {
			email := role + "@example.com"
			u, err := srv.Accounts.CreateUser(ctx, sys, shieldwall.UserInput{
				Email: email, Name: "Test " + role, Role: shieldwall.Role(role), Department: "Finance", Password: password,
			}, accounts.CreateUserOptions{})
			if err != nil {
				t.Fatal(err)
			}
			someUserID = u.ID
			token, _, err := srv.Accounts.CreateToken(ctx, sys, email, "walk")
			if err != nil {
				t.Fatal(err)
			}
			clients[role] = actorClient{client: newClient(), token: token}
		}
		signIn := func(role string) {
			signed, err := srv.Accounts.SignIn(ctx, role+"@example.com", password, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			c := clients[role]
			c.session, c.csrf = signed.CookieValue, signed.CSRFToken
			clients[role] = c
		}
		for _, role := range roleColumns[1:] {
			signIn(role)
		}
		// Signing in or out ends the session the request carried: walk those
		// routes last, and sign everyone in again after each.
		endsSession := func(r httpx.Route) bool { return r.Path == "/signin" || r.Path == "/signout" }
		sort.SliceStable(routes, func(i, j int) bool { return !endsSession(routes[i]) && endsSession(routes[j]) })
		dep, err := st.FindDepartment(ctx, "finance")
		if err != nil {
			t.Fatal(err)
		}
		fill := strings.NewReplacer("{id}", "00000000-0000-0000-0000-000000000000", "{attachment}", "00000000-0000-0000-0000-000000000001", "{slug}", dep.Slug, "{user}", someUserID)

		for _, r := range routes {
			row, ok := table[r.Method+" "+r.Path]
			if !ok {
				continue
			}
			path := fill.Replace(strings.TrimSuffix(r.Path, "{$}"))
			if strings.HasSuffix(path, "/") && path != "/" && strings.Contains(r.Path, "{$}") == false {
				path += "static-probe" // a prefix pattern such as /static/
			}
			for _, role := range roleColumns {
				c := clients[role]
				req, err := http.NewRequest(r.Method, ts.URL+path, strings.NewReader(""))
				if err != nil {
					t.Fatal(err)
				}
				if policy.IgnoresIdentity(r.Action) {
					// Anonymous reporting ignores who is signed in: the browser
					// echoes the double-submit cookie its form set, whoever it is.
					if c.session != "" {
						req.AddCookie(&http.Cookie{Name: "__Host-shieldwall_session", Value: c.session})
					}
					req.AddCookie(&http.Cookie{Name: "__Host-shieldwall_csrf", Value: "anon-csrf-token"})
					req.Header.Set(httpx.CSRFHeader, "anon-csrf-token")
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				} else if r.Kind == httpx.KindAPI && c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
					req.Header.Set("Content-Type", "application/json")
				} else if c.session != "" {
					// httptest serves on 127.0.0.1, a secure context, hence the __Host- name.
					req.AddCookie(&http.Cookie{Name: "__Host-shieldwall_session", Value: c.session})
					req.Header.Set(httpx.CSRFHeader, c.csrf)
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				} else {
					// Nobody signed in: a browser that loaded the form holds the double-submit cookie.
					req.AddCookie(&http.Cookie{Name: "__Host-shieldwall_csrf", Value: "anon-csrf-token"})
					req.Header.Set(httpx.CSRFHeader, "anon-csrf-token")
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				resp, err := c.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				got := verdict(resp)
				if endsSession(r) && c.session != "" {
					signIn(role)
				}
				if got != row.want[role] {
					t.Errorf("%s %s as %s: status %d (%s); want %s (access.txt:%d)", r.Method, path, role, resp.StatusCode, got, row.want[role], row.line)
				}
			}
		}
	})
}

// verdict classifies a response as allow or deny. A denial is the router's
// own refusal (marked by httpx.AccessHeader) with a refusing status; a
// handler's 401 for a wrong password, say, is the handler's answer.
func verdict(resp *http.Response) string {
	if resp.Header.Get(httpx.AccessHeader) != "denied" {
		return "allow"
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "deny"
	case http.StatusSeeOther, http.StatusFound:
		if strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
			return "deny"
		}
	}
	return "refused with status " + resp.Status
}

func newClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
