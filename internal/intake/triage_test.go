package intake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/intake"
)

func ptr[T any](v T) *T { return &v }

// TestTriage walks the triage queue as each role sees it: security sees
// everything, a champion their department, a member their own reports, and
// nobody learns that the others exist — not even from a count.
func TestTriage(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		user := func(email, name string, role shieldwall.Role, dept string) shieldwall.Actor {
			return actorOf(mustUser(t, e.acc, shieldwall.UserInput{Email: email, Name: name, Role: role, Department: dept}))
		}
		sec := user("sec@acmecorp.com", "Sec Analyst", shieldwall.RoleSecurity, "Security")
		champ := user("champ@acmecorp.com", "Cham Pion", shieldwall.RoleChampion, "Finance")
		fin := user("fin@acmecorp.com", "Fin Member", shieldwall.RoleMember, "Finance")
		fin2 := user("fin2@acmecorp.com", "Fin Two", shieldwall.RoleMember, "Finance")
		hr := user("hr@acmecorp.com", "Hr Member", shieldwall.RoleMember, "HR")
		submit := func(a shieldwall.Actor, kind shieldwall.ReportKind, title string) shieldwall.Report {
			t.Helper()
			r, err := e.intake.Submit(ctx, a, shieldwall.ReportInput{Kind: kind, Title: title}, shieldwall.SourcePortal, nil)
			if err != nil {
				t.Fatalf("Submit(%s): %v", title, err)
			}
			return r
		}
		finReport := submit(fin, shieldwall.KindPaymentFraud, "New bank details for our supplier")
		fin2Report := submit(fin2, shieldwall.KindPaymentFraud, "Same bank details request")
		hrReport := submit(hr, shieldwall.KindLostDevice, "Lost my phone on the train")
		anon, receipt, err := e.intake.SubmitAnonymous(ctx, "client", shieldwall.ReportInput{Kind: shieldwall.KindMistake, Title: "Clicked a link"}, nil)
		if err != nil {
			t.Fatal(err)
		}

		ids := func(rs []shieldwall.Report) map[string]bool {
			m := map[string]bool{}
			for _, r := range rs {
				m[r.ID] = true
			}
			return m
		}
		t.Run("ListScopes", func(t *testing.T) {
			tests := []struct {
				name  string
				actor shieldwall.Actor
				f     shieldwall.ReportFilter
				want  []string
			}{
				{"SecuritySeesAll", sec, shieldwall.ReportFilter{}, []string{finReport.ID, fin2Report.ID, hrReport.ID, anon.ID}},
				{"ChampionSeesDepartment", champ, shieldwall.ReportFilter{}, []string{finReport.ID, fin2Report.ID}},
				{"ChampionFilterOtherDepartment", champ, shieldwall.ReportFilter{DepartmentID: hr.DepartmentID}, nil},
				{"ChampionFilterKind", champ, shieldwall.ReportFilter{Kind: shieldwall.KindLostDevice}, nil},
				{"MemberSeesOwn", fin, shieldwall.ReportFilter{}, []string{finReport.ID}},
				{"MemberOtherDepartment", hr, shieldwall.ReportFilter{}, []string{hrReport.ID}},
				{"SecurityFilterKind", sec, shieldwall.ReportFilter{Kind: shieldwall.KindMistake}, []string{anon.ID}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					items, total, err := e.intake.List(ctx, tt.actor, tt.f)
					if err != nil {
						t.Fatal(err)
					}
					got := ids(items)
					if total != len(tt.want) || len(got) != len(tt.want) {
						t.Errorf("List() = %d reports, total %d; want %d (the total must not count hidden reports)", len(got), total, len(tt.want))
					}
					for _, id := range tt.want {
						if !got[id] {
							t.Errorf("List() lacks %s", id)
						}
					}
				})
			}
		})

		t.Run("GetScopes", func(t *testing.T) {
			tests := []struct {
				name  string
				actor shieldwall.Actor
				id    string
				ok    bool
			}{
				{"ChampionOwnDepartment", champ, fin2Report.ID, true},
				{"ErrChampionOtherDepartment", champ, hrReport.ID, false},
				{"ErrChampionAnonymous", champ, anon.ID, false},
				{"MemberOwn", fin, finReport.ID, true},
				{"ErrMemberColleague", fin, fin2Report.ID, false},
				{"SecurityAnonymous", sec, anon.ID, true},
				{"ErrNoSuchReport", sec, "no-such-report", false},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					r, err := e.intake.Get(ctx, tt.actor, tt.id)
					if tt.ok && (err != nil || r.ID != tt.id) {
						t.Errorf("Get() = %q, %v; want the report", r.ID, err)
					}
					if !tt.ok && (shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND || shieldwall.ErrorMessage(err) != "Report not found.") {
						t.Errorf("Get() = %v; want the same not-found as for a report that does not exist", err)
					}
				})
			}
		})

		t.Run("Triage", func(t *testing.T) {
			r, err := e.intake.Triage(ctx, champ, finReport.ID, intake.TriageUpdate{Status: shieldwall.StatusTriaging, AssigneeID: ptr(champ.UserID)})
			if err != nil || r.Status != shieldwall.StatusTriaging || r.AssigneeID != champ.UserID || r.AssigneeName != "Cham Pion" {
				t.Fatalf("Triage(status, assign) = %s, %q, %v; want triaging, assigned to the champion", r.Status, r.AssigneeID, err)
			}
			answer := "This was a fraud attempt; finance has blocked the change. Thank you."
			r, err = e.intake.Triage(ctx, champ, finReport.ID, intake.TriageUpdate{Status: shieldwall.StatusResolved, Resolution: ptr(answer)})
			if err != nil || r.Status != shieldwall.StatusResolved || r.Resolution != answer {
				t.Fatalf("Triage(resolve) = %s, %q, %v", r.Status, r.Resolution, err)
			}
			mine, err := e.intake.Get(ctx, fin, finReport.ID)
			if err != nil || mine.Resolution != answer {
				t.Errorf("the reporter sees %q, %v; want the answer", mine.Resolution, err)
			}

			r, err = e.intake.Triage(ctx, sec, fin2Report.ID, intake.TriageUpdate{DuplicateOf: ptr(finReport.ID)})
			if err != nil || r.DuplicateOf != finReport.ID || r.Status != shieldwall.StatusClosed {
				t.Errorf("Triage(duplicate) = %q, %s, %v; want merged and closed", r.DuplicateOf, r.Status, err)
			}

			errs := []struct {
				name  string
				actor shieldwall.Actor
				id    string
				in    intake.TriageUpdate
				code  string
			}{
				{"ErrChampionOtherDepartment", champ, hrReport.ID, intake.TriageUpdate{Status: shieldwall.StatusClosed}, shieldwall.ENOTFOUND},
				{"ErrMemberOwnReport", fin, finReport.ID, intake.TriageUpdate{Status: shieldwall.StatusClosed}, shieldwall.EFORBIDDEN},
				{"ErrBadStatus", sec, hrReport.ID, intake.TriageUpdate{Status: "done"}, shieldwall.EINVALID},
				{"ErrAssignMember", sec, hrReport.ID, intake.TriageUpdate{AssigneeID: ptr(hr.UserID)}, shieldwall.EINVALID},
				{"ErrAssignNobody", sec, hrReport.ID, intake.TriageUpdate{AssigneeID: ptr("no-such-user")}, shieldwall.EINVALID},
				{"ErrDuplicateSelf", sec, hrReport.ID, intake.TriageUpdate{DuplicateOf: ptr(hrReport.ID)}, shieldwall.EINVALID},
				{"ErrDuplicateHidden", champ, finReport.ID, intake.TriageUpdate{DuplicateOf: ptr(hrReport.ID)}, shieldwall.EINVALID},
			}
			for _, tt := range errs {
				t.Run(tt.name, func(t *testing.T) {
					if _, err := e.intake.Triage(ctx, tt.actor, tt.id, tt.in); shieldwall.ErrorCode(err) != tt.code {
						t.Errorf("Triage() = %v; want %s", err, tt.code)
					}
				})
			}
			if r, _ := e.intake.Get(ctx, sec, hrReport.ID); r.Status != shieldwall.StatusNew || r.AssigneeID != "" || r.DuplicateOf != "" {
				t.Errorf("refused changes changed the report: %s, %q, %q", r.Status, r.AssigneeID, r.DuplicateOf)
			}

			events, _, err := e.acc.ListAudit(ctx, cli, shieldwall.AuditFilter{ObjectType: "report", ObjectID: finReport.ID})
			if err != nil {
				t.Fatal(err)
			}
			var summaries []string
			for _, ev := range events {
				if ev.Action == "report.triage" {
					if ev.ActorID != champ.UserID {
						t.Errorf("triage event by %q; want the champion", ev.ActorID)
					}
					summaries = append(summaries, ev.Summary)
				}
			}
			all := strings.Join(summaries, " | ")
			for _, want := range []string{"status new → triaging", "assigned to champ@acmecorp.com", "status triaging → resolved", "answer to the reporter updated"} {
				if !strings.Contains(all, want) {
					t.Errorf("audit summaries %q lack %q", all, want)
				}
			}
			if events, _, _ := e.acc.ListAudit(ctx, cli, shieldwall.AuditFilter{ObjectType: "report", ObjectID: fin2Report.ID}); len(events) != 2 || !strings.Contains(events[0].Summary+events[1].Summary, "merged into "+finReport.ID) {
				t.Errorf("audit of the duplicate = %+v; want its creation and the merge", events)
			}
		})

		t.Run("ConversationWithAnonymousReporter", func(t *testing.T) {
			question := "Did you enter your password on the page?"
			r, err := e.intake.Reply(ctx, sec, anon.ID, question)
			if err != nil || r.Status != shieldwall.StatusTriaging || len(r.Messages) != 1 || r.Messages[0].Author != "security" {
				t.Fatalf("Reply() = %s, %+v, %v; want triaging with the question", r.Status, r.Messages, err)
			}
			v, err := e.intake.LookupAnonymous(ctx, "client", receipt)
			if err != nil || len(v.Messages) != 1 || v.Messages[0].Body != question || v.Messages[0].Author != "security" {
				t.Fatalf("LookupAnonymous() = %+v, %v; want the question", v.Messages, err)
			}
			answer := "No password was entered; nothing more to do. Thank you for telling us."
			if _, err := e.intake.Triage(ctx, sec, anon.ID, intake.TriageUpdate{Status: shieldwall.StatusResolved, Resolution: &answer}); err != nil {
				t.Fatal(err)
			}
			if v, _ := e.intake.LookupAnonymous(ctx, "client", receipt); v.Status != shieldwall.StatusResolved || v.Resolution != answer {
				t.Errorf("the receipt holder sees %s, %q; want resolved with the answer", v.Status, v.Resolution)
			}
			v, err = e.intake.MessageAnonymous(ctx, "client", receipt, "Actually I did type it in, sorry.")
			if err != nil || v.Status != shieldwall.StatusTriaging || len(v.Messages) != 2 || v.Messages[1].Author != "you" {
				t.Errorf("MessageAnonymous() = %s, %+v, %v; want the report reopened with the reply", v.Status, v.Messages, err)
			}
			if r, _ := e.intake.Get(ctx, sec, anon.ID); r.Status != shieldwall.StatusTriaging || r.Messages[1].Author != "reporter" || r.Messages[1].AuthorID != "" {
				t.Errorf("security sees %s, %+v; want the report reopened and the reply without an author id", r.Status, r.Messages)
			}
			if _, err := e.intake.Reply(ctx, champ, anon.ID, "hello"); shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
				t.Errorf("a champion replying to an anonymous report = %v; want not found", err)
			}
			if _, err := e.intake.MessageAnonymous(ctx, "client", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ", "hi"); shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
				t.Errorf("MessageAnonymous(wrong receipt) = %v; want not found", err)
			}
			events, _, _ := e.acc.ListAudit(ctx, cli, shieldwall.AuditFilter{ObjectType: "report", ObjectID: anon.ID})
			for _, ev := range events {
				if ev.Action == "report.message" && strings.Contains(ev.Summary, "anonymous") && (ev.ActorID != "" || ev.ActorLabel != "anonymous") {
					t.Errorf("audit of the anonymous reply = %+v; want no actor", ev)
				}
			}
		})

		t.Run("ReporterReplies", func(t *testing.T) {
			r, err := e.intake.Reply(ctx, hr, hrReport.ID, "It was a black phone with a blue case.")
			if err != nil || len(r.Messages) != 1 || r.Messages[0].Author != "reporter" || r.Messages[0].AuthorID != hr.UserID {
				t.Errorf("Reply by the reporter = %+v, %v; want a reporter message", r.Messages, err)
			}
			if _, err := e.intake.Reply(ctx, fin, hrReport.ID, "me too"); shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
				t.Errorf("Reply on someone else's report = %v; want not found", err)
			}
		})
	})
}
