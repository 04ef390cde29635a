package accounts_test

import (
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// cli is the operator at the command line, who may do anything.
var cli = shieldwall.SystemActor("test")

// password is a valid password for the few users that need one: argon2id
// makes every hash cost about 100 ms, so most test users have none.
const password = "correct horse battery staple"

// mustDepartment creates a department called name.
func mustDepartment(t testing.TB, svc *accounts.Service, name string) shieldwall.Department {
	t.Helper()
	d, err := svc.CreateDepartment(t.Context(), cli, shieldwall.DepartmentInput{Name: name})
	if err != nil {
		t.Fatalf("CreateDepartment(%q): %v", name, err)
	}
	return d
}

// mustUser creates a user in department dept (created if new); pw may be "".
func mustUser(t testing.TB, svc *accounts.Service, email string, role shieldwall.Role, dept, pw string) shieldwall.User {
	t.Helper()
	u, err := svc.CreateUser(t.Context(), cli, shieldwall.UserInput{
		Email: email, Name: "Person " + email, Role: role, Department: dept, Password: pw,
	}, accounts.CreateUserOptions{CreateDepartment: true})
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

// actorFor is how u appears when signed in.
func actorFor(u shieldwall.User) shieldwall.Actor {
	return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}
}

// counts is how many rows of each kind exist: what "nothing half-written" compares.
type counts struct{ departments, users, audit int }

func countRows(t testing.TB, st *store.Store) counts {
	t.Helper()
	var c counts
	var err error
	if _, c.departments, err = st.ListDepartments(t.Context(), shieldwall.DepartmentFilter{}); err != nil {
		t.Fatal(err)
	}
	if _, c.users, err = st.ListUsers(t.Context(), shieldwall.UserFilter{}); err != nil {
		t.Fatal(err)
	}
	if _, c.audit, err = st.ListAudit(t.Context(), shieldwall.AuditFilter{}); err != nil {
		t.Fatal(err)
	}
	return c
}

// unchanged fails the test when any count differs from before.
func unchanged(t testing.TB, st *store.Store, before counts) {
	t.Helper()
	if after := countRows(t, st); after != before {
		t.Errorf("rows after = %+v; want %+v (nothing written)", after, before)
	}
}

// wantCode and wantField check the error a call gave.
var wantCode, wantField = testdb.WantCode, testdb.WantField

// lastAudit returns the newest audit event.
func lastAudit(t testing.TB, st *store.Store) shieldwall.AuditEvent {
	t.Helper()
	evs, _, err := st.ListAudit(t.Context(), shieldwall.AuditFilter{Page: shieldwall.Page{Limit: 1}})
	if err != nil || len(evs) == 0 {
		t.Fatalf("ListAudit() = %d events, %v; want at least one", len(evs), err)
	}
	return evs[0]
}
