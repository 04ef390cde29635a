package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/auth"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestAnonymousRoutesIgnoreSession checks that reporting anonymously while
// signed in does not even look at the session: its last-seen time, which
// could be matched with the report's time, stays as it was.
func TestAnonymousRoutesIgnoreSession(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		srv := server.New(st, slog.New(slog.DiscardHandler))
		defer srv.Close()
		ts := httptest.NewServer(srv.Handler)
		defer ts.Close()
		const pw = "correct horse battery staple"
		if _, err := srv.Accounts.CreateUser(ctx, shieldwall.SystemActor("test"), shieldwall.UserInput{
			Email: "ana@example.com", Name: "Ana", Department: "HR", Password: pw}, accounts.CreateUserOptions{CreateDepartment: true}); err != nil {
			t.Fatal(err)
		}
		signed, err := srv.Accounts.SignIn(ctx, "ana@example.com", pw, "192.0.2.9")
		if err != nil {
			t.Fatal(err)
		}
		// Three hours later the session would be touched by any other request.
		st.Now = func() time.Time { return time.Now().Add(3 * time.Hour) }
		defer func() { st.Now = time.Now }()
		lastSeen := func() time.Time {
			sess, _, err := st.SessionUser(ctx, auth.LookupHash(signed.CookieValue), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return sess.LastSeen
		}
		before := lastSeen()
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/anonymous-reports",
			strings.NewReader(`{"kind":"mistake","title":"I sent a file to the wrong person"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: "__Host-shieldwall_session", Value: signed.CookieValue})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("status = %d; want 201", resp.StatusCode)
		}
		if after := lastSeen(); !after.Equal(before) {
			t.Errorf("session last seen moved from %s to %s on an anonymous report", before, after)
		}
		// The same request to a named route does touch it: the check can fail.
		req, _ = http.NewRequest("GET", ts.URL+"/api/v1/me", nil)
		req.AddCookie(&http.Cookie{Name: "__Host-shieldwall_session", Value: signed.CookieValue})
		if resp, err = http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if after := lastSeen(); after.Equal(before) {
			t.Errorf("session last seen did not move on a named request; the test proves nothing")
		}
	})
}
