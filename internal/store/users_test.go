package store_test

import (
	"slices"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestUsers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		fin := mustCreateDepartment(t, s, "Finance")
		ada := mustCreateUser(t, s, fin.ID, "ada@example.com", "Ada Lovelace", shieldwall.RoleAdmin, "$argon2id$v=19$hash")

		t.Run("Find", func(t *testing.T) {
			got, err := s.FindUser(ctx, ada.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Email != "ada@example.com" || got.Name != "Ada Lovelace" || got.Role != shieldwall.RoleAdmin ||
				got.DepartmentID != fin.ID || got.DepartmentName != "Finance" || !got.Active || !got.HasPassword {
				t.Errorf("FindUser() = %+v; want Ada in Finance, active, with a password", got)
			}
			sameTime(t, "CreatedAt", got.CreatedAt, ada.CreatedAt)
		})
		t.Run("FindInTx", func(t *testing.T) {
			mustInTx(t, s, func(tx *store.Tx) error {
				got, err := tx.FindUser(ctx, ada.ID)
				if err != nil || got.ID != ada.ID {
					t.Errorf("tx.FindUser() = %q, %v; want %q", got.ID, err, ada.ID)
				}
				return nil
			})
		})
		t.Run("FindByEmailAnyCase", func(t *testing.T) {
			got, err := s.FindUserByEmail(ctx, "ADA@Example.COM")
			if err != nil || got.ID != ada.ID {
				t.Errorf("FindUserByEmail() = %q, %v; want %q", got.ID, err, ada.ID)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.FindUser(ctx, store.NewID())
			wantCode(t, err, shieldwall.ENOTFOUND)
			_, err = s.FindUserByEmail(ctx, "nobody@example.com")
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("ErrDuplicateEmail", func(t *testing.T) {
			u := shieldwall.User{ID: store.NewID(), Email: "ada@example.com", Name: "Other Ada", Role: shieldwall.RoleMember, DepartmentID: fin.ID, Active: true}
			err := s.InTx(ctx, func(tx *store.Tx) error {
				u.CreatedAt, u.UpdatedAt = tx.Now, tx.Now
				return tx.CreateUser(ctx, &u, "")
			})
			wantCode(t, err, shieldwall.ECONFLICT)
			wantField(t, err, "email")
		})
		t.Run("ErrUnknownDepartment", func(t *testing.T) {
			u := shieldwall.User{ID: store.NewID(), Email: "lost@example.com", Name: "Lost", Role: shieldwall.RoleMember, DepartmentID: store.NewID(), Active: true}
			err := s.InTx(ctx, func(tx *store.Tx) error {
				u.CreatedAt, u.UpdatedAt = tx.Now, tx.Now
				return tx.CreateUser(ctx, &u, "")
			})
			wantCode(t, err, shieldwall.EINVALID)
			wantField(t, err, "department")
		})
		t.Run("ErrUnknownRole", func(t *testing.T) {
			u := shieldwall.User{ID: store.NewID(), Email: "king@example.com", Name: "King", Role: "king", DepartmentID: fin.ID, Active: true}
			err := s.InTx(ctx, func(tx *store.Tx) error {
				u.CreatedAt, u.UpdatedAt = tx.Now, tx.Now
				return tx.CreateUser(ctx, &u, "")
			})
			if err == nil {
				t.Errorf("CreateUser(role king) = nil; want an error from the CHECK constraint")
			}
		})
		t.Run("Update", func(t *testing.T) {
			hr := mustCreateDepartment(t, s, "HR")
			u := mustCreateUser(t, s, fin.ID, "grace@example.com", "Grace", shieldwall.RoleMember, "")
			u.Name, u.Title, u.Role, u.DepartmentID, u.Active = "Grace Hopper", "Rear Admiral", shieldwall.RoleChampion, hr.ID, false
			mustInTx(t, s, func(tx *store.Tx) error {
				u.UpdatedAt = tx.Now
				return tx.UpdateUser(ctx, &u)
			})
			got, err := s.FindUser(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "Grace Hopper" || got.Title != "Rear Admiral" || got.Role != shieldwall.RoleChampion ||
				got.DepartmentID != hr.ID || got.DepartmentName != "HR" || got.Active {
				t.Errorf("FindUser() after update = %+v; want %+v", got, u)
			}
		})
		t.Run("ErrUpdateUnknownDepartment", func(t *testing.T) {
			u := ada
			u.DepartmentID = store.NewID()
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateUser(ctx, &u) })
			wantCode(t, err, shieldwall.EINVALID)
			wantField(t, err, "department")
		})
		t.Run("ErrUpdateNotFound", func(t *testing.T) {
			u := ada
			u.ID = store.NewID()
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateUser(ctx, &u) })
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("CountUsers", func(t *testing.T) {
			before, after := 0, 0
			mustInTx(t, s, func(tx *store.Tx) (err error) {
				before, err = tx.CountUsers(ctx)
				return err
			})
			mustCreateUser(t, s, fin.ID, "count@example.com", "Count", shieldwall.RoleMember, "")
			mustInTx(t, s, func(tx *store.Tx) (err error) {
				after, err = tx.CountUsers(ctx)
				return err
			})
			if after != before+1 {
				t.Errorf("CountUsers() = %d after one more user; want %d", after, before+1)
			}
		})
	})
}

func TestPasswordHash(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		d := mustCreateDepartment(t, s, "Finance")
		withPw := mustCreateUser(t, s, d.ID, "pw@example.com", "With", shieldwall.RoleMember, "hash-1")
		noPw := mustCreateUser(t, s, d.ID, "nopw@example.com", "Without", shieldwall.RoleMember, "")
		inactive := mustCreateUser(t, s, d.ID, "gone@example.com", "Gone", shieldwall.RoleMember, "hash-2")
		inactive.Active = false
		mustInTx(t, s, func(tx *store.Tx) error { return tx.UpdateUser(ctx, &inactive) })

		t.Run("OK", func(t *testing.T) {
			id, hash, err := s.PasswordHash(ctx, "PW@example.com")
			if err != nil || id != withPw.ID || hash != "hash-1" {
				t.Errorf("PasswordHash() = %q, %q, %v; want %q, \"hash-1\", nil", id, hash, err, withPw.ID)
			}
		})
		t.Run("ErrNoPassword", func(t *testing.T) {
			_, _, err := s.PasswordHash(ctx, "nopw@example.com")
			wantCode(t, err, shieldwall.ENOTFOUND)
			if u, _ := s.FindUser(ctx, noPw.ID); u.HasPassword {
				t.Errorf("HasPassword = true for a user without one; want false")
			}
		})
		t.Run("ErrInactive", func(t *testing.T) {
			_, _, err := s.PasswordHash(ctx, "gone@example.com")
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("ErrUnknownEmail", func(t *testing.T) {
			_, _, err := s.PasswordHash(ctx, "nobody@example.com")
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("SetAndRemove", func(t *testing.T) {
			mustInTx(t, s, func(tx *store.Tx) error { return tx.SetPasswordHash(ctx, noPw.ID, "hash-3") })
			if _, hash, err := s.PasswordHash(ctx, "nopw@example.com"); err != nil || hash != "hash-3" {
				t.Errorf("PasswordHash() after set = %q, %v; want \"hash-3\", nil", hash, err)
			}
			mustInTx(t, s, func(tx *store.Tx) error { return tx.SetPasswordHash(ctx, noPw.ID, "") })
			_, _, err := s.PasswordHash(ctx, "nopw@example.com")
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
	})
}

func TestListUsers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		fin := mustCreateDepartment(t, s, "Finance")
		sec := mustCreateDepartment(t, s, "Security")
		mustCreateUser(t, s, fin.ID, "alice@example.com", "Alice", shieldwall.RoleMember, "")
		mustCreateUser(t, s, fin.ID, "bob@corp.example", "Bob", shieldwall.RoleChampion, "")
		mustCreateUser(t, s, sec.ID, "carol@example.com", "Carol", shieldwall.RoleSecurity, "")
		mustCreateUser(t, s, sec.ID, "dave@example.com", "Dave", shieldwall.RoleSecurity, "")
		mustCreateUser(t, s, sec.ID, "erin_x@example.com", "Erin", shieldwall.RoleMember, "")

		tests := []struct {
			name      string
			filter    shieldwall.UserFilter
			want      []string
			wantTotal int
		}{
			{"All", shieldwall.UserFilter{}, []string{"Alice", "Bob", "Carol", "Dave", "Erin"}, 5},
			{"Department", shieldwall.UserFilter{DepartmentID: sec.ID}, []string{"Carol", "Dave", "Erin"}, 3},
			{"Role", shieldwall.UserFilter{Role: shieldwall.RoleSecurity}, []string{"Carol", "Dave"}, 2},
			{"DepartmentAndRole", shieldwall.UserFilter{DepartmentID: sec.ID, Role: shieldwall.RoleMember}, []string{"Erin"}, 1},
			{"QueryName", shieldwall.UserFilter{Query: "CAR"}, []string{"Carol"}, 1},
			{"QueryEmail", shieldwall.UserFilter{Query: "corp.EXAMPLE"}, []string{"Bob"}, 1},
			{"QueryUnderscoreIsLiteral", shieldwall.UserFilter{Query: "n_x"}, []string{"Erin"}, 1},
			{"QueryPercentIsLiteral", shieldwall.UserFilter{Query: "%"}, []string{}, 0},
			{"Limit", shieldwall.UserFilter{Page: shieldwall.Page{Limit: 2}}, []string{"Alice", "Bob"}, 5},
			{"Offset", shieldwall.UserFilter{Page: shieldwall.Page{Limit: 2, Offset: 2}}, []string{"Carol", "Dave"}, 5},
			{"FilterAndPage", shieldwall.UserFilter{DepartmentID: sec.ID, Page: shieldwall.Page{Limit: 1, Offset: 1}}, []string{"Dave"}, 3},
			{"NoMatch", shieldwall.UserFilter{Role: shieldwall.RoleAuditor}, []string{}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.ListUsers(ctx, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				names := []string{}
				for _, u := range got {
					names = append(names, u.Name)
				}
				if !slices.Equal(names, tt.want) || total != tt.wantTotal {
					t.Errorf("ListUsers(%+v) = %q, total %d; want %q, total %d", tt.filter, names, total, tt.want, tt.wantTotal)
				}
			})
		}
	})
}
