package store_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// mustInTx runs fn in one committed transaction and fails the test on error.
func mustInTx(t testing.TB, s *store.Store, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := s.InTx(t.Context(), fn); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// slug is a test stand-in for the service's slug rule.
func slug(name string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, name), "-")
}

// mustCreateDepartment creates a department called name.
func mustCreateDepartment(t testing.TB, s *store.Store, name string) shieldwall.Department {
	t.Helper()
	d := shieldwall.Department{ID: store.NewID(), Name: name, Slug: slug(name), Description: "about " + name}
	mustInTx(t, s, func(tx *store.Tx) error {
		d.CreatedAt, d.UpdatedAt = tx.Now, tx.Now
		return tx.CreateDepartment(t.Context(), &d)
	})
	return d
}

// mustCreateUser creates an active user in department deptID; passwordHash may be "".
func mustCreateUser(t testing.TB, s *store.Store, deptID, email, name string, role shieldwall.Role, passwordHash string) shieldwall.User {
	t.Helper()
	u := shieldwall.User{ID: store.NewID(), Email: email, Name: name, Role: role, DepartmentID: deptID, Active: true}
	mustInTx(t, s, func(tx *store.Tx) error {
		u.CreatedAt, u.UpdatedAt = tx.Now, tx.Now
		return tx.CreateUser(t.Context(), &u, passwordHash)
	})
	return u
}

// wantCode and wantField check the error a call gave.
var wantCode, wantField = testdb.WantCode, testdb.WantField

// mustExec runs raw SQL statements, which take no arguments so that they
// read the same in both dialects.
func mustExec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("exec %q: %v", q, err)
		}
	}
}

// sameTime fails the test unless got is want in UTC, to the microsecond.
func sameTime(t testing.TB, what string, got, want time.Time) {
	t.Helper()
	want = want.UTC().Truncate(time.Microsecond)
	if !got.Equal(want) {
		t.Errorf("%s = %s; want %s", what, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	if got.Location() != time.UTC {
		t.Errorf("%s location = %v; want UTC", what, got.Location())
	}
}
