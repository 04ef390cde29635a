package govern

import (
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
)

// TestChangedImpactWithdrawsSignoffs: raising one department's impact
// withdraws an acceptance even when the worst impact, and so the score,
// stays the same.
func TestChangedImpactWithdrawsSignoffs(t *testing.T) {
	now := time.Now()
	r := shieldwall.Risk{Treatment: shieldwall.TreatAccept, ResidualLikelihood: 4, ResidualImpact: 2,
		Impacts:       []shieldwall.RiskImpact{{DepartmentID: "hr", Score: 1, Statement: "a few records"}, {DepartmentID: "fin", Score: 5, Statement: "€250k"}},
		HeadSignoffBy: "head", HeadSignoffAt: &now, SecuritySignoffBy: "sec", SecuritySignoffAt: &now}
	settleAcceptance(&r, &r, 9)
	if r.Acceptance != shieldwall.AcceptanceApproved {
		t.Fatalf("signed off by both: %s; want approved", r.Acceptance)
	}
	before := r
	before.Impacts = append([]shieldwall.RiskImpact(nil), r.Impacts...)
	r.Impacts[0].Score = 4
	settleAcceptance(&r, &before, 9)
	if r.Score != before.Score {
		t.Fatalf("score moved from %d to %d; the test needs it unchanged", before.Score, r.Score)
	}
	if r.Acceptance != shieldwall.AcceptancePending || r.HeadSignoffAt != nil || r.SecuritySignoffAt != nil {
		t.Errorf("after HR's impact rose: %s, sign-offs %v %v; want pending and withdrawn", r.Acceptance, r.HeadSignoffAt, r.SecuritySignoffAt)
	}
}
