package govern

import (
	"slices"

	"github.com/shieldwall/shieldwall"
)

// SignoffAnswers are the questionnaire answers the sign-off rules read.
type SignoffAnswers struct {
	Data         []string // personal-data, employee-data, payment-data, customer-data, confidential-ip
	Cost         int64    // yearly
	Integrations bool
	SSO          bool
	NewContract  bool
}

// RequiredSignoffs computes who must sign off a review from its answers:
// always Security; Legal for personal or customer data or a new contract;
// HR for employee data; Finance for payment data or a yearly cost above
// financeCost; IT for integrations or single sign-on. The order is fixed.
func RequiredSignoffs(a SignoffAnswers, financeCost int64) []string {
	has := func(d string) bool { return slices.Contains(a.Data, d) }
	out := []string{shieldwall.DutySecurity}
	if has(shieldwall.DataPersonal) || has(shieldwall.DataCustomer) || a.NewContract {
		out = append(out, shieldwall.DutyLegal)
	}
	if has(shieldwall.DataEmployee) {
		out = append(out, shieldwall.DutyHR)
	}
	if has(shieldwall.DataPayment) || a.Cost > financeCost {
		out = append(out, shieldwall.DutyFinance)
	}
	if a.Integrations || a.SSO {
		out = append(out, shieldwall.DutyIT)
	}
	return out
}

// Outcome is a review's overall result from its sign-offs: rejected as
// soon as one rejects; otherwise pending until all have decided; then
// approved with conditions if any set conditions, else approved.
func Outcome(signoffs []shieldwall.ReviewSignoff) string {
	pending, conditions := false, false
	for _, so := range signoffs {
		switch so.Decision {
		case shieldwall.DecisionReject:
			return shieldwall.ReviewRejected
		case shieldwall.DecisionApproveWithConditions:
			conditions = true
		case "":
			pending = true
		}
	}
	switch {
	case pending || len(signoffs) == 0:
		return shieldwall.ReviewPending
	case conditions:
		return shieldwall.ReviewApprovedWithConditions
	}
	return shieldwall.ReviewApproved
}

// DutyDepartments names the department that speaks for each duty, matched
// to the organisation's departments by name, case-insensitively.
var DutyDepartments = map[string]string{
	shieldwall.DutySecurity: "Security",
	shieldwall.DutyLegal:    "Legal",
	shieldwall.DutyHR:       "HR",
	shieldwall.DutyFinance:  "Finance",
	shieldwall.DutyIT:       "IT",
}
