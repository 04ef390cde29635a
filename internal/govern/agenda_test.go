package govern_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestBuildAgenda(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	facts := govern.AgendaFacts{
		Risks: []store.AgendaRisk{
			{ID: "old", Title: "Old high risk", Score: 16, CreatedAt: day("2026-09-01")},
			{ID: "new", Title: "New high risk", Score: 20, CreatedAt: day("2026-11-10")},
			{ID: "later", Title: "Created after the meeting", Score: 25, CreatedAt: day("2026-12-05")},
			{ID: "acc", Title: "Accepted above appetite", Score: 12, Acceptance: "pending", CreatedAt: day("2026-08-01")},
		},
		Evidence: []shieldwall.Evidence{
			{ControlID: "c1", ControlTitle: "Backups", Title: "Restore test", ValidUntil: "2026-11-20"}, // expired by the meeting
			{ControlID: "c2", ControlTitle: "MFA", Title: "Report", ValidUntil: "2026-12-20"},           // within 30 days
			{ControlID: "c3", ControlTitle: "Training", Title: "Roster", ValidUntil: "2027-06-01"},      // far away
		},
		Reviews: []shieldwall.ProjectReview{{ID: "r1", Title: "New CRM", Status: "pending", CreatedAt: day("2026-11-15"),
			Signoffs: []shieldwall.ReviewSignoff{{Duty: "security", Decision: "approve"}, {Duty: "legal"}}}},
		ActionItems: []shieldwall.ActionItem{
			{ID: "a1", Title: "Rotate keys", Status: shieldwall.ActionOpen, DueOn: "2026-11-30", OwnerDepartmentName: "IT"},
			{ID: "a2", Title: "Not yet due", Status: shieldwall.ActionOpen, DueOn: "2026-12-31"},
			{ID: "a3", Title: "Warn on external mail", Status: shieldwall.ActionOpen, DueOn: "2027-01-31", CaseID: "k1"},
		},
		Cases: []shieldwall.Case{
			{ID: "k1", Title: "Payroll emailed outside", Severity: shieldwall.SEV2, Status: shieldwall.CaseRecovered, CreatedAt: day("2026-11-12")},
			{ID: "k2", Title: "Old phishing wave", Severity: shieldwall.SEV3, Status: shieldwall.CaseClosed, CreatedAt: day("2026-09-02")},
		},
	}
	for _, tc := range []struct {
		name   string
		window govern.AgendaWindow
		want   map[string][]string // section key → item titles
	}{
		{"SinceLastMeeting", govern.AgendaWindow{Since: day("2026-11-01"), Until: day("2026-12-01")}, map[string][]string{
			"incidents":           {"Payroll emailed outside"},
			"new-high-risks":      {"New high risk"},
			"pending-acceptances": {"Accepted above appetite"},
			"pending-reviews":     {"New CRM"},
			"overdue-actions":     {"Rotate keys"},
			"expiring-evidence":   {"Backups: Restore test", "MFA: Report"},
		}},
		{"EarlierMeeting", govern.AgendaWindow{Since: day("2026-08-15"), Until: day("2026-10-01")}, map[string][]string{
			"incidents":           {"Old phishing wave"},
			"new-high-risks":      {"Old high risk"},
			"pending-acceptances": {"Accepted above appetite"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string][]string{}
			for _, s := range govern.BuildAgenda(facts, tc.window) {
				for _, it := range s.Items {
					got[s.Key] = append(got[s.Key], it.Title)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("sections %v; want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if strings.Join(got[k], "|") != strings.Join(v, "|") {
					t.Errorf("section %s = %v; want %v", k, got[k], v)
				}
			}
		})
	}
}

func TestMeetings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := newOrg(t, st)
		ctx := t.Context()
		starts := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		risk, err := o.gv.CreateRisk(ctx, o.security, shieldwall.RiskInput{Title: ptr("Ransomware on file servers"), Category: ptr("ransomware"),
			OwnerDepartment: ptr("IT"), InherentLikelihood: ptr(4), InherentImpact: ptr(5)})
		if err != nil {
			t.Fatal(err)
		}

		_, err = o.gv.CreateMeeting(ctx, o.financeChampion, shieldwall.MeetingInput{Title: ptr("Committee"), StartsAt: &starts})
		testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
		if _, err := o.gv.AddMember(ctx, o.security, govern.MemberInput{UserID: o.financeChampion.UserID}); err != nil {
			t.Fatal(err)
		}
		_, err = o.gv.CreateMeeting(ctx, o.financeChampion, shieldwall.MeetingInput{Title: ptr("Committee"), StartsAt: &starts, DurationMinutes: ptr(0)})
		testdb.WantField(t, err, "duration_minutes")
		m, err := o.gv.CreateMeeting(ctx, o.financeChampion, shieldwall.MeetingInput{Title: ptr("Security committee, December"), StartsAt: &starts, DurationMinutes: ptr(90), Location: ptr("Room 4")})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Agenda) == 0 || m.Agenda[0].Key != "new-high-risks" || m.Agenda[0].Items[0].ObjectID != risk.ID {
			t.Fatalf("agenda = %+v; want the new ransomware risk first", m.Agenda)
		}
		d, err := o.gv.AddDecision(ctx, o.financeChampion, m.ID, shieldwall.Decision{Text: "Fund offline backups", ObjectType: "risk", ObjectID: risk.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = o.gv.AddDecision(ctx, o.financeChampion, m.ID, shieldwall.Decision{Text: "x", ObjectType: "risk", ObjectID: "nope"})
		testdb.WantField(t, err, "object_id")
		a, err := o.gv.AddActionItem(ctx, o.financeChampion, m.ID, govern.ActionInput{Title: "Buy backup appliance", OwnerDepartment: "IT", DueOn: "2027-01-31"})
		if err != nil {
			t.Fatal(err)
		}
		items, _, err := st.ListActionItems(ctx, shieldwall.ActionItemFilter{SourceType: "meeting", SourceID: m.ID})
		if err != nil || len(items) != 1 || items[0].ID != a.ID || items[0].OwnerDepartmentName != "IT" {
			t.Errorf("shared action list = %+v, %v; want the committee's item owned by IT", items, err)
		}
		reg, _ := o.gv.Decisions(ctx, o.auditor, "risk", risk.ID)
		if len(reg) != 1 || reg[0].ID != d.ID || reg[0].MeetingTitle != m.Title {
			t.Errorf("register for the risk = %+v; want the one decision", reg)
		}
		ics, err := o.gv.MeetingICS(ctx, o.auditor, m.ID, "https://shieldwall.example")
		if err != nil {
			t.Fatal(err)
		}
		s := string(ics)
		for _, want := range []string{"BEGIN:VEVENT\r\n", "UID:" + m.ID + "@shieldwall\r\n", "DTSTART:" + starts.Format("20060102T150405Z") + "\r\n", "LOCATION:Room 4\r\n"} {
			if !strings.Contains(s, want) {
				t.Errorf("ics lacks %q", want)
			}
		}
		m2, err := o.gv.UpdateMeeting(ctx, o.security, m.ID, shieldwall.MeetingInput{Location: ptr("Room 5"), Minutes: ptr("We agreed on backups.")})
		if err != nil || m2.Sequence != 1 || m2.Minutes != "We agreed on backups." {
			t.Errorf("after moving: sequence %d minutes %q (%v); want 1 and the minutes", m2.Sequence, m2.Minutes, err)
		}
		// The Finance champion scheduled it (so was not told of it) and is told of the minutes.
		ns, _, _, _ := st.ListNotifications(ctx, o.financeChampion.UserID, shieldwall.NotificationFilter{})
		if len(ns) != 1 || ns[0].Kind != govern.NotifyMeetingMinutes || ns[0].Link != "/committee/meetings/"+m.ID {
			t.Errorf("member's notifications = %+v; want the minutes", ns)
		}
	})
}
