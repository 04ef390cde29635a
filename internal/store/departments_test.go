package store_test

import (
	"slices"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestDepartments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		fin := mustCreateDepartment(t, s, "Finance")

		t.Run("FindByID", func(t *testing.T) {
			got, err := s.FindDepartment(ctx, fin.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != fin.ID || got.Name != "Finance" || got.Slug != "finance" || got.Description != "about Finance" {
				t.Errorf("FindDepartment(id) = %+v; want %+v", got, fin)
			}
			sameTime(t, "CreatedAt", got.CreatedAt, fin.CreatedAt)
			sameTime(t, "UpdatedAt", got.UpdatedAt, fin.UpdatedAt)
		})
		t.Run("FindBySlug", func(t *testing.T) {
			got, err := s.FindDepartment(ctx, "finance")
			if err != nil || got.ID != fin.ID {
				t.Errorf("FindDepartment(slug) = %q, %v; want %q", got.ID, err, fin.ID)
			}
		})
		t.Run("FindByNameAnyCase", func(t *testing.T) {
			got, err := s.FindDepartment(ctx, "FINANCE")
			if err != nil || got.ID != fin.ID {
				t.Errorf("FindDepartment(\"FINANCE\") = %q, %v; want %q", got.ID, err, fin.ID)
			}
		})
		t.Run("FindInTx", func(t *testing.T) {
			mustInTx(t, s, func(tx *store.Tx) error {
				got, err := tx.FindDepartment(ctx, "Finance")
				if err != nil || got.ID != fin.ID {
					t.Errorf("tx.FindDepartment() = %q, %v; want %q", got.ID, err, fin.ID)
				}
				return nil
			})
		})
		t.Run("SlugBeatsName", func(t *testing.T) {
			// A department named like another's slug: the slug wins, as the id would.
			other := mustCreateDepartment(t, s, "People Ops")
			tricky := shieldwall.Department{ID: store.NewID(), Name: "people-ops", Slug: "people-ops-2"}
			mustInTx(t, s, func(tx *store.Tx) error {
				tricky.CreatedAt, tricky.UpdatedAt = tx.Now, tx.Now
				return tx.CreateDepartment(ctx, &tricky)
			})
			got, err := s.FindDepartment(ctx, "people-ops")
			if err != nil || got.ID != other.ID {
				t.Errorf("FindDepartment(\"people-ops\") = %q (%s), %v; want %q (People Ops)", got.ID, got.Name, err, other.ID)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.FindDepartment(ctx, "no-such-department")
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("ErrDuplicateName", func(t *testing.T) {
			// The name is unique regardless of case, even with a different slug.
			d := shieldwall.Department{ID: store.NewID(), Name: "FINANCE", Slug: "finance-again"}
			err := s.InTx(ctx, func(tx *store.Tx) error {
				d.CreatedAt, d.UpdatedAt = tx.Now, tx.Now
				return tx.CreateDepartment(ctx, &d)
			})
			wantCode(t, err, shieldwall.ECONFLICT)
			wantField(t, err, "name")
		})
		t.Run("ErrDuplicateSlug", func(t *testing.T) {
			d := shieldwall.Department{ID: store.NewID(), Name: "Finance!", Slug: "finance"}
			err := s.InTx(ctx, func(tx *store.Tx) error {
				d.CreatedAt, d.UpdatedAt = tx.Now, tx.Now
				return tx.CreateDepartment(ctx, &d)
			})
			wantCode(t, err, shieldwall.ECONFLICT)
			wantField(t, err, "name")
		})
		t.Run("Update", func(t *testing.T) {
			d := mustCreateDepartment(t, s, "Legal")
			d.Name, d.Slug, d.Description = "Legal & Compliance", "legal-compliance", "contracts"
			mustInTx(t, s, func(tx *store.Tx) error {
				d.UpdatedAt = tx.Now
				return tx.UpdateDepartment(ctx, &d)
			})
			got, err := s.FindDepartment(ctx, "legal-compliance")
			if err != nil || got.ID != d.ID || got.Name != "Legal & Compliance" || got.Description != "contracts" {
				t.Errorf("FindDepartment() after update = %+v, %v; want %+v", got, err, d)
			}
		})
		t.Run("ErrUpdateDuplicateName", func(t *testing.T) {
			d := mustCreateDepartment(t, s, "Sales")
			d.Name, d.Slug = "finance", "finance-2"
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateDepartment(ctx, &d) })
			wantCode(t, err, shieldwall.ECONFLICT)
			wantField(t, err, "name")
		})
		t.Run("ErrUpdateNotFound", func(t *testing.T) {
			d := shieldwall.Department{ID: store.NewID(), Name: "Ghost", Slug: "ghost"}
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateDepartment(ctx, &d) })
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("Delete", func(t *testing.T) {
			d := mustCreateDepartment(t, s, "Temporary")
			mustInTx(t, s, func(tx *store.Tx) error { return tx.DeleteDepartment(ctx, d.ID) })
			_, err := s.FindDepartment(ctx, d.ID)
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("ErrDeleteNotFound", func(t *testing.T) {
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteDepartment(ctx, store.NewID()) })
			wantCode(t, err, shieldwall.ENOTFOUND)
		})
		t.Run("ErrDeleteWithPeople", func(t *testing.T) {
			d := mustCreateDepartment(t, s, "Occupied")
			mustCreateUser(t, s, d.ID, "someone@example.com", "Someone", shieldwall.RoleMember, "")
			err := s.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteDepartment(ctx, d.ID) })
			wantCode(t, err, shieldwall.ECONFLICT)
			if _, err := s.FindDepartment(ctx, d.ID); err != nil {
				t.Errorf("FindDepartment() after refused delete = %v; want it still there", err)
			}
		})
	})
}

func TestListDepartments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		// These names sort alike under byte order and the usual locale collations,
		// so the test holds on a PostgreSQL server created with any locale.
		names := []string{"Engineering", "Finance", "HR", "Marketing", "Sales", "Security", "Club 50%", "Club 500", "Ops_Z", "OpsAZ"}
		ids := map[string]string{}
		for _, n := range names {
			ids[n] = mustCreateDepartment(t, s, n).ID
		}
		// Member counts include active users only.
		mustCreateUser(t, s, ids["Security"], "a@example.com", "A", shieldwall.RoleSecurity, "")
		mustCreateUser(t, s, ids["Security"], "b@example.com", "B", shieldwall.RoleSecurity, "")
		gone := mustCreateUser(t, s, ids["Security"], "c@example.com", "C", shieldwall.RoleMember, "")
		gone.Active = false
		mustInTx(t, s, func(tx *store.Tx) error { return tx.UpdateUser(ctx, &gone) })

		sorted := slices.Clone(names)
		slices.Sort(sorted)

		tests := []struct {
			name      string
			filter    shieldwall.DepartmentFilter
			want      []string
			wantTotal int
		}{
			{"All", shieldwall.DepartmentFilter{}, sorted, len(names)},
			{"Limit", shieldwall.DepartmentFilter{Page: shieldwall.Page{Limit: 3}}, sorted[:3], len(names)},
			{"Offset", shieldwall.DepartmentFilter{Page: shieldwall.Page{Limit: 3, Offset: 3}}, sorted[3:6], len(names)},
			{"OffsetPastEnd", shieldwall.DepartmentFilter{Page: shieldwall.Page{Offset: 100}}, []string{}, len(names)},
			{"QueryAnyCase", shieldwall.DepartmentFilter{Query: "ING"}, []string{"Engineering", "Marketing"}, 2},
			{"QueryWithLimit", shieldwall.DepartmentFilter{Query: "s", Page: shieldwall.Page{Limit: 1}}, []string{"OpsAZ"}, 4},
			{"QueryPercentIsLiteral", shieldwall.DepartmentFilter{Query: "50%"}, []string{"Club 50%"}, 1},
			{"QueryUnderscoreIsLiteral", shieldwall.DepartmentFilter{Query: "s_z"}, []string{"Ops_Z"}, 1},
			{"QueryNoMatch", shieldwall.DepartmentFilter{Query: "nothing"}, []string{}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.ListDepartments(ctx, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				gotNames := []string{}
				for _, d := range got {
					gotNames = append(gotNames, d.Name)
				}
				if !slices.Equal(gotNames, tt.want) || total != tt.wantTotal {
					t.Errorf("ListDepartments(%+v) = %q, total %d; want %q, total %d", tt.filter, gotNames, total, tt.want, tt.wantTotal)
				}
			})
		}

		t.Run("MemberCount", func(t *testing.T) {
			got, _, err := s.ListDepartments(ctx, shieldwall.DepartmentFilter{Query: "Security"})
			if err != nil || len(got) != 1 {
				t.Fatalf("ListDepartments(Security) = %v, %v", got, err)
			}
			if got[0].MemberCount != 2 {
				t.Errorf("MemberCount = %d; want 2 (the inactive user does not count)", got[0].MemberCount)
			}
			d, err := s.FindDepartment(ctx, "security")
			if err != nil || d.MemberCount != 2 {
				t.Errorf("FindDepartment().MemberCount = %d, %v; want 2", d.MemberCount, err)
			}
		})
	})
}
