package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// openUnmigrated opens a fresh database without migrating it.
func openUnmigrated(t *testing.T, dialect string) (*store.Store, store.Config) {
	t.Helper()
	cfg := testdb.Config(t, dialect)
	s, err := store.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, cfg
}

func TestOpen(t *testing.T) {
	t.Run("ErrNoDatabase", func(t *testing.T) {
		_, err := store.Open(t.Context(), store.Config{})
		wantCode(t, err, shieldwall.EINVALID)
	})
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			s, _ := openUnmigrated(t, d)
			if got := s.Dialect(); got != d {
				t.Errorf("Dialect() = %q; want %q", got, d)
			}
			if err := s.Ping(t.Context()); err != nil {
				t.Errorf("Ping() = %v; want nil", err)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			s, _ := openUnmigrated(t, d)
			ctx := t.Context()

			empty, err := s.Empty(ctx)
			if err != nil || !empty {
				t.Fatalf("Empty() before migrating = %v, %v; want true, nil", empty, err)
			}
			applied, err := s.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			cur, latest, err := s.SchemaVersion(ctx)
			if err != nil {
				t.Fatalf("SchemaVersion: %v", err)
			}
			if latest < 1 || cur != latest {
				t.Fatalf("SchemaVersion() = %d, %d; want equal and at least 1", cur, latest)
			}
			if len(applied) == 0 || applied[0] != 1 || applied[len(applied)-1] != latest {
				t.Errorf("first Migrate() applied %v; want 1 … %d", applied, latest)
			}

			// Migrating an up-to-date schema is a no-op.
			again, err := s.Migrate(ctx)
			if err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			if len(again) != 0 {
				t.Errorf("second Migrate() applied %v; want nothing", again)
			}
			if cur2, _, _ := s.SchemaVersion(ctx); cur2 != cur {
				t.Errorf("SchemaVersion() after second Migrate = %d; want %d", cur2, cur)
			}
			if empty, err := s.Empty(ctx); err != nil || empty {
				t.Errorf("Empty() after migrating = %v, %v; want false, nil", empty, err)
			}
			// The seed rows of the first migration are there exactly once.
			if n, err := s.VerifyAudit(ctx); err != nil || n != 0 {
				t.Errorf("VerifyAudit() on a new database = %d, %v; want 0, nil", n, err)
			}
		})
	}
}

func TestCheckSchema(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(d, func(t *testing.T) {
			t.Run("OK", func(t *testing.T) {
				s := testdb.Open(t, d)
				if err := s.CheckSchema(t.Context()); err != nil {
					t.Errorf("CheckSchema() = %v; want nil", err)
				}
			})
			t.Run("ErrSchemaOld", func(t *testing.T) {
				// A database nobody migrated stands in for one from an older release.
				s, _ := openUnmigrated(t, d)
				err := s.CheckSchema(t.Context())
				wantCode(t, err, shieldwall.EUNAVAILABLE)
				if msg := shieldwall.ErrorMessage(err); !strings.Contains(msg, "shieldwall migrate") {
					t.Errorf("CheckSchema() message = %q; want it to mention `shieldwall migrate`", msg)
				}
			})
			t.Run("ErrSchemaNewer", func(t *testing.T) {
				s, cfg := openUnmigrated(t, d)
				if _, err := s.Migrate(t.Context()); err != nil {
					t.Fatal(err)
				}
				_, latest, err := s.SchemaVersion(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				mustExec(t, testdb.Raw(t, cfg),
					fmt.Sprintf("INSERT INTO goose_db_version (version_id, is_applied) VALUES (%d, TRUE)", latest+1))
				err = s.CheckSchema(t.Context())
				wantCode(t, err, shieldwall.EUNAVAILABLE)
				if msg := shieldwall.ErrorMessage(err); !strings.Contains(msg, "newer") {
					t.Errorf("CheckSchema() message = %q; want it to say the schema is newer", msg)
				}
			})
		})
	}
}

func TestInTx(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		t.Run("ErrRolledBack", func(t *testing.T) {
			boom := errors.New("boom")
			err := s.InTx(t.Context(), func(tx *store.Tx) error {
				if err := tx.SetSetting(t.Context(), "rolled-back", "yes"); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx() = %v; want %v", err, boom)
			}
			if v, ok, err := s.Setting(t.Context(), "rolled-back"); err != nil || ok {
				t.Errorf("Setting() after rollback = %q, %v, %v; want unset", v, ok, err)
			}
		})
		t.Run("NowFixedPerTransaction", func(t *testing.T) {
			fixed := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CEST", 2*60*60))
			s.Now = func() time.Time { return fixed }
			defer func() { s.Now = time.Now }()
			tx, err := s.Begin(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			sameTime(t, "tx.Now", tx.Now, fixed)
		})
		t.Run("ErrContextCanceled", func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			if _, err := s.Begin(ctx); err == nil {
				t.Errorf("Begin(canceled context) = nil error; want an error")
			}
		})
	})
}

func TestSettings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if v, ok, err := s.Setting(ctx, "site.name"); err != nil || ok || v != "" {
			t.Fatalf("Setting(unset) = %q, %v, %v; want \"\", false, nil", v, ok, err)
		}
		mustInTx(t, s, func(tx *store.Tx) error { return tx.SetSetting(ctx, "site.name", "Acme") })
		if v, ok, err := s.Setting(ctx, "site.name"); err != nil || !ok || v != "Acme" {
			t.Errorf("Setting() = %q, %v, %v; want \"Acme\", true, nil", v, ok, err)
		}
		mustInTx(t, s, func(tx *store.Tx) error {
			if err := tx.SetSetting(ctx, "site.name", "Acme Ltd"); err != nil {
				return err
			}
			// The transaction sees its own write before commit.
			if v, ok, err := tx.Setting(ctx, "site.name"); err != nil || !ok || v != "Acme Ltd" {
				t.Errorf("tx.Setting() = %q, %v, %v; want \"Acme Ltd\", true, nil", v, ok, err)
			}
			return nil
		})
		if v, _, _ := s.Setting(ctx, "site.name"); v != "Acme Ltd" {
			t.Errorf("Setting() after overwrite = %q; want \"Acme Ltd\"", v)
		}
		mustInTx(t, s, func(tx *store.Tx) error { return tx.SetSetting(ctx, "empty", "") })
		if v, ok, err := s.Setting(ctx, "empty"); err != nil || !ok || v != "" {
			t.Errorf("Setting(empty) = %q, %v, %v; want \"\", true, nil", v, ok, err)
		}
		mustInTx(t, s, func(tx *store.Tx) error { return tx.DeleteSetting(ctx, "site.name") })
		if _, ok, err := s.Setting(ctx, "site.name"); err != nil || ok {
			t.Errorf("Setting() after delete: set = %v, err = %v; want false, nil", ok, err)
		}
		// Deleting what is not there is not an error.
		mustInTx(t, s, func(tx *store.Tx) error { return tx.DeleteSetting(ctx, "never-set") })
	})
}

func TestTimes(t *testing.T) {
	// Times go in in any zone with nanoseconds and come out in UTC, cut to the
	// microsecond both databases keep.
	times := []time.Time{
		time.Date(2026, 3, 29, 1, 59, 59, 999999999, time.FixedZone("CET", 60*60)),
		time.Date(1999, 12, 31, 23, 59, 59, 1000, time.UTC),
		time.Date(2038, 1, 19, 3, 14, 8, 500000000, time.FixedZone("PST", -8*60*60)),
		time.Date(2026, 11, 27, 12, 0, 0, 999, time.UTC), // under a microsecond: cut to .000000
		time.Unix(0, 0),
		time.Date(9999, 12, 31, 23, 59, 58, 999999000, time.UTC), // UpdatedAt adds 1µs: stay in year 9999
	}
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		for i, tm := range times {
			d := shieldwall.Department{ID: store.NewID(), Name: fmt.Sprintf("Time %d", i), Slug: fmt.Sprintf("time-%d", i),
				CreatedAt: tm, UpdatedAt: tm.Add(time.Microsecond)}
			mustInTx(t, s, func(tx *store.Tx) error { return tx.CreateDepartment(ctx, &d) })
			got, err := s.FindDepartment(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameTime(t, fmt.Sprintf("CreatedAt of %s", tm.Format(time.RFC3339Nano)), got.CreatedAt, tm)
			sameTime(t, fmt.Sprintf("UpdatedAt of %s", tm.Format(time.RFC3339Nano)), got.UpdatedAt, tm.Add(time.Microsecond))
		}

		// tx.Now is what the transaction writes, and it reads back exactly.
		fixed := time.Date(2026, 7, 1, 9, 30, 0, 123456789, time.FixedZone("IST", 5*60*60+30*60))
		s.Now = func() time.Time { return fixed }
		defer func() { s.Now = time.Now }()
		dep := mustCreateDepartment(t, s, "Now")
		u := mustCreateUser(t, s, dep.ID, "now@example.com", "Now", shieldwall.RoleMember, "")
		got, err := s.FindUser(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameTime(t, "User.CreatedAt", got.CreatedAt, fixed)
		sameTime(t, "User.UpdatedAt", got.UpdatedAt, fixed)
	})
}
