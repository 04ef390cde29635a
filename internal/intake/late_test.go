package intake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/intake"
)

func phish(reporter string) []byte {
	return []byte("From: Payroll <payroll@pay-roll-update.example>\r\nTo: " + reporter +
		"\r\nSubject: Update your salary account today\r\n\r\nDear colleague, confirm your bank details at http://pay-roll-update.example/form within 24 hours.\r\n")
}

// TestLateReportToDecidedCampaign checks that someone who reports an email
// after the security team decided its campaign is answered at once.
func TestLateReportToDecidedCampaign(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		first, err := e.intake.SubmitEmail(ctx, phish("a@example.com"), "a@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if first.CampaignID == "" {
			t.Fatal("first report joined no campaign")
		}
		if _, _, err := e.intake.DecideCampaign(ctx, cli, first.CampaignID, intake.CampaignDecision{Decision: "malicious"}); err != nil {
			t.Fatal(err)
		}
		late, err := e.intake.SubmitEmail(ctx, phish("b@example.com"), "b@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if late.CampaignID != first.CampaignID {
			t.Fatalf("late report campaign = %q; want %q", late.CampaignID, first.CampaignID)
		}
		if late.Status != shieldwall.StatusResolved || !strings.Contains(late.Resolution, "phishing") {
			t.Errorf("late report = %s %q; want resolved with the decision's answer", late.Status, late.Resolution)
		}
	})
}

// TestReporterReplyReopens checks that a reporter writing back on an
// answered report puts it back in front of the security team.
func TestReporterReplyReopens(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		u := mustUser(t, e.acc, shieldwall.UserInput{Email: "rita@example.com", Name: "Rita", Department: "Sales"})
		r, err := e.intake.Submit(ctx, actorOf(u), shieldwall.ReportInput{Kind: shieldwall.KindOther, Title: "Odd call from 'IT'"}, shieldwall.SourcePortal, nil)
		if err != nil {
			t.Fatal(err)
		}
		resolved := shieldwall.StatusResolved
		if _, err := e.intake.Triage(ctx, cli, r.ID, intake.TriageUpdate{Status: resolved}); err != nil {
			t.Fatal(err)
		}
		got, err := e.intake.Reply(ctx, actorOf(u), r.ID, "They called again today.")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != shieldwall.StatusTriaging {
			t.Errorf("status after the reporter's reply = %s; want triaging", got.Status)
		}
	})
}
