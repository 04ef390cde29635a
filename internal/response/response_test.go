package response_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/response"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

var cli = shieldwall.SystemActor("test")

// org is a small organisation over a real database: a security lead,
// Legal with a named privacy officer and legal counsel, HR and IT with
// champions who stand in, and an outsider.
type org struct {
	st       *store.Store
	acc      *accounts.Service
	svc      *response.Service
	now      time.Time
	security shieldwall.User
	privacy  shieldwall.User
	counsel  shieldwall.User
	backup   shieldwall.User
	hr       shieldwall.User
	it       shieldwall.User
	member   shieldwall.User
	admin    shieldwall.User
	auditor  shieldwall.User
}

func (o *org) clock() time.Time { return o.now }

func setup(t *testing.T, st *store.Store) *org {
	t.Helper()
	o := &org{st: st, acc: accounts.New(st), now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	// One clock for the store's transactions and the service's deadlines.
	st.Now = o.clock
	o.svc = response.New(st, response.Config{})
	user := func(email, name, dept string, role shieldwall.Role) shieldwall.User {
		u, err := o.acc.CreateUser(t.Context(), cli, shieldwall.UserInput{Email: email, Name: name, Department: dept, Role: role},
			accounts.CreateUserOptions{CreateDepartment: true})
		if err != nil {
			t.Fatalf("CreateUser(%s): %v", email, err)
		}
		return u
	}
	o.security = user("sec@example.org", "Sam Security", "Security", shieldwall.RoleSecurity)
	o.privacy = user("privacy@example.org", "Pia Privacy", "Legal", shieldwall.RoleMember)
	o.counsel = user("counsel@example.org", "Cal Counsel", "Legal", shieldwall.RoleMember)
	o.backup = user("backup@example.org", "Bea Backup", "Legal", shieldwall.RoleMember)
	o.hr = user("hr@example.org", "Hana HR", "HR", shieldwall.RoleChampion)
	o.it = user("it@example.org", "Ivo IT", "IT", shieldwall.RoleChampion)
	o.member = user("member@example.org", "Mo Member", "Sales", shieldwall.RoleMember)
	o.admin = user("admin@example.org", "Ada Admin", "IT", shieldwall.RoleAdmin)
	o.auditor = user("audit@example.org", "Aud Auditor", "Legal", shieldwall.RoleAuditor)
	// Legal names its privacy officer (with a backup) and its counsel; HR
	// and IT name nobody, so their champions stand in.
	if _, err := o.svc.SetDuty(t.Context(), actorOf(o.security), "Legal", "privacy-officer", response.DutyInput{UserID: o.privacy.ID, BackupUserID: o.backup.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.SetDuty(t.Context(), actorOf(o.security), "legal", "legal-counsel", response.DutyInput{UserID: o.counsel.ID}); err != nil {
		t.Fatal(err)
	}
	return o
}

func actorOf(u shieldwall.User) shieldwall.Actor {
	return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}
}

func roleHolder(c shieldwall.Case, role string) string {
	for _, r := range c.Roles {
		if r.Role == role {
			return r.UserName
		}
	}
	return "(not engaged)"
}

func clock(c shieldwall.Case, id string) shieldwall.CaseClock {
	for _, k := range c.Clocks {
		if k.ID == id {
			return k
		}
	}
	return shieldwall.CaseClock{Status: "(absent)"}
}

func TestPersonalDataBreachWalk(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := setup(t, st)
		ctx := t.Context()
		sec := actorOf(o.security)

		// A report comes in first; the case is opened from it an hour later.
		report := shieldwall.Report{ID: store.NewID(), Kind: shieldwall.KindDataExposure, Title: "Sent the payroll file to a customer",
			Status: shieldwall.StatusNew, Source: shieldwall.SourcePortal, ReporterID: o.member.ID, DepartmentID: o.member.DepartmentID}
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			report.CreatedAt, report.UpdatedAt = tx.Now.Add(-time.Hour), tx.Now.Add(-time.Hour)
			return tx.CreateReport(ctx, &report)
		}); err != nil {
			t.Fatal(err)
		}

		c, err := o.svc.Create(ctx, sec, shieldwall.CaseInput{
			Title: "Payroll file emailed to a customer", Type: "personal-data-breach", Severity: shieldwall.SEV2,
			Summary:   "An HR officer emailed the payroll of 40 employees to a customer by mistake.",
			Affected:  []string{"personal-data"},
			ReportIDs: []string{report.ID},
		})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if c.Status != shieldwall.CaseTriage || c.Confidential || len(c.ReportIDs) != 1 || c.FirstReportAt == nil {
			t.Fatalf("created case: %+v", c)
		}
		// The right people are engaged: Legal's named holders, HR's champion
		// (the summary speaks of employees), IT's champion; SEV2 brings legal counsel.
		for role, want := range map[string]string{"privacy-officer": "Pia Privacy", "legal-counsel": "Cal Counsel", "hr-partner": "Hana HR", "it-containment": "Ivo IT"} {
			if got := roleHolder(c, role); got != want {
				t.Errorf("%s: held by %q, want %q", role, got, want)
			}
		}
		if got := roleHolder(c, "executive-sponsor"); got != "(not engaged)" {
			t.Errorf("SEV2 engaged the executive sponsor: %q", got)
		}
		gdpr := clock(c, "gdpr-33")
		if gdpr.Basis != "GDPR art. 33" || gdpr.Status != "running" || gdpr.DueAt == nil || !gdpr.DueAt.Equal(c.AwareAt.Add(72*time.Hour)) {
			t.Errorf("GDPR clock: %+v (aware %v)", gdpr, c.AwareAt)
		}
		if len(c.Tasks) == 0 || c.Tasks[0].DueAt.Before(c.CreatedAt) {
			t.Fatalf("tasks: %+v", c.Tasks)
		}

		// Each engaged person was told their role and first task.
		items, _, _, err := st.ListNotifications(ctx, o.privacy.ID, shieldwall.NotificationFilter{})
		if err != nil || len(items) != 1 || !strings.Contains(items[0].Title, "Privacy officer") || !strings.Contains(items[0].Body, "Your first task") {
			t.Fatalf("privacy officer's notifications: %+v, %v", items, err)
		}

		// The privacy officer, a plain member, sees the case as a participant and works on it.
		pia := actorOf(o.privacy)
		view, err := o.svc.Get(ctx, pia, c.ID)
		if err != nil || !view.You.Participant || !slices.Contains(view.You.Roles, "privacy-officer") || view.You.CanManage {
			t.Fatalf("privacy officer's view: %+v, %v", view.You, err)
		}
		if _, err := o.svc.Acknowledge(ctx, pia, c.ID); err != nil {
			t.Fatalf("Acknowledge: %v", err)
		}
		o.now = o.now.Add(30 * time.Hour)
		filed, err := o.svc.RecordEvent(ctx, pia, c.ID, response.EventInput{Event: "gdpr-33-notified", Reference: "DPA-2026-0042"})
		if err != nil {
			t.Fatalf("RecordEvent: %v", err)
		}
		if k := clock(filed, "gdpr-33"); k.Status != "satisfied" || k.Reference != "DPA-2026-0042" || k.FiledBy != "Pia Privacy" || k.Late {
			t.Errorf("GDPR clock after filing: %+v", k)
		}
		// The member may not change the classification.
		sev := shieldwall.SEV1
		_, err = o.svc.Patch(ctx, pia, c.ID, shieldwall.CasePatch{Severity: &sev})
		testdb.WantCode(t, err, shieldwall.EFORBIDDEN)

		// Raising the severity re-evaluates the playbook: the executive is engaged.
		up, err := o.svc.Patch(ctx, sec, c.ID, shieldwall.CasePatch{Severity: &sev})
		if err != nil || roleHolder(up, "executive-sponsor") == "(not engaged)" {
			t.Fatalf("after SEV1: %v, executive %q", err, roleHolder(up, "executive-sponsor"))
		}
		// Walk the lifecycle to recovered: the review opens.
		for _, st := range []shieldwall.CaseStatus{shieldwall.CaseInvestigating, shieldwall.CaseContained, shieldwall.CaseRecovered} {
			if _, err := o.svc.Patch(ctx, sec, c.ID, shieldwall.CasePatch{Status: &st}); err != nil {
				t.Fatalf("status %s: %v", st, err)
			}
		}
		if _, err := o.svc.SetTask(ctx, pia, c.ID, c.Tasks[0].ID, true); err != nil {
			t.Fatalf("SetTask: %v", err)
		}
		what := "The payroll was sent to the wrong customer contact."
		if _, err := o.svc.SaveReview(ctx, pia, c.ID, response.ReviewInput{WhatHappened: &what, Publish: true}); err != nil {
			t.Fatalf("SaveReview: %v", err)
		}
		item, err := o.svc.AddReviewAction(ctx, sec, c.ID, response.ActionItemInput{Title: "Warn before mailing outside with attachments", Department: "IT", DueOn: "2026-12-15"})
		if err != nil || item.OwnerDepartmentName != "IT" || item.CaseID != c.ID {
			t.Fatalf("AddReviewAction: %+v, %v", item, err)
		}
		// IT's champion closes IT's item; HR's may not.
		done := shieldwall.ActionDone
		_, err = o.svc.UpdateActionItem(ctx, actorOf(o.hr), item.ID, response.ActionItemPatch{Status: &done})
		testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
		if got, err := o.svc.UpdateActionItem(ctx, actorOf(o.it), item.ID, response.ActionItemPatch{Status: &done}); err != nil || got.Status != done {
			t.Fatalf("IT closes its item: %+v, %v", got, err)
		}
		closed := shieldwall.CaseClosed
		final, err := o.svc.Patch(ctx, sec, c.ID, shieldwall.CasePatch{Status: &closed})
		if err != nil || final.ClosedAt == nil || final.Measures.ToContainment == nil || final.Measures.ToClosure == nil || final.Measures.ReportToCase == nil {
			t.Fatalf("closed: %v, %+v", err, final.Measures)
		}
		if *final.Measures.ReportToCase < 3600 {
			t.Errorf("report to case: %d s, want at least an hour", *final.Measures.ReportToCase)
		}
		entries, total, err := o.svc.Timeline(ctx, sec, c.ID, shieldwall.Page{})
		if err != nil || total < 10 || entries[0].Body != "Status: recovered → closed." {
			t.Fatalf("timeline: %d entries, newest %+v, %v", total, entries[0], err)
		}
		if _, err := st.VerifyAudit(ctx); err != nil {
			t.Fatalf("audit chain: %v", err)
		}
	})
}

func TestConfidentialCaseIsNeedToKnow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := setup(t, st)
		ctx := t.Context()
		const marker = "MARKER-7f3a"
		c, err := o.svc.Create(ctx, actorOf(o.security), shieldwall.CaseInput{
			Title: "Insider copying client files " + marker, Type: "insider-threat", Severity: shieldwall.SEV2, Summary: marker,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !c.Confidential {
			t.Fatal("an insider-threat case must start confidential")
		}
		_, missing := o.svc.Get(ctx, actorOf(o.member), store.NewID())
		// IT's champion stands in for IT containment, so takes part; the others do not.
		if view, err := o.svc.Get(ctx, actorOf(o.it), c.ID); err != nil || !view.You.Participant {
			t.Errorf("the engaged IT champion: %v", err)
		}
		for _, u := range []shieldwall.User{o.member, o.admin, o.auditor} {
			a := actorOf(u)
			_, err := o.svc.Get(ctx, a, c.ID)
			if shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND || shieldwall.ErrorMessage(err) != shieldwall.ErrorMessage(missing) {
				t.Errorf("%s: Get answered %v; want exactly what a missing case answers (%v)", u.Name, err, missing)
			}
			if _, err := o.svc.Subscribe(ctx, a, c.ID); shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
				t.Errorf("%s: Subscribe answered %v", u.Name, err)
			}
			items, total, err := o.svc.List(ctx, a, shieldwall.CaseFilter{Query: marker})
			if err != nil || total != 0 || len(items) != 0 {
				t.Errorf("%s: search found %d (%v)", u.Name, total, err)
			}
		}
		// A participant sees it; removing them closes their live stream and hides it again.
		if _, err := o.svc.AddParticipant(ctx, actorOf(o.security), c.ID, o.member.ID); err != nil {
			t.Fatal(err)
		}
		sub, err := o.svc.Subscribe(ctx, actorOf(o.member), c.ID)
		if err != nil {
			t.Fatalf("participant Subscribe: %v", err)
		}
		if _, total, _ := o.svc.List(ctx, actorOf(o.member), shieldwall.CaseFilter{}); total != 1 {
			t.Errorf("participant lists %d cases, want 1", total)
		}
		if _, err := o.svc.AddEntry(ctx, actorOf(o.security), c.ID, "note", "checking badge logs"); err != nil {
			t.Fatal(err)
		}
		select {
		case e := <-sub.C:
			if e.Body != "checking badge logs" {
				t.Errorf("stream got %+v", e)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the note never reached the open stream")
		}
		if err := o.svc.RemoveParticipant(ctx, actorOf(o.security), c.ID, o.member.ID); err != nil {
			t.Fatal(err)
		}
		if open := <-drain(sub.C); open {
			t.Error("the removed participant's stream stayed open")
		}
		if _, err := o.svc.Get(ctx, actorOf(o.member), c.ID); shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
			t.Errorf("after removal: %v", err)
		}
		// Nor does any notification they can still open name it.
		if items, _, _, err := st.ListNotifications(ctx, o.member.ID, shieldwall.NotificationFilter{}); err != nil || len(items) != 0 {
			t.Errorf("the removed participant keeps %d notifications about the case (%v)", len(items), err)
		}
		// The audit log, which admins and auditors read, holds no content.
		events, _, err := st.ListAudit(ctx, shieldwall.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if strings.Contains(e.Summary, marker) {
				t.Errorf("audit event %s carries the marker: %q", e.Action, e.Summary)
			}
		}
	})
}

// drain reads what is buffered and reports through the returned channel
// whether the stream is still open.
func drain(c chan shieldwall.TimelineEntry) <-chan bool {
	out := make(chan bool, 1)
	go func() {
		for {
			select {
			case _, ok := <-c:
				if !ok {
					out <- false
					return
				}
			case <-time.After(2 * time.Second):
				out <- true
				return
			}
		}
	}()
	return out
}

func TestCreateValidation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := setup(t, st)
		ctx := context.Background()
		sec := actorOf(o.security)
		future := o.now.Add(time.Hour)
		for _, tc := range []struct {
			in    shieldwall.CaseInput
			field string
		}{
			{shieldwall.CaseInput{Type: "phishing"}, "title"},
			{shieldwall.CaseInput{Title: "x", Type: "nope"}, "type"},
			{shieldwall.CaseInput{Title: "x", Type: "phishing", Severity: "SEV9"}, "severity"},
			{shieldwall.CaseInput{Title: "x", Type: "phishing", Affected: []string{"the moon"}}, "affected"},
			{shieldwall.CaseInput{Title: "x", Type: "phishing", AwareAt: &future}, "aware_at"},
			{shieldwall.CaseInput{Title: "x", Type: "phishing", ReportIDs: []string{"no-such-report"}}, "report_ids"},
		} {
			_, err := o.svc.Create(ctx, sec, tc.in)
			testdb.WantField(t, err, tc.field)
		}
		_, err := o.svc.Create(ctx, actorOf(o.member), shieldwall.CaseInput{Title: "x", Type: "phishing"})
		testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
		if _, total, _ := o.svc.List(ctx, sec, shieldwall.CaseFilter{}); total != 0 {
			t.Errorf("refused input left %d cases behind", total)
		}
	})
}

func TestSweepEscalatesClocksAndTasksOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := setup(t, st)
		ctx := t.Context()
		c, err := o.svc.Create(ctx, actorOf(o.security), shieldwall.CaseInput{Title: "Laptop with customer data stolen", Type: "personal-data-breach",
			Severity: shieldwall.SEV3, Affected: []string{"personal-data"}})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := o.svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("fresh case: sweep sent %d, %v", n, err)
		}
		// Two hours on, the 1-hour tasks are due; sixty hours on, the GDPR clock is near its end.
		o.now = o.now.Add(2 * time.Hour)
		n, err := o.svc.Sweep(ctx)
		if err != nil || n == 0 {
			t.Fatalf("due tasks: sweep sent %d, %v", n, err)
		}
		if again, err := o.svc.Sweep(ctx); err != nil || again != 0 {
			t.Fatalf("second sweep sent %d more, %v", again, err)
		}
		o.now = o.now.Add(60 * time.Hour)
		if n, err = o.svc.Sweep(ctx); err != nil || n == 0 {
			t.Fatalf("clock due soon: sweep sent %d, %v", n, err)
		}
		items, _, _, err := st.ListNotifications(ctx, o.privacy.ID, shieldwall.NotificationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var clockAlert bool
		for _, it := range items {
			if it.Kind == shieldwall.NotifyClockEscalated && it.Urgency == shieldwall.UrgencyCritical && strings.Contains(it.Title, "GDPR art. 33") {
				clockAlert = true
			}
		}
		if !clockAlert {
			t.Errorf("the privacy officer (Legal's engaged role; counsel is not engaged at SEV3) got no critical clock alert: %+v", items)
		}
		entries, _, _ := o.svc.Timeline(ctx, actorOf(o.security), c.ID, shieldwall.Page{Limit: 5})
		if entries[0].Kind != shieldwall.TimelineEscalation {
			t.Errorf("newest timeline entry %+v; want the escalation", entries[0])
		}
		// Filing stops further clock escalation; overdue tasks were already told once.
		if _, err := o.svc.RecordEvent(ctx, actorOf(o.privacy), c.ID, response.EventInput{Event: "gdpr-33-notified", Reference: "X"}); err != nil {
			t.Fatal(err)
		}
		o.now = o.now.Add(24 * time.Hour)
		if n, err := o.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		} else {
			// Only tasks that fell due since (the 72 h ones) may be escalated now, never the filed clock.
			items, _, _, _ = st.ListNotifications(ctx, o.privacy.ID, shieldwall.NotificationFilter{})
			for _, it := range items {
				if it.Kind == shieldwall.NotifyClockEscalated && strings.Contains(it.Title, "overdue") {
					t.Errorf("a filed clock escalated as overdue (%d sent): %q", n, it.Title)
				}
			}
		}
	})
}

// TestReplicasShareTheLiveTimeline runs two replicas on one PostgreSQL
// database: an entry written on one reaches a stream open on the other, and
// removing a participant on one closes their stream on the other.
func TestReplicasShareTheLiveTimeline(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		if d != "postgres" {
			continue
		}
		t.Run(d, func(t *testing.T) {
			cfg := testdb.Config(t, d)
			stA, err := store.Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer stA.Close()
			if _, err := stA.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			stB, err := store.Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer stB.Close()
			o := setup(t, stA)
			replicaB := response.New(stB, response.Config{})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			listening := make(chan struct{})
			go replicaB.Listen(ctx, func() { close(listening) }, func(err error) { t.Errorf("listen: %v", err) })
			<-listening

			c, err := o.svc.Create(t.Context(), actorOf(o.security), shieldwall.CaseInput{Title: "Ransomware on a file server", Type: "ransomware", Severity: shieldwall.SEV1})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := o.svc.AddParticipant(t.Context(), actorOf(o.security), c.ID, o.member.ID); err != nil {
				t.Fatal(err)
			}
			sub, err := replicaB.Subscribe(t.Context(), actorOf(o.member), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := o.svc.AddEntry(t.Context(), actorOf(o.security), c.ID, "decision", "Isolate the file server."); err != nil {
				t.Fatal(err)
			}
			// Earlier entries (the member being added) may still be on their way: wait for this one.
			deadline := time.After(10 * time.Second)
			for got := false; !got; {
				select {
				case e := <-sub.C:
					got = e.Body == "Isolate the file server."
				case <-deadline:
					t.Fatal("the entry written on replica A never reached replica B's stream")
				}
			}
			if err := o.svc.RemoveParticipant(t.Context(), actorOf(o.security), c.ID, o.member.ID); err != nil {
				t.Fatal(err)
			}
			if open := <-drain(sub.C); open {
				t.Error("removing the participant on replica A left their stream on replica B open")
			}
		})
	}
}

// TestUnacknowledgedEngagementEscalates: a SEV1 case's critical message to
// the privacy officer, unacknowledged for 15 minutes, goes to her backup,
// and the step is written on the case timeline.
func TestUnacknowledgedEngagementEscalates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := setup(t, st)
		ctx := t.Context()
		c, err := o.svc.Create(ctx, actorOf(o.security), shieldwall.CaseInput{Title: "Customer database exposed", Type: "personal-data-breach",
			Severity: shieldwall.SEV1, Affected: []string{"personal-data"}})
		if err != nil {
			t.Fatal(err)
		}
		worker := notify.NewWorker(st, notify.WorkerConfig{Now: o.clock, OnEscalate: o.svc.OnEscalate, Log: slog.New(slog.DiscardHandler)})
		if n, err := worker.Escalate(ctx); err != nil || n != 0 {
			t.Fatalf("before the deadline: %d steps, %v", n, err)
		}
		o.now = o.now.Add(16 * time.Minute)
		if n, err := worker.Escalate(ctx); err != nil || n == 0 {
			t.Fatalf("after 16 minutes: %d steps, %v", n, err)
		}
		items, _, _, err := st.ListNotifications(ctx, o.backup.ID, shieldwall.NotificationFilter{})
		if err != nil || len(items) != 1 || items[0].Urgency != shieldwall.UrgencyCritical || !strings.Contains(items[0].Title, "Privacy officer") {
			t.Fatalf("the backup's notifications: %+v, %v", items, err)
		}
		entries, _, err := o.svc.Timeline(ctx, actorOf(o.security), c.ID, shieldwall.Page{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var recorded bool
		for _, e := range entries {
			if e.Kind == shieldwall.TimelineEscalation && strings.Contains(e.Body, "Bea Backup") {
				recorded = true
			}
		}
		if !recorded {
			t.Errorf("no escalation to Bea Backup on the timeline: %+v", entries)
		}
	})
}

// TestPlaybookSetsAcknowledgeTime: the ransomware playbook gives ten
// minutes, not the default fifteen, before the chain moves on.
func TestPlaybookSetsAcknowledgeTime(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := setup(t, st)
		if _, err := o.svc.Create(t.Context(), actorOf(o.security), shieldwall.CaseInput{Title: "File server encrypted", Type: "ransomware", Severity: shieldwall.SEV1}); err != nil {
			t.Fatal(err)
		}
		worker := notify.NewWorker(st, notify.WorkerConfig{Now: o.clock, OnEscalate: o.svc.OnEscalate, Log: slog.New(slog.DiscardHandler)})
		o.now = o.now.Add(9 * time.Minute)
		if n, err := worker.Escalate(t.Context()); err != nil || n != 0 {
			t.Fatalf("after 9 minutes: %d steps, %v", n, err)
		}
		o.now = o.now.Add(2 * time.Minute)
		if n, err := worker.Escalate(t.Context()); err != nil || n == 0 {
			t.Fatalf("after 11 minutes: %d steps, %v; want the chain to move on", n, err)
		}
	})
}

// TestActionItemRights: a department's member marks its review item done
// but re-plans nothing and leaves the committee's items to the committee.
func TestActionItemRights(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := setup(t, st)
		ctx := t.Context()
		legal := o.privacy.DepartmentID
		review := shieldwall.ActionItem{Title: "Check contracts", SourceType: shieldwall.ActionSourceReview, SourceID: "x", OwnerDepartmentID: legal, DueOn: "2027-01-01"}
		meeting := shieldwall.ActionItem{Title: "Budget for training", SourceType: shieldwall.ActionSourceMeeting, SourceID: "m", OwnerDepartmentID: legal, DueOn: "2027-01-01"}
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.AddActionItem(ctx, &review); err != nil {
				return err
			}
			return tx.AddActionItem(ctx, &meeting)
		}); err != nil {
			t.Fatal(err)
		}
		pia := actorOf(o.privacy)
		done, later := shieldwall.ActionDone, "2099-01-01"
		if _, err := o.svc.UpdateActionItem(ctx, pia, review.ID, response.ActionItemPatch{Status: &done}); err != nil {
			t.Errorf("a Legal member closing Legal's review item: %v", err)
		}
		_, err := o.svc.UpdateActionItem(ctx, pia, review.ID, response.ActionItemPatch{DueOn: &later})
		testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
		_, err = o.svc.UpdateActionItem(ctx, pia, meeting.ID, response.ActionItemPatch{Status: &done})
		testdb.WantCode(t, err, shieldwall.EFORBIDDEN)
		if _, err := o.svc.UpdateActionItem(ctx, actorOf(o.security), meeting.ID, response.ActionItemPatch{DueOn: &later}); err != nil {
			t.Errorf("security re-planning: %v", err)
		}
	})
}

// TestConfidentialMessagesCarryNoContent: messages about a confidential
// case name none of its content (they travel by email and webhook, and
// administrators read the delivery lists), and whoever an escalation
// reaches may open the case.
func TestConfidentialMessagesCarryNoContent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := setup(t, st)
		ctx := t.Context()
		const marker = "MARKER-q81"
		yes := true
		c, err := o.svc.Create(ctx, actorOf(o.security), shieldwall.CaseInput{Title: "Breach " + marker, Summary: marker, Type: "personal-data-breach",
			Severity: shieldwall.SEV1, Affected: []string{"personal-data"}, Confidential: &yes})
		if err != nil {
			t.Fatal(err)
		}
		worker := notify.NewWorker(st, notify.WorkerConfig{Now: o.clock, OnEscalate: o.svc.OnEscalate, Log: slog.New(slog.DiscardHandler)})
		o.now = o.now.Add(20 * time.Minute)
		if _, err := worker.Escalate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range []shieldwall.User{o.privacy, o.backup, o.counsel} {
			items, _, _, err := st.ListNotifications(ctx, u.ID, shieldwall.NotificationFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range items {
				if strings.Contains(n.Title+n.Body, marker) {
					t.Errorf("%s's notification carries the case's content: %q %q", u.Name, n.Title, n.Body)
				}
			}
		}
		// Bea, the privacy officer's backup, was reached by the escalation and may now open the case.
		if _, err := o.svc.Get(ctx, actorOf(o.backup), c.ID); err != nil {
			t.Errorf("the backup the escalation reached cannot open the case: %v", err)
		}
	})
}

// TestAdministratorMakingACaseConfidentialKeepsIt: the administrator who
// makes a case confidential becomes a participant, so the answer to their
// own change is the case, not "not found".
func TestAdministratorMakingACaseConfidentialKeepsIt(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		o := setup(t, st)
		c, err := o.svc.Create(t.Context(), actorOf(o.security), shieldwall.CaseInput{Title: "Odd logins", Type: "account-takeover"})
		if err != nil {
			t.Fatal(err)
		}
		yes := true
		got, err := o.svc.Patch(t.Context(), actorOf(o.admin), c.ID, shieldwall.CasePatch{Confidential: &yes})
		if err != nil || !got.Confidential || !got.You.Participant {
			t.Fatalf("admin made it confidential: %+v, %v", got.You, err)
		}
		if _, err := o.svc.Get(t.Context(), actorOf(o.auditor), c.ID); shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
			t.Errorf("the auditor still sees the now confidential case: %v", err)
		}
	})
}
