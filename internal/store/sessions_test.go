package store_test

import (
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		d := mustCreateDepartment(t, s, "Finance")
		u := mustCreateUser(t, s, d.ID, "ada@example.com", "Ada", shieldwall.RoleMember, "")
		now := time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.UTC)
		sess := store.Session{IDHash: "hash-a", UserID: u.ID, CSRFToken: "csrf-a", CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeen: now}
		mustInTx(t, s, func(tx *store.Tx) error { return tx.CreateSession(ctx, sess) })

		t.Run("OK", func(t *testing.T) {
			got, gotUser, err := s.SessionUser(ctx, "hash-a", now.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if got.IDHash != "hash-a" || got.UserID != u.ID || got.CSRFToken != "csrf-a" || gotUser.ID != u.ID {
				t.Errorf("SessionUser() = %+v, user %q; want %+v, user %q", got, gotUser.ID, sess, u.ID)
			}
			sameTime(t, "CreatedAt", got.CreatedAt, now)
			sameTime(t, "ExpiresAt", got.ExpiresAt, now.Add(time.Hour))
			sameTime(t, "LastSeen", got.LastSeen, now)
		})
		t.Run("LiveUntilTheLastMicrosecond", func(t *testing.T) {
			if _, _, err := s.SessionUser(ctx, "hash-a", now.Add(time.Hour-time.Microsecond)); err != nil {
				t.Errorf("SessionUser(1µs before expiry) = %v; want nil", err)
			}
		})
		t.Run("ErrExpired", func(t *testing.T) {
			_, _, err := s.SessionUser(ctx, "hash-a", now.Add(time.Hour))
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("ErrUnknown", func(t *testing.T) {
			_, _, err := s.SessionUser(ctx, "no-such-hash", now)
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("Touch", func(t *testing.T) {
			later := now.Add(30 * time.Minute)
			s.Now = func() time.Time { return later }
			defer func() { s.Now = time.Now }()
			mustInTx(t, s, func(tx *store.Tx) error { return tx.TouchSession(ctx, "hash-a", later, later.Add(time.Hour)) })
			got, _, err := s.SessionUser(ctx, "hash-a", now.Add(time.Hour+time.Minute))
			if err != nil {
				t.Fatalf("SessionUser() after touch = %v; want the session to live on", err)
			}
			sameTime(t, "LastSeen", got.LastSeen, later)
			sameTime(t, "ExpiresAt", got.ExpiresAt, later.Add(time.Hour))
		})
		t.Run("ErrUserInactive", func(t *testing.T) {
			v := mustCreateUser(t, s, d.ID, "inactive@example.com", "Inactive", shieldwall.RoleMember, "")
			mustInTx(t, s, func(tx *store.Tx) error {
				return tx.CreateSession(ctx, store.Session{IDHash: "hash-v", UserID: v.ID, CSRFToken: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeen: now})
			})
			v.Active = false
			mustInTx(t, s, func(tx *store.Tx) error { return tx.UpdateUser(ctx, &v) })
			_, _, err := s.SessionUser(ctx, "hash-v", now)
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("Delete", func(t *testing.T) {
			mustInTx(t, s, func(tx *store.Tx) error {
				return tx.CreateSession(ctx, store.Session{IDHash: "hash-d", UserID: u.ID, CSRFToken: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeen: now})
			})
			mustInTx(t, s, func(tx *store.Tx) error { return tx.DeleteSession(ctx, "hash-d") })
			_, _, err := s.SessionUser(ctx, "hash-d", now)
			wantCode(t, err, shieldwall.ENOTFOUND)
			if _, _, err := s.SessionUser(ctx, "hash-a", now); err != nil {
				t.Errorf("SessionUser(other session) = %v; want it untouched", err)
			}
		})
		t.Run("DeleteUserSessions", func(t *testing.T) {
			w := mustCreateUser(t, s, d.ID, "many@example.com", "Many", shieldwall.RoleMember, "")
			for _, h := range []string{"hash-w1", "hash-w2"} {
				mustInTx(t, s, func(tx *store.Tx) error {
					return tx.CreateSession(ctx, store.Session{IDHash: h, UserID: w.ID, CSRFToken: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeen: now})
				})
			}
			mustInTx(t, s, func(tx *store.Tx) error { return tx.DeleteUserSessions(ctx, w.ID) })
			for _, h := range []string{"hash-w1", "hash-w2"} {
				_, _, err := s.SessionUser(ctx, h, now)
				wantCode(t, err, shieldwall.ENOTFOUND)
			}
			if _, _, err := s.SessionUser(ctx, "hash-a", now); err != nil {
				t.Errorf("SessionUser(another user's session) = %v; want it untouched", err)
			}
		})
		t.Run("DeleteExpired", func(t *testing.T) {
			mustInTx(t, s, func(tx *store.Tx) error {
				return tx.CreateSession(ctx, store.Session{IDHash: "hash-old", UserID: u.ID, CSRFToken: "c", CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour), LastSeen: now.Add(-2 * time.Hour)})
			})
			s.Now = func() time.Time { return now }
			defer func() { s.Now = time.Now }()
			var n int64
			mustInTx(t, s, func(tx *store.Tx) (err error) {
				n, err = tx.DeleteExpiredSessions(ctx)
				return err
			})
			if n != 1 {
				t.Errorf("DeleteExpiredSessions() = %d; want 1", n)
			}
			if _, _, err := s.SessionUser(ctx, "hash-a", now); err != nil {
				t.Errorf("SessionUser(live session) after DeleteExpiredSessions = %v; want it kept", err)
			}
		})
	})
}

func TestTokens(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		d := mustCreateDepartment(t, s, "Finance")
		u := mustCreateUser(t, s, d.ID, "ada@example.com", "Ada", shieldwall.RoleSecurity, "")
		other := mustCreateUser(t, s, d.ID, "bob@example.com", "Bob", shieldwall.RoleMember, "")
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		first := shieldwall.APIToken{ID: store.NewID(), UserID: u.ID, Name: "ci", CreatedAt: t0}
		second := shieldwall.APIToken{ID: store.NewID(), UserID: u.ID, Name: "laptop", CreatedAt: t0.Add(time.Microsecond)}
		mustInTx(t, s, func(tx *store.Tx) error {
			if err := tx.CreateToken(ctx, &first, "sha-first"); err != nil {
				return err
			}
			return tx.CreateToken(ctx, &second, "sha-second")
		})

		t.Run("Find", func(t *testing.T) {
			tok, tu, err := s.TokenUser(ctx, "sha-first")
			if err != nil {
				t.Fatal(err)
			}
			if tok.ID != first.ID || tok.Name != "ci" || tok.UserID != u.ID || tu.ID != u.ID || tu.Role != shieldwall.RoleSecurity {
				t.Errorf("TokenUser() = %+v, user %+v; want %+v, user %q", tok, tu, first, u.ID)
			}
			sameTime(t, "CreatedAt", tok.CreatedAt, t0)
			if tok.LastUsedAt != nil || tok.RevokedAt != nil {
				t.Errorf("LastUsedAt, RevokedAt = %v, %v; want nil, nil", tok.LastUsedAt, tok.RevokedAt)
			}
		})
		t.Run("ListNewestFirst", func(t *testing.T) {
			got, err := s.ListTokens(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID {
				t.Errorf("ListTokens() = %+v; want [laptop ci]", got)
			}
			if none, err := s.ListTokens(ctx, other.ID); err != nil || len(none) != 0 {
				t.Errorf("ListTokens(other user) = %v, %v; want none", none, err)
			}
		})
		t.Run("ErrUnknown", func(t *testing.T) {
			_, _, err := s.TokenUser(ctx, "sha-unknown")
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
		})
		t.Run("ErrRevokeOtherUsersToken", func(t *testing.T) {
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, other.ID, first.ID) })
			wantCode(t, err, shieldwall.ENOTFOUND)
			if _, _, err := s.TokenUser(ctx, "sha-first"); err != nil {
				t.Errorf("TokenUser() after another user's revoke = %v; want it still valid", err)
			}
		})
		t.Run("ErrRevoked", func(t *testing.T) {
			revokedAt := time.Date(2026, 2, 3, 4, 5, 6, 789000, time.UTC)
			s.Now = func() time.Time { return revokedAt }
			defer func() { s.Now = time.Now }()
			mustInTx(t, s, func(tx *store.Tx) error { return tx.RevokeToken(ctx, u.ID, first.ID) })
			_, _, err := s.TokenUser(ctx, "sha-first")
			wantCode(t, err, shieldwall.EUNAUTHORIZED)

			// Revoking again is not an error and keeps the first revocation time.
			s.Now = func() time.Time { return revokedAt.Add(time.Hour) }
			mustInTx(t, s, func(tx *store.Tx) error { return tx.RevokeToken(ctx, u.ID, first.ID) })
			list, err := s.ListTokens(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range list {
				switch tok.ID {
				case first.ID:
					if tok.RevokedAt == nil {
						t.Fatalf("RevokedAt of the revoked token = nil; want %s", revokedAt)
					}
					sameTime(t, "RevokedAt", *tok.RevokedAt, revokedAt)
				case second.ID:
					if tok.RevokedAt != nil {
						t.Errorf("RevokedAt of the other token = %v; want nil", tok.RevokedAt)
					}
				}
			}
			if _, _, err := s.TokenUser(ctx, "sha-second"); err != nil {
				t.Errorf("TokenUser(other token) = %v; want it still valid", err)
			}
		})
		t.Run("ErrUserInactive", func(t *testing.T) {
			tok := shieldwall.APIToken{ID: store.NewID(), UserID: other.ID, Name: "bob", CreatedAt: t0}
			mustInTx(t, s, func(tx *store.Tx) error { return tx.CreateToken(ctx, &tok, "sha-bob") })
			if _, _, err := s.TokenUser(ctx, "sha-bob"); err != nil {
				t.Fatalf("TokenUser() = %v; want nil while Bob is active", err)
			}
			o := other
			o.Active = false
			mustInTx(t, s, func(tx *store.Tx) error { return tx.UpdateUser(ctx, &o) })
			_, _, err := s.TokenUser(ctx, "sha-bob")
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
		})
		t.Run("ErrDuplicateHash", func(t *testing.T) {
			tok := shieldwall.APIToken{ID: store.NewID(), UserID: u.ID, Name: "dup", CreatedAt: t0}
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.CreateToken(ctx, &tok, "sha-second") })
			if err == nil {
				t.Errorf("CreateToken(existing hash) = nil; want an error")
			}
		})
	})
}
