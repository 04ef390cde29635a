// Package testdb gives tests real, empty databases: a SQLite file in a
// temporary directory always, and a fresh PostgreSQL schema as well when
// SHIELDWALL_TEST_DATABASE_URL names a server. scripts/test starts one.
package testdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// The environment variables that point tests at PostgreSQL.
const (
	// EnvURL names a PostgreSQL server tests may create schemas in.
	EnvURL = "SHIELDWALL_TEST_DATABASE_URL"
	// EnvRequire, set to 1, makes a missing EnvURL a failure instead of a skip.
	EnvRequire = "SHIELDWALL_TEST_REQUIRE_POSTGRES"
)

// Dialects returns "sqlite", plus "postgres" when SHIELDWALL_TEST_DATABASE_URL
// is set. When SHIELDWALL_TEST_REQUIRE_POSTGRES=1 and the URL is unset, it
// fails the test instead of silently leaving PostgreSQL out.
func Dialects(t testing.TB) []string {
	t.Helper()
	if os.Getenv(EnvURL) != "" {
		return []string{"sqlite", "postgres"}
	}
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s=1 but %s is not set: run the tests with scripts/test, or point %s at a PostgreSQL server", EnvRequire, EnvURL, EnvURL)
	}
	return []string{"sqlite"}
}

// Config returns a store.Config for a brand-new, empty database of dialect:
// a SQLite file in t.TempDir(), or a fresh PostgreSQL schema, dropped when
// the test ends, selected with search_path in the URL.
func Config(t testing.TB, dialect string) store.Config {
	t.Helper()
	switch dialect {
	case "sqlite":
		return store.Config{Path: filepath.Join(t.TempDir(), "shieldwall.db")}
	case "postgres":
		return postgresConfig(t)
	}
	t.Fatalf("testdb: unknown dialect %q", dialect)
	return store.Config{}
}

func postgresConfig(t testing.TB) store.Config {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s=1 but %s is not set", EnvRequire, EnvURL)
		}
		t.Skipf("PostgreSQL: %s is not set", EnvURL)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testdb: %s: %v", EnvURL, err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	// Lower-case letters, digits and _ only, so the name never needs quoting.
	schema := "test_" + hex.EncodeToString(b[:])

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("testdb: open %s: %v", EnvURL, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("testdb: create schema: %v", err)
	}
	// Cleanups run last-registered first, so this runs after the store that
	// uses the schema has been closed by Open's cleanup.
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("testdb: drop schema %s: %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema) // pgx sends unknown URL parameters as runtime parameters
	u.RawQuery = q.Encode()
	return store.Config{URL: u.String()}
}

// Open opens and migrates a fresh database of dialect and closes it when the test ends.
func Open(t testing.TB, dialect string) *store.Store {
	t.Helper()
	cfg := Config(t, dialect)
	ctx := context.Background()
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("testdb: open %s: %v", dialect, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("testdb: close %s: %v", dialect, err)
		}
	})
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("testdb: migrate %s: %v", dialect, err)
	}
	return s
}

// Each runs fn as a subtest per dialect ("sqlite", "postgres"), each with a
// fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects(t) {
		t.Run(d, func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Raw opens a second, plain connection to the database of cfg, so that a
// test can see what the store keeps, or edit rows behind its back.
func Raw(t testing.TB, cfg store.Config) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if cfg.URL != "" {
		db, err = sql.Open("pgx", cfg.URL)
	} else {
		db, err = sql.Open("sqlite", "file:"+cfg.Path+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatalf("open raw database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// WantCode fails the test unless err carries the error code want.
func WantCode(t testing.TB, err error, want string) {
	t.Helper()
	if got := shieldwall.ErrorCode(err); got != want {
		t.Fatalf("error code = %q (err = %v); want %q", got, err, want)
	}
}

// WantField fails the test unless err is about the input field want.
func WantField(t testing.TB, err error, want string) {
	t.Helper()
	if got := shieldwall.ErrorField(err); got != want {
		t.Errorf("error field = %q (err = %v); want %q", got, err, want)
	}
}

// LogBuffer collects log output written from many goroutines, so a test
// can read what a server logged.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
