package govern_test

import (
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
)

func TestRequiredSignoffs(t *testing.T) {
	const threshold = 10000
	for _, tc := range []struct {
		name string
		in   govern.SignoffAnswers
		want string
	}{
		{"NothingTouched", govern.SignoffAnswers{}, "security"},
		{"PersonalData", govern.SignoffAnswers{Data: []string{"personal-data"}}, "security,legal"},
		{"CustomerData", govern.SignoffAnswers{Data: []string{"customer-data"}}, "security,legal"},
		{"NewContract", govern.SignoffAnswers{NewContract: true}, "security,legal"},
		{"EmployeeData", govern.SignoffAnswers{Data: []string{"employee-data"}}, "security,hr"},
		{"PaymentData", govern.SignoffAnswers{Data: []string{"payment-data"}}, "security,finance"},
		{"CostAtThreshold", govern.SignoffAnswers{Cost: threshold}, "security"},
		{"CostAboveThreshold", govern.SignoffAnswers{Cost: threshold + 1}, "security,finance"},
		{"Integrations", govern.SignoffAnswers{Integrations: true}, "security,it"},
		{"SSO", govern.SignoffAnswers{SSO: true}, "security,it"},
		{"ConfidentialIPOnly", govern.SignoffAnswers{Data: []string{"confidential-ip"}}, "security"},
		{"Everything", govern.SignoffAnswers{Data: shieldwall.DataKinds, Cost: 50000, Integrations: true, SSO: true, NewContract: true}, "security,legal,hr,finance,it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(govern.RequiredSignoffs(tc.in, threshold), ","); got != tc.want {
				t.Errorf("RequiredSignoffs(%+v) = %s; want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	so := func(decisions ...string) []shieldwall.ReviewSignoff {
		var out []shieldwall.ReviewSignoff
		for _, d := range decisions {
			out = append(out, shieldwall.ReviewSignoff{Decision: d})
		}
		return out
	}
	for _, tc := range []struct {
		in   []shieldwall.ReviewSignoff
		want string
	}{
		{so(), "pending"},
		{so(""), "pending"},
		{so("approve", ""), "pending"},
		{so("reject", ""), "rejected"},
		{so("approve", "approve"), "approved"},
		{so("approve", "approve-with-conditions"), "approved-with-conditions"},
		{so("approve-with-conditions", "reject"), "rejected"},
	} {
		if got := govern.Outcome(tc.in); got != tc.want {
			t.Errorf("Outcome(%+v) = %s; want %s", tc.in, got, tc.want)
		}
	}
}
