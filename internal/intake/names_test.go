package intake_test

import (
	"context"
	"testing"

	"github.com/shieldwall/shieldwall"
)

// TestSubmitEmail_ImpersonatedColleague checks that the people's names reach
// triage: mail from outside that borrows a colleague's name is flagged.
func TestSubmitEmail_ImpersonatedColleague(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		mustUser(t, e.acc, shieldwall.UserInput{Email: "grace.hansen@example.com", Name: "Grace Hansen", Department: "Finance"})
		raw := "From: Grace Hansen <grace.hansen.ceo@freemail.example>\r\n" +
			"To: ap@example.com\r\nSubject: Quick favour\r\n\r\nAre you at your desk? I need a payment made today.\r\n"
		r, err := e.intake.SubmitEmail(ctx, []byte(raw), "someone@example.com")
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, s := range r.Signals {
			found = found || s.Code == "display_name_impersonation"
		}
		if !found {
			t.Errorf("signals = %+v; want display_name_impersonation for a stranger named like a colleague", r.Signals)
		}
	})
}
