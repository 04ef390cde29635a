package govern_test

import (
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestLevelOf(t *testing.T) {
	for _, tc := range []struct {
		score int
		want  string
	}{{1, "low"}, {4, "low"}, {5, "medium"}, {9, "medium"}, {10, "high"}, {16, "high"}, {20, "critical"}, {25, "critical"}} {
		if got := govern.LevelOf(tc.score); got != tc.want {
			t.Errorf("LevelOf(%d) = %q; want %q", tc.score, got, tc.want)
		}
	}
}

func TestScoreRollsUpTheWorstDepartment(t *testing.T) {
	r := shieldwall.Risk{ResidualLikelihood: 3, ResidualImpact: 2}
	govern.Score(&r)
	if r.Score != 6 || r.Level != "medium" {
		t.Errorf("without impacts: score %d level %s; want 6 medium", r.Score, r.Level)
	}
	r.Impacts = []shieldwall.RiskImpact{{DepartmentID: "a", Score: 1}, {DepartmentID: "b", Score: 5}, {DepartmentID: "c", Score: 2}}
	govern.Score(&r)
	if r.Score != 15 || r.Level != "high" {
		t.Errorf("with impacts 1, 5, 2: score %d level %s; want 15 high", r.Score, r.Level)
	}
	if s, ok := govern.DepartmentScore(r, "c"); !ok || s != 6 {
		t.Errorf("DepartmentScore(c) = %d, %v; want 6, true", s, ok)
	}
	if _, ok := govern.DepartmentScore(r, "z"); ok {
		t.Errorf("DepartmentScore(z) found an impact that does not exist")
	}
}

func TestHeatMapSlices(t *testing.T) {
	risks := []shieldwall.Risk{
		{ID: "1", OwnerDepartmentID: "it", ResidualLikelihood: 4, ResidualImpact: 2, Impacts: []shieldwall.RiskImpact{{DepartmentID: "fin", Score: 5}, {DepartmentID: "hr", Score: 1}}},
		{ID: "2", OwnerDepartmentID: "fin", ResidualLikelihood: 1, ResidualImpact: 3},
		{ID: "3", OwnerDepartmentID: "it", ResidualLikelihood: 2, ResidualImpact: 2},
	}
	all := govern.HeatMap(risks, "")
	// Row 0 is impact 5; column 3 is likelihood 4.
	if all[0][3].Count != 1 || all[2][0].Count != 1 || all[3][1].Count != 1 {
		t.Errorf("whole register misplaced: %+v", all)
	}
	hr := govern.HeatMap(risks, "hr")
	total := 0
	for _, row := range hr {
		for _, c := range row {
			total += c.Count
		}
	}
	if total != 1 || hr[4][3].Count != 1 {
		t.Errorf("HR slice: %d risks, cell(impact 1, likelihood 4) = %d; want 1 and 1 (HR's own impact)", total, hr[4][3].Count)
	}
}

func TestRisks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := newOrg(t, st)
		ctx := t.Context()

		t.Run("DraftsImpactsFromTheTaxonomy", func(t *testing.T) {
			r, err := o.gv.CreateRisk(ctx, o.security, shieldwall.RiskInput{
				Title: ptr("Supplier bank details changed by email"), Category: ptr("payment-fraud"), OwnerDepartment: ptr("finance"),
				InherentLikelihood: ptr(4), InherentImpact: ptr(4), Concerns: []string{"employee-data"},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, im := range r.Impacts {
				got[im.DepartmentName] = im.Concern
			}
			// payment-fraud: fraud-loss → Finance, regulatory → Legal; plus employee-data → HR.
			want := map[string]string{"Finance": "fraud-loss", "Legal": "regulatory", "HR": "employee-data"}
			if len(got) != len(want) {
				t.Fatalf("impacts %v; want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("impact of %s = %q; want %q", k, got[k], v)
				}
			}
			if r.ResidualLikelihood != 4 || r.ResidualImpact != 4 || r.Score != 16 {
				t.Errorf("residual %d×%d score %d; want 4×4 = 16 (defaults to inherent)", r.ResidualLikelihood, r.ResidualImpact, r.Score)
			}
		})

		t.Run("ErrLikelihoodOutOfRange", func(t *testing.T) {
			_, err := o.gv.CreateRisk(ctx, o.security, shieldwall.RiskInput{Title: ptr("x"), OwnerDepartment: ptr("IT"), InherentLikelihood: ptr(7), InherentImpact: ptr(2)})
			testdb.WantCode(t, err, shieldwall.EINVALID)
			testdb.WantField(t, err, "inherent_likelihood")
			_, total, _ := st.ListRisks(ctx, shieldwall.RiskFilter{Query: "x"})
			if total != 0 {
				t.Errorf("a refused risk was stored")
			}
		})

		t.Run("ErrChampionForAnotherDepartment", func(t *testing.T) {
			_, err := o.gv.CreateRisk(ctx, o.financeChampion, shieldwall.RiskInput{Title: ptr("HR thing"), OwnerDepartment: ptr("HR"), InherentLikelihood: ptr(2), InherentImpact: ptr(2)})
			testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
		})

		t.Run("DepartmentsSeeTheirSlice", func(t *testing.T) {
			it, err := o.gv.CreateRisk(ctx, o.security, shieldwall.RiskInput{Title: ptr("Laptop fleet unpatched"), Category: ptr("other"), OwnerDepartment: ptr("IT"), InherentLikelihood: ptr(3), InherentImpact: ptr(3)})
			if err != nil {
				t.Fatal(err)
			}
			l, err := o.gv.ListRisks(ctx, o.financeMember, shieldwall.RiskFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range l.Items {
				if r.ID == it.ID {
					t.Errorf("Finance sees IT's risk that does not touch Finance")
				}
			}
			if l.Total == 0 || l.DepartmentID != o.dept["Finance"].ID {
				t.Errorf("Finance's slice: %d risks, department %q", l.Total, l.DepartmentID)
			}
			_, err = o.gv.GetRisk(ctx, o.financeMember, it.ID)
			testdb.WantCode(t, err, shieldwall.ENOTFOUND)
			all, err := o.gv.ListRisks(ctx, o.auditor, shieldwall.RiskFilter{})
			if err != nil || all.Total != 2 {
				t.Errorf("auditor sees %d risks (%v); want the whole register of 2", all.Total, err)
			}
		})

		t.Run("ChampionWritesOwnImpactOnly", func(t *testing.T) {
			l, _ := o.gv.ListRisks(ctx, o.security, shieldwall.RiskFilter{Query: "bank details"})
			id := l.Items[0].ID
			r, err := o.gv.PutImpact(ctx, o.hrChampion, id, shieldwall.RiskImpactInput{Statement: "Payroll data of 1,200 employees exposed", Score: 5})
			if err != nil {
				t.Fatal(err)
			}
			if r.Score != 20 {
				t.Errorf("score after HR's impact 5: %d; want 4×5 = 20", r.Score)
			}
			_, err = o.gv.PutImpact(ctx, o.hrChampion, id, shieldwall.RiskImpactInput{Department: "Finance", Statement: "x", Score: 1})
			testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
			_, err = o.gv.PutImpact(ctx, o.financeChampion, id, shieldwall.RiskImpactInput{Statement: "x", Score: 0})
			testdb.WantField(t, err, "score")
		})

		t.Run("AcceptanceAboveAppetiteNeedsHeadAndSecurity", func(t *testing.T) {
			l, _ := o.gv.ListRisks(ctx, o.security, shieldwall.RiskFilter{Query: "bank details"})
			id := l.Items[0].ID
			r, err := o.gv.UpdateRisk(ctx, o.financeChampion, id, shieldwall.RiskInput{Treatment: ptr("accept")})
			if err != nil {
				t.Fatal(err)
			}
			if r.Acceptance != shieldwall.AcceptancePending {
				t.Fatalf("acceptance = %q; want pending (score %d > appetite %d)", r.Acceptance, r.Score, govern.DefaultRiskAppetite)
			}
			_, err = o.gv.SignOffAcceptance(ctx, o.hrChampion, id)
			testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
			if r, err = o.gv.SignOffAcceptance(ctx, o.financeChampion, id); err != nil || r.Acceptance != shieldwall.AcceptancePending || r.HeadSignoffAt == nil {
				t.Fatalf("after the head: %q, %v", r.Acceptance, err)
			}
			if r, err = o.gv.SignOffAcceptance(ctx, o.security, id); err != nil || r.Acceptance != shieldwall.AcceptanceApproved {
				t.Fatalf("after security: %q, %v; want approved", r.Acceptance, err)
			}
			// Raising the likelihood changes what was accepted: the sign-offs go.
			if r, err = o.gv.UpdateRisk(ctx, o.security, id, shieldwall.RiskInput{ResidualLikelihood: ptr(5)}); err != nil || r.Acceptance != shieldwall.AcceptancePending || r.HeadSignoffAt != nil {
				t.Errorf("after re-scoring: %q head %v (%v); want pending with no sign-off", r.Acceptance, r.HeadSignoffAt, err)
			}
			evs, _, err := o.acc.ListAudit(ctx, cli, shieldwall.AuditFilter{ObjectType: "risk", ObjectID: id})
			if err != nil {
				t.Fatal(err)
			}
			accepts := 0
			for _, ev := range evs {
				if ev.Action == "risk.accept" {
					accepts++
				}
			}
			if accepts != 2 {
				t.Errorf("%d risk.accept audit events; want 2", accepts)
			}
		})
	})
}

func TestSettings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := newOrg(t, st)
		ctx := t.Context()
		_, err := o.gv.SetSettings(ctx, o.security, govern.Settings{RiskAppetite: 12, FinanceReviewCost: 500})
		testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
		_, err = o.gv.SetSettings(ctx, o.admin, govern.Settings{RiskAppetite: 26})
		testdb.WantField(t, err, "risk_appetite")
		if _, err := o.gv.SetSettings(ctx, o.admin, govern.Settings{RiskAppetite: 16, FinanceReviewCost: 500}); err != nil {
			t.Fatal(err)
		}
		r, err := o.gv.CreateRisk(ctx, o.security, shieldwall.RiskInput{Title: ptr("Accepted at 16"), OwnerDepartment: ptr("IT"), InherentLikelihood: ptr(4), InherentImpact: ptr(4), Treatment: ptr("accept")})
		if err != nil || r.Acceptance != shieldwall.AcceptanceNone {
			t.Errorf("acceptance at 16 with appetite 16 = %q (%v); want none needed", r.Acceptance, err)
		}
		p, err := o.gv.RequestReview(ctx, o.financeMember, shieldwall.ProjectReviewInput{Title: "Cheap tool", Cost: 600})
		if err != nil || strings.Join(p.RequiredSignoff, ",") != "security,finance" {
			t.Errorf("sign-offs at cost 600 over 500 = %v (%v); want security,finance", p.RequiredSignoff, err)
		}
	})
}

func TestPatchImpacts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := newOrg(t, st)
		ctx := t.Context()
		r, err := o.gv.CreateRisk(ctx, o.financeChampion, shieldwall.RiskInput{Title: ptr("Invoice fraud"), OwnerDepartment: ptr("Finance"), InherentLikelihood: ptr(3), InherentImpact: ptr(2),
			Impacts: []shieldwall.RiskImpactInput{{Statement: "Up to €40k lost per invoice", Score: 4}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Impacts) != 1 || r.Impacts[0].DepartmentName != "Finance" || r.Score != 12 {
			t.Fatalf("impacts %+v score %d; want Finance's 4 → 3×4 = 12", r.Impacts, r.Score)
		}
		_, err = o.gv.UpdateRisk(ctx, o.financeChampion, r.ID, shieldwall.RiskInput{Impacts: []shieldwall.RiskImpactInput{{Department: "Finance", Statement: "x", Score: 2}, {Department: "HR", Statement: "y", Score: 1}}})
		testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
		testdb.WantField(t, err, "impacts[1].department")
		got, _ := o.gv.GetRisk(ctx, o.security, r.ID)
		if got.Impacts[0].Score != 4 {
			t.Errorf("a refused PATCH changed Finance's impact to %d", got.Impacts[0].Score)
		}
		got, err = o.gv.UpdateRisk(ctx, o.security, r.ID, shieldwall.RiskInput{Impacts: []shieldwall.RiskImpactInput{{Department: "HR", Statement: "Payroll data", Score: 5}}})
		if err != nil || len(got.Impacts) != 2 || got.Score != 15 {
			t.Errorf("after HR's impact by security: %d impacts, score %d (%v); want 2 and 15", len(got.Impacts), got.Score, err)
		}
	})
}
