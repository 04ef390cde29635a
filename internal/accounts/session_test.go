package accounts_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestSignIn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(st)
		ada := mustUser(t, svc, "ada@example.com", shieldwall.RoleMember, "Finance", password)
		mustUser(t, svc, "nopass@example.com", shieldwall.RoleMember, "Finance", "")
		gone := mustUser(t, svc, "gone@example.com", shieldwall.RoleMember, "Finance", password)
		if _, err := svc.UpdateUser(ctx, cli, gone.ID, accounts.UserUpdate{Active: new(false)}); err != nil {
			t.Fatal(err)
		}

		t.Run("OK", func(t *testing.T) {
			before := countRows(t, st)
			in, err := accounts.New(st).SignIn(ctx, "ada@example.com", password, "192.0.2.1")
			if err != nil {
				t.Fatalf("SignIn() = %v; want nil", err)
			}
			if in.User.ID != ada.ID || in.CookieValue == "" || in.CSRFToken == "" {
				t.Errorf("SignIn() = user %q, cookie %q, csrf %q; want Ada with a cookie and a CSRF token", in.User.ID, in.CookieValue, in.CSRFToken)
			}
			if d := time.Until(in.ExpiresAt); d < accounts.IdleTimeout-time.Minute || d > accounts.IdleTimeout {
				t.Errorf("session expires in %v; want %v", d, accounts.IdleTimeout)
			}
			actor, csrf, err := svc.SessionActor(ctx, in.CookieValue)
			if err != nil || actor.UserID != ada.ID || actor.Role != shieldwall.RoleMember || csrf != in.CSRFToken {
				t.Errorf("SessionActor() = %+v, %q, %v; want Ada with the session's CSRF token", actor, csrf, err)
			}
			if ev := lastAudit(t, st); ev.Action != "session.create" || ev.ActorID != ada.ID {
				t.Errorf("last audit event = %s by %q; want session.create by Ada", ev.Action, ev.ActorID)
			}
			if after := countRows(t, st); after.audit != before.audit+1 {
				t.Errorf("audit events = %d; want %d", after.audit, before.audit+1)
			}
		})
		t.Run("OKEmailInAnyCase", func(t *testing.T) {
			if _, err := accounts.New(st).SignIn(ctx, "  ADA@Example.com ", password, "192.0.2.1"); err != nil {
				t.Errorf("SignIn(upper-case email) = %v; want nil", err)
			}
		})

		// Every way of failing gives the same answer, so that sign-in does
		// not reveal who has an account.
		var want *shieldwall.Error
		for _, tc := range []struct{ name, email, password string }{
			{"ErrWrongPassword", "ada@example.com", "not the password at all"},
			{"ErrUnknownEmail", "nobody@example.com", password},
			{"ErrNoPassword", "nopass@example.com", ""},
			{"ErrNoPasswordGuess", "nopass@example.com", password},
			{"ErrDeactivated", "gone@example.com", password},
			{"ErrNotAnEmail", "ada", password},
			{"ErrPasswordTooLong", "ada@example.com", strings.Repeat("x", 10_000)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := countRows(t, st)
				_, err := accounts.New(st).SignIn(ctx, tc.email, tc.password, "192.0.2.2")
				wantCode(t, err, shieldwall.EUNAUTHORIZED)
				e := err.(*shieldwall.Error)
				if want == nil {
					want = e
				}
				if e.Message != want.Message || e.Field != want.Field {
					t.Errorf("SignIn() = %q (field %q); want the same answer as every other failure: %q", e.Message, e.Field, want.Message)
				}
				unchanged(t, st, before)
			})
		}

		t.Run("NewSessionEachTime", func(t *testing.T) {
			// A fresh session id at every sign-in protects against fixation.
			a, err := accounts.New(st).SignIn(ctx, "ada@example.com", password, "192.0.2.3")
			if err != nil {
				t.Fatal(err)
			}
			b, err := accounts.New(st).SignIn(ctx, "ada@example.com", password, "192.0.2.3")
			if err != nil {
				t.Fatal(err)
			}
			if a.CookieValue == b.CookieValue || a.CSRFToken == b.CSRFToken {
				t.Errorf("two sign-ins gave cookie %q/%q, csrf %q/%q; want different ones", a.CookieValue, b.CookieValue, a.CSRFToken, b.CSRFToken)
			}
		})
		t.Run("SignOut", func(t *testing.T) {
			a, err := svc.SignIn(ctx, "ada@example.com", password, "192.0.2.4")
			if err != nil {
				t.Fatal(err)
			}
			b, err := svc.SignIn(ctx, "ada@example.com", password, "192.0.2.4")
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.SignOut(ctx, actorFor(ada), a.CookieValue); err != nil {
				t.Fatalf("SignOut() = %v", err)
			}
			_, _, err = svc.SessionActor(ctx, a.CookieValue)
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
			if _, _, err := svc.SessionActor(ctx, b.CookieValue); err != nil {
				t.Errorf("SessionActor(other session) = %v after signing one out; want nil", err)
			}
			if ev := lastAudit(t, st); ev.Action != "session.delete" {
				t.Errorf("last audit event = %s; want session.delete", ev.Action)
			}
		})
		t.Run("ErrBadCookie", func(t *testing.T) {
			for _, c := range []string{"", "nope", strings.Repeat("a", 101), "'; DROP TABLE sessions; --"} {
				_, _, err := svc.SessionActor(ctx, c)
				if shieldwall.ErrorCode(err) != shieldwall.EUNAUTHORIZED {
					t.Errorf("SessionActor(%.20q) = %v; want %s", c, err, shieldwall.EUNAUTHORIZED)
				}
			}
		})
	})
}

func TestSignInRateLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		mustUser(t, accounts.New(st), "ada@example.com", shieldwall.RoleMember, "Finance", password)

		t.Run("ErrRateLimitedAccount", func(t *testing.T) {
			svc := accounts.New(st)
			// Ten guesses from ten addresses: the account is what is guessed at.
			for i := range 10 {
				_, err := svc.SignIn(ctx, "ada@example.com", fmt.Sprint("guess number ", i), fmt.Sprint("198.51.100.", i))
				wantCode(t, err, shieldwall.EUNAUTHORIZED)
			}
			before := countRows(t, st)
			_, err := svc.SignIn(ctx, "ada@example.com", password, "192.0.2.99")
			wantCode(t, err, shieldwall.ERATELIMITED)
			if msg := shieldwall.ErrorMessage(err); !strings.Contains(msg, "Try again in 15 minutes") {
				t.Errorf("message = %q; want it to say when to try again (15 minutes)", msg)
			}
			unchanged(t, st, before)
			// Another account is not affected.
			_, err = svc.SignIn(ctx, "other@example.com", password, "192.0.2.99")
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
		})
		t.Run("ErrRateLimitedClient", func(t *testing.T) {
			svc := accounts.New(st)
			// One address spraying many accounts is refused sooner or later
			// (each attempt costs an argon2id check: keep the bound modest).
			for i := range 100 {
				_, err := svc.SignIn(ctx, fmt.Sprintf("user%d@example.com", i), password, "203.0.113.7")
				if shieldwall.ErrorCode(err) == shieldwall.ERATELIMITED {
					t.Logf("refused after %d failures from one address", i)
					return
				}
				wantCode(t, err, shieldwall.EUNAUTHORIZED)
			}
			t.Errorf("100 failed sign-ins from one address were never refused; want %s", shieldwall.ERATELIMITED)
		})
		t.Run("ColleaguesBehindOneAddress", func(t *testing.T) {
			// Behind a reverse proxy or an office NAT everyone shares one
			// address. A handful of colleagues' typos (or an attacker's ten
			// guesses through the same proxy) must not lock everyone else out.
			svc := accounts.New(st)
			for i := range 10 {
				_, err := svc.SignIn(ctx, fmt.Sprintf("colleague%d@example.com", i), "mistyped password", "10.0.0.1")
				wantCode(t, err, shieldwall.EUNAUTHORIZED)
			}
			if _, err := svc.SignIn(ctx, "ada@example.com", password, "10.0.0.1"); err != nil {
				t.Errorf("SignIn(right password, shared address after 10 others failed) = %v; want nil", err)
			}
		})
		t.Run("SuccessForgetsAccountFailures", func(t *testing.T) {
			svc := accounts.New(st)
			for i := range 9 {
				_, err := svc.SignIn(ctx, "ada@example.com", "wrong password!", fmt.Sprint("198.51.100.", i))
				wantCode(t, err, shieldwall.EUNAUTHORIZED)
			}
			if _, err := svc.SignIn(ctx, "ada@example.com", password, "192.0.2.50"); err != nil {
				t.Fatalf("SignIn(after 9 failures) = %v; want nil", err)
			}
			for i := range 9 {
				_, err := svc.SignIn(ctx, "ada@example.com", "wrong password!", fmt.Sprint("198.51.100.", 100+i))
				wantCode(t, err, shieldwall.EUNAUTHORIZED)
			}
			// 18 failures in all, but only 9 since the last success.
			if _, err := svc.SignIn(ctx, "ada@example.com", password, "192.0.2.51"); err != nil {
				t.Errorf("SignIn(9 failures after a success) = %v; want nil", err)
			}
		})
	})
}

func TestSessionLifetime(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(st)
		mustUser(t, svc, "ada@example.com", shieldwall.RoleMember, "Finance", password)
		start := time.Now()
		t.Cleanup(func() { st.Now = time.Now })
		at := func(d time.Duration) { st.Now = func() time.Time { return start.Add(d) } }

		t.Run("ErrIdle", func(t *testing.T) {
			at(0)
			in, err := svc.SignIn(ctx, "ada@example.com", password, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			at(accounts.IdleTimeout - time.Minute)
			if _, _, err := svc.SessionActor(ctx, in.CookieValue); err != nil {
				t.Fatalf("SessionActor(just before idle timeout) = %v; want nil", err)
			}
			// That use slid the expiry forward.
			at(2*accounts.IdleTimeout - 2*time.Minute)
			if _, _, err := svc.SessionActor(ctx, in.CookieValue); err != nil {
				t.Fatalf("SessionActor(after a use slid the expiry) = %v; want nil", err)
			}
			// Use is recorded by the hour (so it cannot unmask an anonymous
			// report): a session ends 12 to 13 hours after its last use.
			at(2*accounts.IdleTimeout - 2*time.Minute + accounts.IdleTimeout + time.Hour + time.Minute)
			_, _, err = svc.SessionActor(ctx, in.CookieValue)
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
		})
		t.Run("ErrMaxLifetime", func(t *testing.T) {
			at(0)
			in, err := svc.SignIn(ctx, "ada@example.com", password, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			// Used every few hours, it still ends after MaxLifetime.
			var d time.Duration
			for d = 0; d < accounts.MaxLifetime; d += 6 * time.Hour {
				at(d)
				if _, _, err := svc.SessionActor(ctx, in.CookieValue); err != nil {
					t.Fatalf("SessionActor(at +%v) = %v; want nil", d, err)
				}
			}
			at(accounts.MaxLifetime + time.Minute)
			_, _, err = svc.SessionActor(ctx, in.CookieValue)
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
		})
	})
}

func TestDeactivate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(st)
		admin := mustUser(t, svc, "admin@example.com", shieldwall.RoleAdmin, "IT", "")
		bob := mustUser(t, svc, "bob@example.com", shieldwall.RoleMember, "Finance", password)
		s1, err := svc.SignIn(ctx, "bob@example.com", password, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		s2, err := svc.SignIn(ctx, "bob@example.com", password, "192.0.2.2")
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := svc.CreateToken(ctx, cli, "bob@example.com", "laptop")
		if err != nil {
			t.Fatal(err)
		}

		t.Run("OK", func(t *testing.T) {
			u, err := svc.UpdateUser(ctx, actorFor(admin), bob.ID, accounts.UserUpdate{Active: new(false)})
			if err != nil || u.Active {
				t.Fatalf("UpdateUser(active=false) = active %v, %v; want false, nil", u.Active, err)
			}
			for _, c := range []string{s1.CookieValue, s2.CookieValue} {
				_, _, err := svc.SessionActor(ctx, c)
				wantCode(t, err, shieldwall.EUNAUTHORIZED)
			}
			_, err = svc.TokenActor(ctx, secret)
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
			_, err = svc.SignIn(ctx, "bob@example.com", password, "192.0.2.3")
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
			if ev := lastAudit(t, st); ev.Action != "user.update" || !strings.Contains(ev.Summary, "deactivated") || ev.ActorID != admin.ID {
				t.Errorf("last audit = %s %q by %q; want user.update deactivated by the admin", ev.Action, ev.Summary, ev.ActorID)
			}
		})
		t.Run("SessionsStayEndedAfterReactivation", func(t *testing.T) {
			if _, err := svc.UpdateUser(ctx, actorFor(admin), bob.ID, accounts.UserUpdate{Active: new(true)}); err != nil {
				t.Fatal(err)
			}
			_, _, err := svc.SessionActor(ctx, s1.CookieValue)
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
			if _, err := svc.SignIn(ctx, "bob@example.com", password, "192.0.2.4"); err != nil {
				t.Errorf("SignIn(reactivated) = %v; want nil", err)
			}
		})
		t.Run("ErrSelf", func(t *testing.T) {
			before := countRows(t, st)
			_, err := svc.UpdateUser(ctx, actorFor(admin), admin.ID, accounts.UserUpdate{Active: new(false)})
			wantCode(t, err, shieldwall.EINVALID)
			wantField(t, err, "active")
			_, err = svc.UpdateUser(ctx, actorFor(admin), admin.ID, accounts.UserUpdate{Role: shieldwall.RoleMember})
			wantCode(t, err, shieldwall.EINVALID)
			wantField(t, err, "role")
			unchanged(t, st, before)
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := svc.UpdateUser(ctx, actorFor(bob), admin.ID, accounts.UserUpdate{Active: new(false)})
			wantCode(t, err, shieldwall.EFORBIDDEN)
		})
	})
}

func TestTokens(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(st)
		ada := mustUser(t, svc, "ada@example.com", shieldwall.RoleMember, "Finance", "")
		bob := mustUser(t, svc, "bob@example.com", shieldwall.RoleMember, "Finance", "")

		t.Run("OK", func(t *testing.T) {
			secret, tok, err := svc.CreateToken(ctx, cli, "ADA@example.com", "SIEM export")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(secret, accounts.TokenPrefix) || len(secret) < 40 {
				t.Errorf("secret = %q; want %s and at least 256 bits", secret, accounts.TokenPrefix)
			}
			if tok.UserID != ada.ID || tok.Name != "SIEM export" || tok.RevokedAt != nil {
				t.Errorf("token = %+v; want Ada's live SIEM export token", tok)
			}
			actor, err := svc.TokenActor(ctx, secret)
			if err != nil || actor.UserID != ada.ID || actor.Email != ada.Email || actor.Anonymous() {
				t.Errorf("TokenActor() = %+v, %v; want Ada", actor, err)
			}
			list, err := st.ListTokens(ctx, ada.ID)
			if err != nil || len(list) != 1 || list[0].ID != tok.ID {
				t.Fatalf("ListTokens() = %+v, %v; want the one token", list, err)
			}
			b, _ := json.Marshal(list)
			if strings.Contains(string(b), secret) || strings.Contains(string(b), secret[len(accounts.TokenPrefix):]) {
				t.Errorf("token list %s carries the secret", b)
			}
		})
		t.Run("Revoke", func(t *testing.T) {
			secret, tok, err := svc.CreateToken(ctx, actorFor(ada), "ada@example.com", "")
			if err != nil {
				t.Fatal(err)
			}
			// Someone else's token looks like no token at all.
			err = svc.RevokeToken(ctx, actorFor(bob), tok.ID)
			wantCode(t, err, shieldwall.ENOTFOUND)
			if _, err := svc.TokenActor(ctx, secret); err != nil {
				t.Fatalf("TokenActor() = %v after someone else tried to revoke it; want nil", err)
			}
			if err := svc.RevokeToken(ctx, actorFor(ada), tok.ID); err != nil {
				t.Fatalf("RevokeToken() = %v", err)
			}
			_, err = svc.TokenActor(ctx, secret)
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
			if err := svc.RevokeToken(ctx, actorFor(ada), tok.ID); err != nil {
				t.Errorf("RevokeToken(twice) = %v; want nil", err)
			}
			list, _ := st.ListTokens(ctx, ada.ID)
			for _, l := range list {
				if l.ID == tok.ID && l.RevokedAt == nil {
					t.Errorf("listed token %s has no revoked_at", l.ID)
				}
			}
		})
		t.Run("ErrForSomeoneElse", func(t *testing.T) {
			before := countRows(t, st)
			_, _, err := svc.CreateToken(ctx, actorFor(bob), "ada@example.com", "")
			wantCode(t, err, shieldwall.EFORBIDDEN)
			unchanged(t, st, before)
		})
		t.Run("ErrUnknownEmail", func(t *testing.T) {
			_, _, err := svc.CreateToken(ctx, cli, "nobody@example.com", "")
			wantCode(t, err, shieldwall.ENOTFOUND)
			wantField(t, err, "email")
		})
		t.Run("ErrAnonymous", func(t *testing.T) {
			_, _, err := svc.CreateToken(ctx, shieldwall.Actor{}, "ada@example.com", "")
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
		})
		t.Run("ErrBadSecret", func(t *testing.T) {
			for _, s := range []string{"", "swt_", "swt_short", accounts.TokenPrefix + strings.Repeat("A", 43), strings.Repeat("x", 200)} {
				_, err := svc.TokenActor(ctx, s)
				if shieldwall.ErrorCode(err) != shieldwall.EUNAUTHORIZED {
					t.Errorf("TokenActor(%.20q) = %v; want %s", s, err, shieldwall.EUNAUTHORIZED)
				}
			}
		})
	})
}

func TestSetup(t *testing.T) {
	admin := shieldwall.UserInput{Email: "first@example.com", Name: "First Admin", Department: "Security", Password: password, Role: shieldwall.RoleMember}

	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(st)
		if need, err := svc.NeedsSetup(ctx); !need || err != nil {
			t.Fatalf("NeedsSetup(empty) = %v, %v; want true, nil", need, err)
		}
		old, err := svc.StartSetup(ctx)
		if err != nil || old == "" {
			t.Fatalf("StartSetup() = %q, %v; want a token", old, err)
		}
		token, err := svc.StartSetup(ctx)
		if err != nil || token == "" || token == old {
			t.Fatalf("StartSetup(again) = %q, %v; want a new token", token, err)
		}

		t.Run("OnlyTheLatestTokenIsValid", func(t *testing.T) {
			for tok, want := range map[string]bool{token: true, old: false, "": false, "x": false} {
				if got := svc.SetupTokenValid(ctx, tok); got != want {
					t.Errorf("SetupTokenValid(%.8q) = %v; want %v", tok, got, want)
				}
			}
		})
		t.Run("ErrWrongToken", func(t *testing.T) {
			before := countRows(t, st)
			_, err := svc.CompleteSetup(ctx, old, admin)
			wantCode(t, err, shieldwall.EFORBIDDEN)
			unchanged(t, st, before)
			// A failed attempt must not use the real token up.
			if !svc.SetupTokenValid(ctx, token) {
				t.Errorf("SetupTokenValid(token) = false after a wrong token was tried; want true")
			}
		})
		t.Run("ErrPasswordRequired", func(t *testing.T) {
			in := admin
			in.Password = ""
			_, err := svc.CompleteSetup(ctx, token, in)
			wantCode(t, err, shieldwall.EINVALID)
			wantField(t, err, "password")
			if !svc.SetupTokenValid(ctx, token) {
				t.Errorf("SetupTokenValid(token) = false after bad input; want true")
			}
		})
		t.Run("OK", func(t *testing.T) {
			in, err := svc.CompleteSetup(ctx, token, admin)
			if err != nil {
				t.Fatalf("CompleteSetup() = %v", err)
			}
			// The first person is always an administrator, whatever was asked.
			if in.User.Role != shieldwall.RoleAdmin || in.User.DepartmentName != "Security" || in.CookieValue == "" {
				t.Errorf("CompleteSetup() = %+v; want a signed-in administrator in a new Security department", in)
			}
			if need, _ := svc.NeedsSetup(ctx); need {
				t.Errorf("NeedsSetup() = true after set-up; want false")
			}
		})
		t.Run("ErrSingleUse", func(t *testing.T) {
			before := countRows(t, st)
			in := admin
			in.Email = "second@example.com"
			_, err := svc.CompleteSetup(ctx, token, in)
			wantCode(t, err, shieldwall.EFORBIDDEN)
			unchanged(t, st, before)
			if svc.SetupTokenValid(ctx, token) {
				t.Errorf("SetupTokenValid(used token) = true; want false")
			}
		})
		t.Run("NoNewTokenOnceSomeoneExists", func(t *testing.T) {
			if tok, err := svc.StartSetup(ctx); tok != "" || err != nil {
				t.Errorf("StartSetup(with a user) = %q, %v; want \"\", nil", tok, err)
			}
		})
	})

	t.Run("ErrUserExists", func(t *testing.T) {
		testdb.Each(t, func(t *testing.T, st *store.Store) {
			ctx := t.Context()
			svc := accounts.New(st)
			token, err := svc.StartSetup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// Someone added a person from the command line meanwhile.
			mustUser(t, svc, "ops@example.com", shieldwall.RoleAdmin, "IT", "")
			before := countRows(t, st)
			_, err = svc.CompleteSetup(ctx, token, admin)
			wantCode(t, err, shieldwall.EFORBIDDEN)
			unchanged(t, st, before)
		})
	})

	t.Run("OnlyOneOfTwoAtOnce", func(t *testing.T) {
		testdb.Each(t, func(t *testing.T, st *store.Store) {
			ctx := t.Context()
			svc := accounts.New(st)
			token, err := svc.StartSetup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range errs {
				wg.Go(func() {
					in := admin
					in.Email = fmt.Sprintf("racer%d@example.com", i)
					_, errs[i] = svc.CompleteSetup(ctx, token, in)
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else if shieldwall.ErrorCode(err) != shieldwall.EFORBIDDEN {
					t.Errorf("CompleteSetup(loser) = %v; want %s", err, shieldwall.EFORBIDDEN)
				}
			}
			if c := countRows(t, st); ok != 1 || c.users != 1 {
				t.Errorf("%d of 2 concurrent set-ups succeeded, %d users; want 1 and 1", ok, c.users)
			}
		})
	})
}
