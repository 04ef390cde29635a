package govern_test

import (
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/store"
)

var cli = shieldwall.SystemActor("test")

// org is a small organisation on a real database: departments named as the
// taxonomy expects, and one person per role that matters to governance.
type org struct {
	st  *store.Store
	acc *accounts.Service
	gv  *govern.Service
	// security and admin see everything; the champions speak for their department.
	security, admin, financeChampion, hrChampion, financeMember, auditor shieldwall.Actor
	dept                                                                 map[string]shieldwall.Department
}

func newOrg(t *testing.T, st *store.Store) *org {
	t.Helper()
	o := &org{st: st, acc: accounts.New(st), gv: govern.New(st), dept: map[string]shieldwall.Department{}}
	for _, name := range []string{"Security", "Finance", "HR", "Legal", "Sales", "IT"} {
		d, err := o.acc.CreateDepartment(t.Context(), cli, shieldwall.DepartmentInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		o.dept[name] = d
	}
	o.security = o.person(t, "sec@example.com", shieldwall.RoleSecurity, "Security")
	o.admin = o.person(t, "admin@example.com", shieldwall.RoleAdmin, "IT")
	o.financeChampion = o.person(t, "fin-champ@example.com", shieldwall.RoleChampion, "Finance")
	o.hrChampion = o.person(t, "hr-champ@example.com", shieldwall.RoleChampion, "HR")
	o.financeMember = o.person(t, "fin@example.com", shieldwall.RoleMember, "Finance")
	o.auditor = o.person(t, "audit@example.com", shieldwall.RoleAuditor, "Legal")
	return o
}

func (o *org) person(t *testing.T, email string, role shieldwall.Role, dept string) shieldwall.Actor {
	t.Helper()
	u, err := o.acc.CreateUser(t.Context(), cli, shieldwall.UserInput{Email: email, Name: email, Role: role, Department: dept}, accounts.CreateUserOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}
}

func ptr[T any](v T) *T { return &v }
