package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestNotifications checks that the changes people care about write their
// notifications in the same transaction, to the named person only.
func TestNotifications(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		user := func(email, name string, role shieldwall.Role) shieldwall.User {
			return mustUser(t, e.acc, shieldwall.UserInput{Email: email, Name: name, Role: role, Department: "Finance"})
		}
		sec := user("sec@example.com", "Sec Analyst", shieldwall.RoleSecurity)
		rita := user("rita@example.com", "Rita Reporter", shieldwall.RoleMember)
		other := user("otto@example.com", "Otto Other", shieldwall.RoleMember)
		inbox := func(t *testing.T, u shieldwall.User) ([]shieldwall.Notification, int) {
			t.Helper()
			items, total, unread, err := e.st.ListNotifications(ctx, u.ID, shieldwall.NotificationFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if total != len(items) {
				t.Errorf("ListNotifications() total = %d; want %d", total, len(items))
			}
			return items, unread
		}
		db := testdb.Raw(t, e.cfg)
		countAll := func(t *testing.T) int {
			t.Helper()
			var n int
			if err := db.QueryRow("SELECT COUNT(*) FROM notifications").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		submit := func(t *testing.T, title string) shieldwall.Report {
			t.Helper()
			r, err := e.intake.Submit(ctx, actorOf(rita), shieldwall.ReportInput{Kind: shieldwall.KindOther, Title: title}, shieldwall.SourcePortal, nil)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}

		t.Run("AnswerNotifiesReporterOnce", func(t *testing.T) {
			before := countAll(t)
			r := submit(t, "Strange call from the help desk")
			if _, err := e.intake.Triage(ctx, actorOf(sec), r.ID, intake.TriageUpdate{Status: shieldwall.StatusResolved, Resolution: ptr("It was a scam; we blocked the number.")}); err != nil {
				t.Fatal(err)
			}
			// Saving the same answer again changes nothing and tells nobody.
			if _, err := e.intake.Triage(ctx, actorOf(sec), r.ID, intake.TriageUpdate{Resolution: ptr("It was a scam; we blocked the number.")}); err != nil {
				t.Fatal(err)
			}
			if got := countAll(t) - before; got != 1 {
				t.Fatalf("notifications written = %d; want 1", got)
			}
			items, unread := inbox(t, rita)
			if len(items) != 1 || unread != 1 {
				t.Fatalf("rita's inbox = %d items, %d unread; want 1, 1", len(items), unread)
			}
			n := items[0]
			if n.Kind != shieldwall.NotifyReportAnswered || n.Urgency != shieldwall.UrgencyNormal || n.Link != "/reports/"+r.ID || n.ObjectID != r.ID || n.ReadAt != nil {
				t.Errorf("notification = %+v; want an unread, normal report.answered linking to the report", n)
			}
			if items, _ := inbox(t, other); len(items) != 0 {
				t.Errorf("otto's inbox = %d items; want 0", len(items))
			}
		})

		t.Run("FailedTriageWritesNothing", func(t *testing.T) {
			r := submit(t, "Unknown USB stick on my desk")
			before := countAll(t)
			for _, in := range []intake.TriageUpdate{
				{Status: "bogus", Resolution: ptr("An answer that must not be sent.")},
				{Resolution: ptr("An answer that must not be sent."), DuplicateOf: ptr("00000000-0000-0000-0000-000000000000")},
			} {
				if _, err := e.intake.Triage(ctx, actorOf(sec), r.ID, in); shieldwall.ErrorCode(err) != shieldwall.EINVALID {
					t.Fatalf("Triage(%+v) error = %v; want invalid", in, err)
				}
			}
			if got := countAll(t) - before; got != 0 {
				t.Errorf("notifications written by failed triage = %d; want 0", got)
			}
			got, err := e.intake.Get(ctx, actorOf(sec), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Resolution != "" {
				t.Errorf("resolution = %q; want none", got.Resolution)
			}
		})

		t.Run("Conversation", func(t *testing.T) {
			r := submit(t, "Invoice from a supplier we never used")
			if _, err := e.intake.Triage(ctx, actorOf(sec), r.ID, intake.TriageUpdate{AssigneeID: ptr(sec.ID)}); err != nil {
				t.Fatal(err)
			}
			before := countAll(t)
			if _, err := e.intake.Reply(ctx, actorOf(sec), r.ID, "Did you pay it?"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.intake.Reply(ctx, actorOf(rita), r.ID, "No, I did not."); err != nil {
				t.Fatal(err)
			}
			if got := countAll(t) - before; got != 2 {
				t.Fatalf("notifications written = %d; want 2 (one each way)", got)
			}
			items, _ := inbox(t, sec)
			if len(items) != 1 || items[0].Kind != shieldwall.NotifyReportMessage || !strings.Contains(items[0].Body, "Rita Reporter") {
				t.Errorf("assignee's inbox = %+v; want one report.message naming the reporter", items)
			}
		})

		t.Run("AnonymousNotifiesNobody", func(t *testing.T) {
			anon, _, err := e.intake.SubmitAnonymous(ctx, "client", shieldwall.ReportInput{Kind: shieldwall.KindMistake, Title: "Secret anonymous words"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			before := countAll(t)
			if _, err := e.intake.Triage(ctx, actorOf(sec), anon.ID, intake.TriageUpdate{AssigneeID: ptr(sec.ID), Resolution: ptr("Thanks, handled.")}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.intake.Reply(ctx, actorOf(sec), anon.ID, "Can you tell us more?"); err != nil {
				t.Fatal(err)
			}
			if got := countAll(t) - before; got != 0 {
				t.Errorf("notifications about an anonymous report = %d; want 0", got)
			}
			var n int
			if err := db.QueryRow("SELECT COUNT(*) FROM notifications WHERE title LIKE '%Secret anonymous%' OR body LIKE '%Secret anonymous%'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d notifications carry the anonymous report's words", n)
			}
		})
	})
}

// TestCampaignDecisionNotifies checks that deciding a campaign tells each
// named reporter once and nobody about anonymous or unknown senders' reports.
func TestCampaignDecisionNotifies(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := mustUser(t, e.acc, shieldwall.UserInput{Email: "a@example.com", Name: "Anna", Department: "Sales"})
		b := mustUser(t, e.acc, shieldwall.UserInput{Email: "b@example.com", Name: "Ben", Department: "Sales"})
		bystander := mustUser(t, e.acc, shieldwall.UserInput{Email: "c@example.com", Name: "Cleo", Department: "Sales"})
		var campaign string
		for _, from := range []string{"a@example.com", "b@example.com", "b@example.com", "stranger@elsewhere.example"} {
			r, err := e.intake.SubmitEmail(ctx, phish(from), from)
			if err != nil {
				t.Fatal(err)
			}
			if campaign == "" {
				campaign = r.CampaignID
			} else if r.CampaignID != campaign {
				t.Fatalf("report from %s campaign = %q; want %q", from, r.CampaignID, campaign)
			}
		}
		anon, _, err := e.intake.SubmitAnonymous(ctx, "client", shieldwall.ReportInput{Kind: shieldwall.KindPhishing, Title: "Payroll mail",
			Details: []byte(`{"pasted_email": ` + jsonString(string(phish("me@example.com"))) + `}`)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if anon.CampaignID != campaign {
			t.Fatalf("anonymous report campaign = %q; want %q", anon.CampaignID, campaign)
		}
		_, closed, err := e.intake.DecideCampaign(ctx, cli, campaign, intake.CampaignDecision{Decision: "malicious"})
		if err != nil {
			t.Fatal(err)
		}
		if closed != 5 {
			t.Errorf("reports resolved = %d; want 5", closed)
		}
		for _, tc := range []struct {
			u    shieldwall.User
			want int
		}{{a, 1}, {b, 1}, {bystander, 0}} {
			items, _, unread, err := e.st.ListNotifications(ctx, tc.u.ID, shieldwall.NotificationFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tc.want || unread != tc.want {
				t.Errorf("%s's notifications = %d (%d unread); want %d", tc.u.Name, len(items), unread, tc.want)
			}
			for _, n := range items {
				if n.Kind != shieldwall.NotifyCampaignDecided || n.ObjectID != campaign || !strings.Contains(n.Body, "phishing") {
					t.Errorf("notification = %+v; want campaign.decided saying it was phishing", n)
				}
			}
		}
		var total int
		if err := testdb.Raw(t, e.cfg).QueryRow("SELECT COUNT(*) FROM notifications").Scan(&total); err != nil {
			t.Fatal(err)
		}
		if total != 2 {
			t.Errorf("notifications in all = %d; want 2", total)
		}
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestChampionsHearOfNewReportsOnce: a department's champion is told of
// its colleagues' reports in one notification that counts them; an
// anonymous report tells nobody.
func TestChampionsHearOfNewReportsOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		champ := mustUser(t, e.acc, shieldwall.UserInput{Email: "champ@example.org", Name: "Cham Pion", Department: "Finance", Role: shieldwall.RoleChampion})
		alice := mustUser(t, e.acc, shieldwall.UserInput{Email: "alice@example.org", Name: "Alice", Department: "Finance"})
		for i := range 3 {
			if _, err := e.intake.Submit(ctx, actorOf(alice), shieldwall.ReportInput{Kind: shieldwall.KindOther, Title: fmt.Sprintf("Odd call %d", i)}, shieldwall.SourcePortal, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := e.intake.SubmitAnonymous(ctx, "client", shieldwall.ReportInput{Kind: shieldwall.KindMistake, Title: "I clicked"}, nil); err != nil {
			t.Fatal(err)
		}
		items, _, _, err := e.st.ListNotifications(ctx, champ.ID, shieldwall.NotificationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Kind != shieldwall.NotifyReportNew || items[0].More != 2 {
			t.Fatalf("champion's notifications: %+v; want one report.new counting 2 more", items)
		}
		if own, _, _, _ := e.st.ListNotifications(ctx, alice.ID, shieldwall.NotificationFilter{}); len(own) != 0 {
			t.Errorf("the reporter was told of her own reports: %+v", own)
		}
	})
}

// TestSecurityHearsOfAWaveOnce: three people forward the same phishing
// email; the security team gets one notification that counts the others.
func TestSecurityHearsOfAWaveOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		sec := mustUser(t, e.acc, shieldwall.UserInput{Email: "sec@example.org", Name: "Sec", Department: "Security", Role: shieldwall.RoleSecurity})
		for _, who := range []string{"a@example.org", "b@example.org", "c@example.org"} {
			mustUser(t, e.acc, shieldwall.UserInput{Email: who, Name: who, Department: "Sales"})
			if _, err := e.intake.SubmitEmail(t.Context(), phish(who), who); err != nil {
				t.Fatal(err)
			}
		}
		items, _, _, err := e.st.ListNotifications(t.Context(), sec.ID, shieldwall.NotificationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Kind != shieldwall.NotifyCampaignGrew || items[0].More != 2 {
			t.Fatalf("security's notifications: %+v; want one campaign.report counting 2 more", items)
		}
	})
}
