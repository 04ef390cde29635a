package intake_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// What a signed-in employee's browser sends with every request; none of it
// may be kept with an anonymous report, or anywhere at all.
const (
	userAgent     = "Mozilla/5.0 (X11; Linux x86_64) DistinctiveAgent/7.3-zq9x"
	forwardedFor  = "192.0.2.44, 192.0.2.45"
	realIP        = "192.0.2.46"
	signInClient  = "192.0.2.10"
	trackerCookie = "tracker-5e1f0c9d2b7a"
)

var receiptPattern = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){7}$`)

// TestAnonymous_StoresNoIdentity proves the anonymous path keeps nothing
// that identifies the reporter: not in any row of the report (reports,
// messages, receipts, audit), not anywhere in the database or its files,
// and not in the log — even when a signed-in employee sends it, with their
// session cookie, user agent and forwarded address.
func TestAnonymous_StoresNoIdentity(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			cfg := testdb.Config(t, d)
			st := openStore(t, cfg)
			logs := &syncBuffer{}
			srv := server.New(st, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			t.Cleanup(srv.Close)
			ts := httptest.NewServer(srv.Handler)
			t.Cleanup(ts.Close)

			const password = "correct horse battery staple 42"
			erin := mustUser(t, srv.Accounts, shieldwall.UserInput{Email: "erin.whistler@acmecorp.com", Name: "Erin Whistler",
				Role: shieldwall.RoleMember, Department: "Finance", Password: password})
			sec := mustUser(t, srv.Accounts, shieldwall.UserInput{Email: "sec@acmecorp.com", Name: "Sec Analyst",
				Role: shieldwall.RoleSecurity, Department: "Security"})
			signedIn, err := srv.Accounts.SignIn(ctx, erin.Email, password, signInClient)
			if err != nil {
				t.Fatal(err)
			}

			// post sends JSON as Erin's browser would, signed in.
			post := func(path, body string) (int, []byte) {
				t.Helper()
				req, err := http.NewRequest(http.MethodPost, ts.URL+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("User-Agent", userAgent)
				req.Header.Set("X-Forwarded-For", forwardedFor)
				req.Header.Set("X-Real-IP", realIP)
				req.Header.Set("X-CSRF-Token", signedIn.CSRFToken)
				req.AddCookie(&http.Cookie{Name: httpx.SessionCookieName(req), Value: signedIn.CookieValue})
				req.AddCookie(&http.Cookie{Name: "tracker", Value: trackerCookie})
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, b
			}

			// 1. The anonymous form, sent from a signed-in browser.
			code, body := post("/api/v1/anonymous-reports", `{"kind": "mistake", "title": "I sent the payroll file to the wrong address",
				"description": "Autocomplete picked an external address. Sorry.", "details": {"when": "2026-11-20T10:00"}}`)
			if code != http.StatusCreated {
				t.Fatalf("POST /api/v1/anonymous-reports = %d %s; want 201", code, body)
			}
			var created struct{ ID, Receipt string }
			if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
				t.Fatalf("answer %s: %v", body, err)
			}
			receipt := created.Receipt
			if len(receipt) != 39 || strings.Count(receipt, "-") != 7 || !receiptPattern.MatchString(receipt) {
				t.Errorf("receipt %q; want 32 characters of Crockford base32 in eight groups of four", receipt)
			}
			for _, s := range []string{erin.ID, erin.Email, erin.Name} {
				if strings.Contains(string(body), s) {
					t.Errorf("the answer to an anonymous report names the reporter (%q): %s", s, body)
				}
			}

			// 2. A signed-in employee who ticks "report anonymously", over the API…
			code, body = post("/api/v1/reports", `{"kind": "data-exposure", "title": "Customer list on a public share", "anonymous": true}`)
			if code != http.StatusCreated {
				t.Fatalf("POST /api/v1/reports (anonymous) = %d %s; want 201", code, body)
			}
			var chosen shieldwall.Report
			if err := json.Unmarshal(body, &chosen); err != nil || chosen.ID == "" || !chosen.Anonymous {
				t.Fatalf("answer %s: %v; want an anonymous report", body, err)
			}
			for _, s := range []string{erin.ID, erin.Email, erin.Name, erin.DepartmentID} {
				if strings.Contains(string(body), s) {
					t.Errorf("the answer to a report made anonymously names the reporter (%q): %s", s, body)
				}
			}
			// …and through the service, as the portal does.
			viaService, err := srv.Intake.Submit(ctx, actorOf(erin), shieldwall.ReportInput{Kind: shieldwall.KindOther,
				Title: "Tailgating at the back door", Anonymous: true}, shieldwall.SourcePortal, nil)
			if err != nil {
				t.Fatal(err)
			}
			if viaService.ReporterID != "" || viaService.DepartmentID != "" || viaService.ReporterName != "" || !viaService.Anonymous {
				t.Errorf("Submit(Anonymous) = reporter %q, department %q; want none", viaService.ReporterID, viaService.DepartmentID)
			}
			anonIDs := []string{created.ID, chosen.ID, viaService.ID}

			// The conversation through the receipt, both ways.
			if _, err := srv.Intake.Reply(ctx, actorOf(sec), created.ID, "Thank you. Which address did it go to?"); err != nil {
				t.Fatal(err)
			}
			lower := strings.ToLower(receipt)
			code, body = post("/api/v1/anonymous-reports/lookup", `{"receipt": "`+lower+`"}`)
			var view intake.AnonymousView
			if code != http.StatusOK || json.Unmarshal(body, &view) != nil || view.ID != created.ID || len(view.Messages) != 1 || view.Messages[0].Author != "security" {
				t.Errorf("lookup with the receipt in lower case = %d %s; want the report with the security team's question", code, body)
			}
			noDashes := strings.ReplaceAll(receipt, "-", "")
			code, body = post("/api/v1/anonymous-reports/messages", `{"receipt": "`+noDashes+`", "body": "To a supplier, I think."}`)
			if code != http.StatusCreated || json.Unmarshal(body, &view) != nil || len(view.Messages) != 2 || view.Messages[1].Author != "you" {
				t.Errorf("message with the receipt without dashes = %d %s; want 201 and two messages", code, body)
			}

			// A wrong receipt is indistinguishable from one that never existed.
			wrong := receipt[:len(receipt)-1] + string("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", receipt[len(receipt)-1])+1)%32])
			codeWrong, bodyWrong := post("/api/v1/anonymous-reports/lookup", `{"receipt": "`+wrong+`"}`)
			codeNever, bodyNever := post("/api/v1/anonymous-reports/lookup", `{"receipt": "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"}`)
			codeJunk, bodyJunk := post("/api/v1/anonymous-reports/lookup", `{"receipt": "not a receipt"}`)
			if codeWrong != http.StatusNotFound || codeNever != http.StatusNotFound || codeJunk != http.StatusNotFound {
				t.Errorf("wrong, never-existing, malformed receipt = %d, %d, %d; want 404 each", codeWrong, codeNever, codeJunk)
			}
			if string(bodyWrong) != string(bodyNever) || string(bodyNever) != string(bodyJunk) {
				t.Errorf("the answers differ:\nwrong: %s\nnever: %s\njunk:  %s", bodyWrong, bodyNever, bodyJunk)
			}

			// Nothing anywhere in the database, in any table.
			db := testdb.Raw(t, cfg)
			everywhere := []string{userAgent, "DistinctiveAgent", "192.0.2.", "127.0.0.1", signedIn.CookieValue, trackerCookie,
				receipt, noDashes, lower, strings.ToLower(noDashes)}
			identity := append([]string{erin.ID, erin.Email, "Erin", "Whistler", erin.DepartmentID}, everywhere...)
			rows := dumpAll(t, db, d == "postgres")
			seen := map[string]int{}
			for _, r := range rows {
				for _, s := range everywhere {
					if r.mentions(s) {
						t.Errorf("%q is stored: %v", s, r)
					}
				}
				if !r.mentions(anonIDs...) {
					continue
				}
				seen[r.table]++
				for _, s := range identity {
					if r.mentions(s) {
						t.Errorf("a row of an anonymous report holds %q: %v", s, r)
					}
				}
				switch r.table {
				case "reports":
					if r.values["reporter_id"] != "" || r.values["department_id"] != "" || (r.values["anonymous"] != "true" && r.values["anonymous"] != "1") {
						t.Errorf("anonymous report row %v; want no reporter, no department, anonymous", r)
					}
				case "audit_events":
					if r.values["action"] == "report.create" || strings.Contains(r.values["summary"], "anonymous reporter") {
						if r.values["actor_id"] != "" || r.values["actor_label"] != "anonymous" {
							t.Errorf("audit event %v; want the actor empty and labelled anonymous", r)
						}
					}
				case "report_messages":
					if r.values["author"] == "reporter" && r.values["author_id"] != "" {
						t.Errorf("message %v; want no author id for the anonymous reporter", r)
					}
				}
			}
			for _, table := range []string{"reports", "audit_events", "report_messages", "anonymous_receipts"} {
				if seen[table] == 0 {
					t.Errorf("no %s row of the anonymous reports was checked", table)
				}
			}

			// Nor in the SQLite files, WAL included, where deleted or
			// overwritten bytes could linger.
			if cfg.Path != "" {
				for _, f := range []string{cfg.Path, cfg.Path + "-wal"} {
					b, err := os.ReadFile(f)
					if err != nil {
						if f == cfg.Path {
							t.Fatal(err)
						}
						continue
					}
					for _, s := range everywhere {
						if strings.Contains(string(b), s) {
							t.Errorf("%s contains %q", f, s)
						}
					}
				}
			}

			// Nor in the log, which was recording at debug level.
			log := logs.String()
			if !strings.Contains(log, "/api/v1/anonymous-reports") {
				t.Fatalf("the log did not record the requests:\n%s", log)
			}
			for _, s := range append(everywhere, erin.Email) {
				if strings.Contains(log, s) {
					t.Errorf("the log contains %q", s)
				}
			}
		})
	}
}

// TestAnonymous_Receipt covers the receipt at the service: grouped for
// reading, forgiving in what it accepts, and one answer for every wrong one.
func TestAnonymous_Receipt(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		r, receipt, err := e.intake.SubmitAnonymous(ctx, "client-a", shieldwall.ReportInput{Kind: shieldwall.KindMistake, Title: "Left a laptop unlocked"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !receiptPattern.MatchString(receipt) {
			t.Errorf("receipt %q; want eight groups of four", receipt)
		}
		_, other, err := e.intake.SubmitAnonymous(ctx, "client-a", shieldwall.ReportInput{Kind: shieldwall.KindMistake, Title: "Another"}, nil)
		if err != nil || other == receipt {
			t.Fatalf("second receipt %q, %v; want a different one", other, err)
		}
		for _, typed := range []string{receipt, strings.ToLower(receipt), strings.ReplaceAll(receipt, "-", ""), strings.ReplaceAll(receipt, "-", " ")} {
			v, err := e.intake.LookupAnonymous(ctx, "client-b", typed)
			if err != nil || v.ID != r.ID || v.Status != shieldwall.StatusNew {
				t.Errorf("LookupAnonymous(%q) = %s, %v; want report %s", typed, v.ID, err, r.ID)
			}
		}
		for _, typed := range []string{"", "x", receipt[:38], receipt + "A", strings.Repeat("Z", 32)} {
			_, err := e.intake.LookupAnonymous(ctx, "client-c", typed)
			if shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND || shieldwall.ErrorMessage(err) != "No report has this receipt. Check that you typed it exactly as it was shown." {
				t.Errorf("LookupAnonymous(%q) = %v; want the one not-found answer", typed, err)
			}
		}
		t.Run("ErrRateLimited", func(t *testing.T) {
			var err error
			for range 25 {
				if _, err = e.intake.LookupAnonymous(ctx, "client-d", "WRONG"); shieldwall.ErrorCode(err) == shieldwall.ERATELIMITED {
					break
				}
			}
			if shieldwall.ErrorCode(err) != shieldwall.ERATELIMITED {
				t.Errorf("after 25 wrong receipts: %v; want rate limited", err)
			}
			if _, err := e.intake.LookupAnonymous(ctx, "client-e", receipt); err != nil {
				t.Errorf("another client is limited too: %v", err)
			}
		})
	})
}
