package accounts_test

import (
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Finance":            "finance",
		"Human Resources":    "human-resources",
		"  R&D  ":            "r-d",
		"IT / Ops -- Europe": "it-ops-europe",
		"Team 42":            "team-42",
		"!!!":                "",
	} {
		if got := accounts.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestDepartments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(st)
		member := actorFor(mustUser(t, svc, "member@example.com", shieldwall.RoleMember, "Sales", ""))

		t.Run("Create", func(t *testing.T) {
			before := countRows(t, st)
			d, err := svc.CreateDepartment(ctx, cli, shieldwall.DepartmentInput{Name: "  Human Resources ", Description: " People. "})
			if err != nil {
				t.Fatal(err)
			}
			if d.ID == "" || d.Name != "Human Resources" || d.Slug != "human-resources" || d.Description != "People." {
				t.Errorf("CreateDepartment() = %+v; want trimmed name and description, slug human-resources", d)
			}
			if d.CreatedAt.IsZero() || d.CreatedAt.Location().String() != "UTC" {
				t.Errorf("CreatedAt = %v; want a UTC time", d.CreatedAt)
			}
			after := countRows(t, st)
			if after.departments != before.departments+1 || after.audit != before.audit+1 {
				t.Errorf("rows after = %+v; want one more department and one more audit event than %+v", after, before)
			}
			if ev := lastAudit(t, st); ev.Action != "department.create" || ev.ObjectID != d.ID || ev.ActorLabel != "system (test)" {
				t.Errorf("last audit = %+v; want department.create of %s by system (test)", ev, d.ID)
			}
		})
		for _, tc := range []struct {
			name, dept, code, field string
		}{
			{"ErrNameTaken", "human resources", shieldwall.ECONFLICT, "name"},
			{"ErrSlugTaken", "Human-Resources", shieldwall.ECONFLICT, "name"},
			{"ErrNameRequired", "   ", shieldwall.EINVALID, "name"},
			{"ErrNoLetters", "!!!", shieldwall.EINVALID, "name"},
			{"ErrNameTooLong", strings.Repeat("x", 101), shieldwall.EINVALID, "name"},
			{"ErrControlCharacter", "Fin\x00ance", shieldwall.EINVALID, "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := countRows(t, st)
				_, err := svc.CreateDepartment(ctx, cli, shieldwall.DepartmentInput{Name: tc.dept})
				wantCode(t, err, tc.code)
				wantField(t, err, tc.field)
				if shieldwall.ErrorMessage(err) == "" {
					t.Errorf("empty message")
				}
				unchanged(t, st, before)
			})
		}
		t.Run("OKNonLatinName", func(t *testing.T) {
			// Organisations name their departments in their own language.
			for _, name := range []string{"Финансы", "経理部"} {
				d, err := svc.CreateDepartment(ctx, cli, shieldwall.DepartmentInput{Name: name})
				if err != nil {
					t.Errorf("CreateDepartment(%q) = %v; want nil", name, err)
					continue
				}
				if d.Slug == "" {
					t.Errorf("CreateDepartment(%q).Slug is empty", name)
				}
				if got, err := st.FindDepartment(ctx, d.Slug); err != nil || got.ID != d.ID {
					t.Errorf("FindDepartment(slug %q) = %q, %v; want %q", d.Slug, got.ID, err, d.ID)
				}
			}
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			before := countRows(t, st)
			_, err := svc.CreateDepartment(ctx, member, shieldwall.DepartmentInput{Name: "Shadow IT"})
			wantCode(t, err, shieldwall.EFORBIDDEN)
			_, err = svc.CreateDepartment(ctx, shieldwall.Actor{}, shieldwall.DepartmentInput{Name: "Shadow IT"})
			wantCode(t, err, shieldwall.EUNAUTHORIZED)
			unchanged(t, st, before)
		})
		t.Run("Update", func(t *testing.T) {
			d := mustDepartment(t, svc, "Legal")
			got, err := svc.UpdateDepartment(ctx, cli, "legal", shieldwall.DepartmentInput{Name: "Legal & Compliance", Description: "Contracts."})
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != d.ID || got.Name != "Legal & Compliance" || got.Slug != "legal-compliance" || got.UpdatedAt.Before(d.UpdatedAt) {
				t.Errorf("UpdateDepartment() = %+v; want the renamed department %s", got, d.ID)
			}
			if ev := lastAudit(t, st); ev.Action != "department.update" || !strings.Contains(ev.Summary, `"Legal" → "Legal & Compliance"`) {
				t.Errorf("last audit = %s %q; want department.update naming the rename", ev.Action, ev.Summary)
			}
		})
		t.Run("UpdateErrNameTaken", func(t *testing.T) {
			d := mustDepartment(t, svc, "Procurement")
			before := countRows(t, st)
			_, err := svc.UpdateDepartment(ctx, cli, d.ID, shieldwall.DepartmentInput{Name: "HUMAN RESOURCES"})
			wantCode(t, err, shieldwall.ECONFLICT)
			unchanged(t, st, before)
			if got, _ := st.FindDepartment(ctx, d.ID); got.Name != "Procurement" {
				t.Errorf("name after a refused rename = %q; want Procurement", got.Name)
			}
		})
		t.Run("UpdateErrNotFound", func(t *testing.T) {
			_, err := svc.UpdateDepartment(ctx, cli, store.NewID(), shieldwall.DepartmentInput{Name: "Ghosts"})
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("Delete", func(t *testing.T) {
			d := mustDepartment(t, svc, "Temporary")
			if err := svc.DeleteDepartment(ctx, cli, d.ID); err != nil {
				t.Fatal(err)
			}
			_, err := st.FindDepartment(ctx, d.ID)
			wantCode(t, err, shieldwall.ENOTFOUND)
			if ev := lastAudit(t, st); ev.Action != "department.delete" || ev.ObjectID != d.ID {
				t.Errorf("last audit = %s %s; want department.delete %s", ev.Action, ev.ObjectID, d.ID)
			}
		})
		t.Run("DeleteErrHasPeople", func(t *testing.T) {
			before := countRows(t, st)
			err := svc.DeleteDepartment(ctx, cli, "sales")
			wantCode(t, err, shieldwall.ECONFLICT)
			unchanged(t, st, before)
		})
		t.Run("DeleteErrForbidden", func(t *testing.T) {
			err := svc.DeleteDepartment(ctx, member, "human-resources")
			wantCode(t, err, shieldwall.EFORBIDDEN)
		})
	})
}

func TestCreateUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(st)
		fin := mustDepartment(t, svc, "Finance")
		mustUser(t, svc, "ada@example.com", shieldwall.RoleMember, "Finance", "")

		t.Run("OK", func(t *testing.T) {
			before := countRows(t, st)
			u, err := svc.CreateUser(ctx, cli, shieldwall.UserInput{
				Email: " Grace@Example.COM ", Name: " Grace Hopper ", Title: "Admiral", Role: shieldwall.RoleSecurity, Department: "finance",
			}, accounts.CreateUserOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if u.Email != "grace@example.com" || u.Name != "Grace Hopper" || u.Role != shieldwall.RoleSecurity ||
				u.DepartmentID != fin.ID || !u.Active || u.HasPassword {
				t.Errorf("CreateUser() = %+v; want Grace, lower-case email, security, in Finance, active, no password", u)
			}
			after := countRows(t, st)
			if after.users != before.users+1 || after.audit != before.audit+1 || after.departments != before.departments {
				t.Errorf("rows = %+v; want one more user and audit event than %+v", after, before)
			}
		})
		t.Run("OKDefaultRoleMember", func(t *testing.T) {
			u, err := svc.CreateUser(ctx, cli, shieldwall.UserInput{Email: "m@example.com", Name: "M", Department: "Finance"}, accounts.CreateUserOptions{})
			if err != nil || u.Role != shieldwall.RoleMember {
				t.Errorf("CreateUser(no role) = %q, %v; want member", u.Role, err)
			}
		})
		t.Run("OKCreatesDepartment", func(t *testing.T) {
			before := countRows(t, st)
			u, err := svc.CreateUser(ctx, cli, shieldwall.UserInput{Email: "ops@example.com", Name: "Ops", Department: "Field Operations"},
				accounts.CreateUserOptions{CreateDepartment: true})
			if err != nil {
				t.Fatal(err)
			}
			d, err := st.FindDepartment(ctx, "field-operations")
			if err != nil || u.DepartmentID != d.ID || u.DepartmentName != "Field Operations" {
				t.Errorf("user in %q (%s), department %+v, %v; want a new Field Operations department", u.DepartmentName, u.DepartmentID, d, err)
			}
			after := countRows(t, st)
			if after.departments != before.departments+1 || after.users != before.users+1 || after.audit != before.audit+2 {
				t.Errorf("rows = %+v; want +1 department, +1 user, +2 audit events over %+v", after, before)
			}
		})
		for _, tc := range []struct {
			name        string
			in          shieldwall.UserInput
			create      bool
			code, field string
		}{
			{"ErrEmailTaken", shieldwall.UserInput{Email: "ADA@example.com", Name: "Ada 2", Department: "Finance"}, false, shieldwall.ECONFLICT, "email"},
			// The department would be new, but the person is refused: the department must go too.
			{"ErrEmailTakenNewDepartment", shieldwall.UserInput{Email: "ada@example.com", Name: "Ada 2", Department: "Brand New"}, true, shieldwall.ECONFLICT, "email"},
			{"ErrUnknownDepartment", shieldwall.UserInput{Email: "x@example.com", Name: "X", Department: "Nowhere"}, false, shieldwall.EINVALID, "department"},
			{"ErrDepartmentRequired", shieldwall.UserInput{Email: "x@example.com", Name: "X"}, true, shieldwall.EINVALID, "department"},
			{"ErrBadNewDepartment", shieldwall.UserInput{Email: "x@example.com", Name: "X", Department: "???"}, true, shieldwall.EINVALID, "department"},
			{"ErrBadRole", shieldwall.UserInput{Email: "x@example.com", Name: "X", Department: "Finance", Role: "king"}, false, shieldwall.EINVALID, "role"},
			{"ErrEmailRequired", shieldwall.UserInput{Name: "X", Department: "Finance"}, false, shieldwall.EINVALID, "email"},
			{"ErrNotAnEmail", shieldwall.UserInput{Email: "x", Name: "X", Department: "Finance"}, false, shieldwall.EINVALID, "email"},
			{"ErrEmailWithName", shieldwall.UserInput{Email: "X <x@example.com>", Name: "X", Department: "Finance"}, false, shieldwall.EINVALID, "email"},
			{"ErrEmailNoDot", shieldwall.UserInput{Email: "x@localhost", Name: "X", Department: "Finance"}, false, shieldwall.EINVALID, "email"},
			{"ErrNameRequired", shieldwall.UserInput{Email: "x@example.com", Department: "Finance"}, false, shieldwall.EINVALID, "name"},
			{"ErrPasswordTooShort", shieldwall.UserInput{Email: "x@example.com", Name: "X", Department: "Finance", Password: "short"}, false, shieldwall.EINVALID, "password"},
			{"ErrPasswordTooLong", shieldwall.UserInput{Email: "x@example.com", Name: "X", Department: "Finance", Password: strings.Repeat("p", 257)}, false, shieldwall.EINVALID, "password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := countRows(t, st)
				_, err := svc.CreateUser(ctx, cli, tc.in, accounts.CreateUserOptions{CreateDepartment: tc.create})
				wantCode(t, err, tc.code)
				wantField(t, err, tc.field)
				unchanged(t, st, before)
			})
		}
		t.Run("ErrForbidden", func(t *testing.T) {
			before := countRows(t, st)
			_, err := svc.CreateUser(ctx, shieldwall.Actor{UserID: "x", Role: shieldwall.RoleSecurity}, shieldwall.UserInput{Email: "y@example.com", Name: "Y", Department: "Finance"}, accounts.CreateUserOptions{})
			wantCode(t, err, shieldwall.EFORBIDDEN)
			unchanged(t, st, before)
		})
	})
}

func TestImport(t *testing.T) {
	person := func(email, dept string) accounts.ImportPerson {
		return accounts.ImportPerson{UserInput: shieldwall.UserInput{Email: email, Name: "Person " + email, Department: dept}}
	}
	deps := func() []shieldwall.DepartmentInput {
		return []shieldwall.DepartmentInput{{Name: "Finance"}, {Name: "HR", Description: "People."}}
	}

	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(st)
		mustDepartment(t, svc, "Legal")

		for _, tc := range []struct {
			name   string
			deps   []shieldwall.DepartmentInput
			people []accounts.ImportPerson
			code   string
			says   string // the message names the culprit
		}{
			{"ErrBadEmail", deps(), []accounts.ImportPerson{person("a@example.com", "Finance"), person("not-an-email", "HR")},
				shieldwall.EINVALID, "person 2"},
			{"ErrDuplicateInBatch", deps(), []accounts.ImportPerson{person("a@example.com", "Finance"), person("b@example.com", "HR"), person("A@example.com", "HR")},
				shieldwall.ECONFLICT, "a@example.com"},
			{"ErrUnknownDepartment", deps(), []accounts.ImportPerson{person("a@example.com", "Finance"), person("b@example.com", "Marketing")},
				shieldwall.EINVALID, "b@example.com"},
			{"ErrDepartmentExists", append(deps(), shieldwall.DepartmentInput{Name: "legal"}), []accounts.ImportPerson{person("a@example.com", "Finance")},
				shieldwall.ECONFLICT, "legal"},
			{"ErrBadDepartment", append(deps(), shieldwall.DepartmentInput{Name: ""}), []accounts.ImportPerson{person("a@example.com", "Finance")},
				shieldwall.EINVALID, "department 3"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := countRows(t, st)
				err := svc.Import(ctx, cli, tc.deps, tc.people)
				wantCode(t, err, tc.code)
				if !strings.Contains(err.Error(), tc.says) {
					t.Errorf("Import() = %v; want it to name %q", err, tc.says)
				}
				unchanged(t, st, before)
			})
		}
		t.Run("ErrForbidden", func(t *testing.T) {
			before := countRows(t, st)
			err := svc.Import(ctx, shieldwall.Actor{UserID: "x", Role: shieldwall.RoleAuditor}, deps(), []accounts.ImportPerson{person("a@example.com", "Finance")})
			wantCode(t, err, shieldwall.EFORBIDDEN)
			unchanged(t, st, before)
		})
		t.Run("OK", func(t *testing.T) {
			before := countRows(t, st)
			people := []accounts.ImportPerson{
				person("a@example.com", "Finance"), person("b@example.com", "hr"), person("c@example.com", "Legal"),
				person("d@example.com", "Finance"), person("e@example.com", "HR"),
			}
			// Passwords are hashed concurrently: more than the two at a time.
			people[0].Password = password
			people[2].Password = password + "!"
			people[4].Password = password + "?"
			if err := svc.Import(ctx, cli, deps(), people); err != nil {
				t.Fatalf("Import() = %v", err)
			}
			after := countRows(t, st)
			want := counts{before.departments + 2, before.users + 5, before.audit + 7}
			if after != want {
				t.Errorf("rows = %+v; want %+v", after, want)
			}
			for i, p := range people {
				u, err := st.FindUserByEmail(ctx, p.Email)
				if err != nil {
					t.Errorf("FindUserByEmail(%s) = %v", p.Email, err)
					continue
				}
				if u.HasPassword != (p.Password != "") {
					t.Errorf("person %d HasPassword = %v; want %v", i+1, u.HasPassword, p.Password != "")
				}
			}
			if _, err := svc.SignIn(ctx, "e@example.com", password+"?", "192.0.2.1"); err != nil {
				t.Errorf("SignIn(imported person) = %v; want nil", err)
			}
		})
	})
}

func TestListAudit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := accounts.New(st)
		mustDepartment(t, svc, "Finance")
		for role, want := range map[shieldwall.Role]string{
			shieldwall.RoleAdmin:    "",
			shieldwall.RoleAuditor:  "",
			shieldwall.RoleSecurity: shieldwall.EFORBIDDEN,
			shieldwall.RoleChampion: shieldwall.EFORBIDDEN,
			shieldwall.RoleMember:   shieldwall.EFORBIDDEN,
			"":                      shieldwall.EUNAUTHORIZED,
		} {
			actor := shieldwall.Actor{UserID: "someone", Role: role}
			if role == "" {
				actor = shieldwall.Actor{}
			}
			evs, total, err := svc.ListAudit(ctx, actor, shieldwall.AuditFilter{})
			if got := shieldwall.ErrorCode(err); got != want {
				t.Errorf("ListAudit(as %q) = %v; want code %q", role, err, want)
			}
			if want == "" && (total != 1 || len(evs) != 1) {
				t.Errorf("ListAudit(as %q) = %d events of %d; want 1 of 1", role, len(evs), total)
			}
			if want != "" && len(evs) != 0 {
				t.Errorf("ListAudit(as %q) returned %d events with an error", role, len(evs))
			}
		}
	})
}
