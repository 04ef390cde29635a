package store_test

import (
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestActionItems(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		it := mustCreateDepartment(t, s, "IT")
		hr := mustCreateDepartment(t, s, "HR")
		owner := mustCreateUser(t, s, hr.ID, "hr@example.org", "Hanna", shieldwall.RoleMember, "")
		items := []shieldwall.ActionItem{
			{Title: "Turn on MFA for mail", SourceType: shieldwall.ActionSourceReview, SourceID: "case-1", CaseID: "case-1", OwnerDepartmentID: it.ID, DueOn: "2026-12-01"},
			{Title: "Train new joiners", SourceType: shieldwall.ActionSourceMeeting, SourceID: "meeting-1", OwnerDepartmentID: hr.ID, OwnerUserID: owner.ID, DueOn: "2026-11-01"},
			{Title: "No date yet", SourceType: shieldwall.ActionSourceManual, OwnerDepartmentID: it.ID},
		}
		mustInTx(t, s, func(tx *store.Tx) error {
			for i := range items {
				if err := tx.AddActionItem(t.Context(), &items[i]); err != nil {
					return err
				}
			}
			return nil
		})

		all, total, err := s.ListActionItems(t.Context(), shieldwall.ActionItemFilter{})
		if err != nil || total != 3 || len(all) != 3 {
			t.Fatalf("list all: %d items, total %d, %v", len(all), total, err)
		}
		// Open items by due date, undated last.
		if all[0].Title != "Train new joiners" || all[1].Title != "Turn on MFA for mail" || all[2].Title != "No date yet" {
			t.Errorf("order: %q, %q, %q", all[0].Title, all[1].Title, all[2].Title)
		}
		if all[0].OwnerDepartmentName != "HR" || all[0].OwnerUserName != "Hanna" || all[1].CaseID != "case-1" {
			t.Errorf("joined names: %+v", all[0])
		}

		overdue, total, err := s.ListActionItems(t.Context(), shieldwall.ActionItemFilter{OverdueOn: "2026-11-27"})
		if err != nil || total != 1 || overdue[0].ID != items[1].ID {
			t.Fatalf("overdue: %+v, total %d, %v", overdue, total, err)
		}
		if !overdue[0].Overdue("2026-11-27") || overdue[0].Overdue("2026-10-01") {
			t.Error("Overdue disagrees with the store")
		}

		done := items[1]
		done.Status = shieldwall.ActionDone
		mustInTx(t, s, func(tx *store.Tx) error { return tx.UpdateActionItem(t.Context(), &done) })
		got, err := s.FindActionItem(t.Context(), done.ID)
		if err != nil || got.Status != shieldwall.ActionDone || got.DoneAt == nil {
			t.Fatalf("after done: %+v, %v", got, err)
		}
		if _, total, _ := s.ListActionItems(t.Context(), shieldwall.ActionItemFilter{Status: shieldwall.ActionOpen, DepartmentID: it.ID}); total != 2 {
			t.Errorf("open IT items: %d, want 2", total)
		}
		if _, total, _ := s.ListActionItems(t.Context(), shieldwall.ActionItemFilter{SourceType: shieldwall.ActionSourceMeeting, SourceID: "meeting-1"}); total != 1 {
			t.Errorf("meeting items: %d, want 1", total)
		}

		missing := shieldwall.ActionItem{ID: store.NewID(), Title: "x", OwnerDepartmentID: it.ID, Status: shieldwall.ActionOpen}
		err = s.InTx(t.Context(), func(tx *store.Tx) error { return tx.UpdateActionItem(t.Context(), &missing) })
		wantCode(t, err, shieldwall.ENOTFOUND)
	})
}
