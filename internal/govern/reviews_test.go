package govern_test

import (
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestProjectReviews(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := newOrg(t, st)
		ctx := t.Context()
		p, err := o.gv.RequestReview(ctx, o.financeMember, shieldwall.ProjectReviewInput{Title: "Expense tool", Vendor: "Spendly", Cost: 4000,
			Data: []string{"payment-data"}, SSO: true, AppName: "Spendly", Departments: []string{"finance"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(p.RequiredSignoff, ","); got != "security,finance,it" {
			t.Fatalf("required sign-offs %s; want security,finance,it", got)
		}
		_, err = o.gv.RequestReview(ctx, o.financeMember, shieldwall.ProjectReviewInput{Title: "x", Data: []string{"secrets"}})
		testdb.WantField(t, err, "data")

		// The Finance champion was told, and sees only Finance's sign-off.
		ns, _, _, _ := st.ListNotifications(ctx, o.financeChampion.UserID, shieldwall.NotificationFilter{})
		if len(ns) != 1 || ns[0].Kind != govern.NotifyReviewRequested || ns[0].Link != "/project-reviews/"+p.ID {
			t.Errorf("Finance champion's notifications = %+v; want the review request", ns)
		}
		v, err := o.gv.GetReview(ctx, o.financeChampion, p.ID)
		if err != nil || len(v.Signoffs) != 1 || v.Signoffs[0].Duty != "finance" {
			t.Fatalf("Finance champion's view = %+v, %v; want only the finance sign-off", v.Signoffs, err)
		}
		_, err = o.gv.GetReview(ctx, o.hrChampion, p.ID)
		testdb.WantCode(t, err, shieldwall.ENOTFOUND)
		_, err = o.gv.Decide(ctx, o.hrChampion, p.ID, shieldwall.ReviewDecisionInput{Decision: "approve"})
		testdb.WantCode(t, err, shieldwall.ENOTFOUND)
		_, err = o.gv.Decide(ctx, o.financeChampion, p.ID, shieldwall.ReviewDecisionInput{Decision: "approve-with-conditions"})
		testdb.WantField(t, err, "conditions")

		if _, err := o.gv.Decide(ctx, o.financeChampion, p.ID, shieldwall.ReviewDecisionInput{Decision: "approve-with-conditions", Conditions: "Card data stays with the card issuer"}); err != nil {
			t.Fatal(err)
		}
		if _, err := o.gv.Decide(ctx, o.security, p.ID, shieldwall.ReviewDecisionInput{Duty: "security", Decision: "approve"}); err != nil {
			t.Fatal(err)
		}
		p, err = o.gv.Decide(ctx, o.security, p.ID, shieldwall.ReviewDecisionInput{Duty: "it", Decision: "approve"})
		if err != nil || p.Status != shieldwall.ReviewApprovedWithConditions {
			t.Fatalf("status %q (%v); want approved-with-conditions", p.Status, err)
		}
		ns, _, _, _ = st.ListNotifications(ctx, o.financeMember.UserID, shieldwall.NotificationFilter{})
		if len(ns) != 1 || ns[0].Kind != govern.NotifyReviewDecided {
			t.Errorf("requester's notifications = %+v; want the result", ns)
		}
		apps, _ := o.gv.ListApps(ctx, o.financeMember, "approved")
		if len(apps) != 1 || apps[0].Name != "Spendly" || apps[0].ReviewID != p.ID {
			t.Errorf("catalogue = %+v; want Spendly approved by the review", apps)
		}
		_, err = o.gv.Decide(ctx, o.security, p.ID, shieldwall.ReviewDecisionInput{Duty: "security", Decision: "reject", Conditions: "late"})
		testdb.WantCode(t, err, shieldwall.ECONFLICT)

		mine, total, _ := o.gv.ListReviews(ctx, o.hrChampion, "", shieldwall.Page{})
		if total != 0 || len(mine) != 0 {
			t.Errorf("HR champion lists %d reviews; want none", total)
		}
	})
}

func TestAppDeclarations(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := newOrg(t, st)
		ctx := t.Context()
		_, err := o.gv.PutApp(ctx, o.security, shieldwall.App{Name: "WeTransfer", Status: "banned"})
		testdb.WantField(t, err, "reason")
		if _, err := o.gv.PutApp(ctx, o.security, shieldwall.App{Name: "WeTransfer", Status: "banned", Reason: "Links are public to anyone who has them.", Alternative: "OneDrive"}); err != nil {
			t.Fatal(err)
		}
		d, err := o.gv.Declare(ctx, o.financeMember, govern.DeclareInput{Name: "wetransfer"})
		if err != nil || d.Outcome != "banned" || !strings.Contains(d.Message, "OneDrive") {
			t.Errorf("declaring a banned app: %+v, %v; want the alternative", d, err)
		}
		d, err = o.gv.Declare(ctx, o.financeMember, govern.DeclareInput{Name: "Notion", Purpose: "team notes"})
		if err != nil || d.Outcome != "review-opened" || d.Review == nil || d.Review.AppName != "Notion" {
			t.Fatalf("declaring an unknown app: %+v, %v; want a light review", d, err)
		}
		if strings.Join(d.Review.RequiredSignoff, ",") != "security" {
			t.Errorf("light review sign-offs = %v; want security only", d.Review.RequiredSignoff)
		}
	})
}
