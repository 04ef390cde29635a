package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	resp "github.com/shieldwall/shieldwall/internal/response"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// BenchmarkCasePage measures GET /cases/{id} and GET /cases over loopback
// HTTP for a legal counsel engaged in a personal-data breach with 500
// timeline entries, on each database (the page shows the newest 50).
//
//	go test ./internal/web/ -run '^$' -bench BenchmarkCasePage -benchtime 2s
func BenchmarkCasePage(b *testing.B) {
	for _, dialect := range testdb.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			st := testdb.Open(b, dialect)
			srv := server.New(st, slog.New(slog.DiscardHandler))
			ts := httptest.NewServer(srv.Handler)
			b.Cleanup(ts.Close)
			ctx, cli := b.Context(), shieldwall.SystemActor("bench")
			user := func(email, name, dept string, role shieldwall.Role, password string) shieldwall.User {
				u, err := srv.Accounts.CreateUser(ctx, cli, shieldwall.UserInput{Email: email, Name: name, Department: dept, Role: role, Password: password},
					accounts.CreateUserOptions{CreateDepartment: true})
				if err != nil {
					b.Fatal(err)
				}
				return u
			}
			sam := user("sam@example.com", "Sam Secure", "Security", shieldwall.RoleSecurity, "")
			cal := user("cal@example.com", "Cal Counsel", "Legal", shieldwall.RoleMember, testPassword)
			if _, err := srv.Response.SetDuty(ctx, actorOf(sam), "legal", "legal-counsel", resp.DutyInput{UserID: cal.ID}); err != nil {
				b.Fatal(err)
			}
			c, err := srv.Response.Create(ctx, actorOf(sam), shieldwall.CaseInput{Title: "Payroll file emailed to a customer", Type: "personal-data-breach",
				Severity: shieldwall.SEV2, Affected: []string{"personal-data"}, Summary: "The payroll of 40 employees went to a customer."})
			if err != nil {
				b.Fatal(err)
			}
			for i := range 500 {
				if _, err := srv.Response.AddEntry(ctx, actorOf(sam), c.ID, shieldwall.TimelineNote, "Note number "+strconv.Itoa(i)); err != nil {
					b.Fatal(err)
				}
			}
			in, err := srv.Accounts.SignIn(ctx, "cal@example.com", testPassword, "127.0.0.1")
			if err != nil {
				b.Fatal(err)
			}
			get := func(b *testing.B, path string) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+path, nil)
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: in.CookieValue})
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", path, res.StatusCode)
				}
			}
			b.Run("case", func(b *testing.B) {
				for b.Loop() {
					get(b, "/cases/"+c.ID)
				}
			})
			b.Run("list", func(b *testing.B) {
				for b.Loop() {
					get(b, "/cases")
				}
			})
		})
	}
}
