package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	resp "github.com/shieldwall/shieldwall/internal/response"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// responders is an organisation ready for an incident: the security team,
// Legal with a privacy officer and a counsel, HR's and IT's champions, and
// two people outside the case.
type responders struct {
	legal, it, sales                  shieldwall.Department
	sam, pia, cal, hana, ivo, mo, ada shieldwall.User
}

func newResponders(a *app) responders {
	var o responders
	a.mustDepartment("Security", "")
	o.legal = a.mustDepartment("Legal", "")
	a.mustDepartment("HR", "")
	o.it = a.mustDepartment("IT", "")
	o.sales = a.mustDepartment("Sales", "")
	o.sam = a.mustUser("sam@example.com", "Sam Secure", shieldwall.RoleSecurity, "Security", testPassword)
	o.pia = a.mustUser("pia@example.com", "Pia Privacy", shieldwall.RoleMember, "Legal", testPassword)
	o.cal = a.mustUser("cal@example.com", "Cal Counsel", shieldwall.RoleMember, "Legal", testPassword)
	o.hana = a.mustUser("hana@example.com", "Hana HR", shieldwall.RoleChampion, "HR", testPassword)
	o.ivo = a.mustUser("ivo@example.com", "Ivo IT", shieldwall.RoleChampion, "IT", testPassword)
	o.mo = a.mustUser("mo@example.com", "Mo Member", shieldwall.RoleMember, "Sales", testPassword)
	o.ada = a.mustUser("ada@example.com", "Ada Admin", shieldwall.RoleAdmin, "IT", testPassword)
	return o
}

var caseLocationRE = regexp.MustCompile(`^/cases/([^/?]+)\?notice=case-created$`)

// openCase posts the "Open a case" form from page and returns the new case's id.
func openCase(t *testing.T, c *client, page string, form url.Values) string {
	t.Helper()
	r := c.postForm(page, "/cases", form)
	wantStatus(t, r, http.StatusSeeOther)
	m := caseLocationRE.FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		t.Fatalf("POST /cases: Location %q; want /cases/{id}?notice=case-created", r.Header.Get("Location"))
	}
	return m[1]
}

// caseForm is the status and classification form as the case page posts it.
func caseForm(status shieldwall.CaseStatus, title, summary string) url.Values {
	return url.Values{"status": {string(status)}, "severity": {"SEV2"}, "type": {"personal-data-breach"},
		"title": {title}, "summary": {summary}, "affected": {"personal-data"}}
}

func TestCasePagesPersonalDataBreachWalk(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newResponders(a)
		sam := a.signedIn("sam@example.com")

		// Legal names its privacy officer and its counsel in the duty directory.
		dept := sam.get("/departments/legal")
		wantStatus(t, dept, http.StatusOK)
		wantBody(t, dept, "Duty directory", "Privacy officer", `action="/departments/legal/duties/legal-counsel"`)
		if i, j := strings.Index(dept.body, "Legal counsel"), strings.Index(dept.body, "Incident commander"); i < 0 || j < 0 || i > j {
			t.Errorf("Legal's duty directory does not list Legal's own roles first (counsel at %d, commander at %d)", i, j)
		}
		r := sam.postForm("/departments/legal", "/departments/legal/duties/privacy-officer", url.Values{"user_id": {o.pia.ID}, "backup_user_id": {o.pia.ID}})
		wantStatus(t, r, http.StatusBadRequest)
		wantBody(t, r, "The backup must be someone other than the primary.")
		wantLocation(t, sam.postForm("/departments/legal", "/departments/legal/duties/privacy-officer", url.Values{"user_id": {o.pia.ID}}), "/departments/legal?notice=duty-saved")
		wantLocation(t, sam.postForm("/departments/legal", "/departments/legal/duties/legal-counsel", url.Values{"user_id": {o.cal.ID}}), "/departments/legal?notice=duty-saved")
		// A plain member reads the directory but cannot change it.
		pia := a.signedIn("pia@example.com")
		own := pia.get("/departments/legal")
		wantBody(t, own, "Duty directory", "Pia Privacy")
		wantNoBody(t, own, `action="/departments/legal/duties/`)

		// A report comes in; the security team opens a case from it.
		rep := a.mustReport(o.mo, shieldwall.ReportInput{Kind: shieldwall.KindDataExposure, Title: "I sent the payroll file to a customer",
			Description: "The payroll of 40 employees went to the wrong address."})
		analyst := sam.get("/reports/" + rep.ID)
		wantBody(t, analyst, `href="/cases/new?report=`+rep.ID+`"`)
		newPage := "/cases/new?report=" + rep.ID
		form := sam.get(newPage)
		wantStatus(t, form, http.StatusOK)
		wantBody(t, form, "I sent the payroll file to a customer", `<option value="personal-data-breach" selected>`, `value="personal-data" checked`)

		// A mistake keeps what was typed and says what is wrong beside the field.
		bad := sam.postForm(newPage, "/cases", url.Values{"title": {""}, "type": {"personal-data-breach"}, "severity": {"SEV2"},
			"summary": {"Kept summary"}, "affected": {"personal-data"}, "report": {rep.ID}, "aware_at": {"tomorrow-ish"}})
		wantStatus(t, bad, http.StatusBadRequest)
		if got := fieldError(bad.body, "aware_at"); got == "" {
			t.Errorf("no error beside aware_at:\n%s", excerpt(bad.body))
		}
		wantBody(t, bad, "Kept summary")
		bad = sam.postForm(newPage, "/cases", url.Values{"title": {""}, "type": {"personal-data-breach"}, "severity": {"SEV2"}, "report": {rep.ID}})
		wantStatus(t, bad, http.StatusBadRequest)
		if got := fieldError(bad.body, "title"); got != "Please fill in the title." {
			t.Errorf("title error %q; want %q", got, "Please fill in the title.")
		}

		summary := "An HR officer emailed the payroll of 40 employees to a customer by mistake."
		id := openCase(t, sam, newPage, url.Values{"title": {"Payroll file emailed to a customer"}, "type": {"personal-data-breach"},
			"severity": {"SEV2"}, "affected": {"personal-data"}, "summary": {summary}, "report": {rep.ID}})
		full := sam.get("/cases/" + id + "?notice=case-created")
		wantStatus(t, full, http.StatusOK)
		wantBody(t, full, "The case is open.", "GDPR art. 33", "Pia Privacy", "Cal Counsel", "Hana HR", "Ivo IT",
			"Who is engaged", "Tasks by department", "I sent the payroll file to a customer", `action="/cases/`+id+`/participants"`)
		wantNoBody(t, full, `<details class="full-view">`)

		// Journey 3: the legal counsel sees their part first, the rest one click away.
		cal := a.signedIn("cal@example.com")
		list := cal.get("/cases")
		wantBody(t, list, "Payroll file emailed to a customer")
		view := cal.get("/cases/" + id)
		wantStatus(t, view, http.StatusOK)
		wantBody(t, view, "Your part in this case", "<strong>Legal counsel</strong>", "Legal deadlines you own", "GDPR art. 33",
			"Acknowledge", "high", "Personal data (about customers, staff or anyone else)", `<details class="full-view">`)
		if !regexp.MustCompile(`in \d+ h \([A-Z][a-z]{2} \d\d:\d\d UTC\)`).MatchString(view.body) {
			t.Errorf("no deadline in words (\"in 71 h (Mon 10:00 UTC)\") on the counsel's page:\n%s", excerpt(view.body))
		}
		wantNoBody(t, view, `action="/cases/`+id+`/participants"`, `id="manage-heading"`)
		// With a time zone chosen in their settings, the same deadlines show in it, named.
		berlin := shieldwall.DefaultPreferences(o.cal.ID)
		berlin.TimeZone = "Europe/Berlin"
		if err := st.InTx(t.Context(), func(tx *store.Tx) error { return tx.SetNotificationPreferences(t.Context(), &berlin) }); err != nil {
			t.Fatal(err)
		}
		zoned := cal.get("/cases/" + id)
		if !regexp.MustCompile(`in \d+ h \([A-Z][a-z]{2} \d\d:\d\d CES?T\)`).MatchString(zoned.body) {
			t.Errorf("the counsel chose Europe/Berlin; no deadline in CET/CEST:\n%s", excerpt(zoned.body))
		}
		// Every other time on the page too: the case's, the timeline's
		// (a partial) and the clocks' (another partial).
		berlinLoc, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			t.Fatal(err)
		}
		wantTimesIn(t, "the counsel's case page", mainOf(zoned.body), berlinLoc, "CET", "CEST")
		wantBody(t, zoned, `<li class="entry entry-`, `<div><dt>Due</dt><dd><time datetime=`)
		wantLocation(t, cal.postForm("/cases/"+id, "/cases/"+id+"/ack", url.Values{}), "/cases/"+id+"?notice=case-acknowledged")
		wantBody(t, cal.get("/cases/"+id), "You have acknowledged your role.")

		// The filing: a wrong time comes back beside its field with the reference kept.
		badFiling := cal.postForm("/cases/"+id, "/cases/"+id+"/clock-events", url.Values{"event": {"gdpr-33-notified"}, "at": {"last Tuesday"}, "reference": {"DPA-2026-0042"}})
		wantStatus(t, badFiling, http.StatusBadRequest)
		wantBody(t, badFiling, `id="my-clock-gdpr-33-at-error"`, `value="DPA-2026-0042"`)
		wantLocation(t, cal.postForm("/cases/"+id, "/cases/"+id+"/clock-events", url.Values{"event": {"gdpr-33-notified"}, "reference": {"DPA-2026-0042"}, "tz": {"Europe/Paris"}}),
			"/cases/"+id+"?notice=clock-recorded")
		filed := cal.get("/cases/" + id)
		wantBody(t, filed, "Filed", "DPA-2026-0042", "Recorded the filing")
		wantLocation(t, cal.postForm("/cases/"+id, "/cases/"+id+"/timeline", url.Values{"kind": {"decision"}, "body": {"We notify the authority today."}}),
			"/cases/"+id+"?notice=entry-added#timeline-heading")
		emptyNote := cal.postForm("/cases/"+id, "/cases/"+id+"/timeline", url.Values{"kind": {"note"}, "body": {"  "}})
		wantStatus(t, emptyNote, http.StatusBadRequest)
		if fieldError(emptyNote.body, "body") == "" {
			t.Errorf("no error beside the note's text:\n%s", excerpt(emptyNote.body))
		}
		// The counsel may not change the classification.
		wantStatus(t, cal.postForm("/cases/"+id, "/cases/"+id, caseForm(shieldwall.CaseClosed, "x", "")), http.StatusForbidden)

		// HR's champion keeps HR's duty directory, not Legal's.
		hana := a.signedIn("hana@example.com")
		wantNoBody(t, hana.get("/departments/legal"), `action="/departments/legal/duties/`)
		wantStatus(t, hana.postForm("/departments/hr", "/departments/legal/duties/legal-counsel", url.Values{"user_id": {o.hana.ID}}), http.StatusForbidden)
		wantLocation(t, hana.postForm("/departments/hr", "/departments/hr/duties/hr-partner", url.Values{"user_id": {o.hana.ID}}), "/departments/hr?notice=duty-saved")
		wantBody(t, hana.get("/departments/hr"), `<option value="`+o.hana.ID+`" selected>Hana HR</option>`)

		// HR's partner marks their task done.
		hv := hana.get("/cases/" + id)
		wantBody(t, hv, "Your part in this case", "HR partner", "Your tasks")
		m := regexp.MustCompile(`action="/cases/` + id + `/tasks/([^"]+)"`).FindStringSubmatch(mainOf(hv.body)[strings.Index(mainOf(hv.body), "your-tasks-heading"):])
		if m == nil {
			t.Fatalf("HR's page has no task button:\n%s", excerpt(hv.body))
		}
		wantLocation(t, hana.postForm("/cases/"+id, "/cases/"+id+"/tasks/"+m[1], url.Values{"status": {"done"}}), "/cases/"+id+"?notice=task-updated")
		wantBody(t, hana.get("/cases/"+id), "Undo", "done by Hana HR")

		// Someone outside the case does not learn it exists.
		mo := a.signedIn("mo@example.com")
		wantStatus(t, mo.get("/cases/"+id), http.StatusNotFound)
		wantNoBody(t, mo.get("/cases"), "Payroll file emailed")

		// The security team walks the lifecycle; recovered opens the review.
		for _, s := range []shieldwall.CaseStatus{shieldwall.CaseContained, shieldwall.CaseRecovered} {
			wantLocation(t, sam.postForm("/cases/"+id, "/cases/"+id, caseForm(s, "Payroll file emailed to a customer", summary)), "/cases/"+id+"?notice=case-updated")
		}
		badStatus := sam.postForm("/cases/"+id, "/cases/"+id, caseForm("done-ish", "Payroll file emailed to a customer", summary))
		wantStatus(t, badStatus, http.StatusBadRequest)
		if fieldError(badStatus.body, "status") == "" {
			t.Errorf("no error beside status:\n%s", excerpt(badStatus.body))
		}
		wantBody(t, sam.get("/cases/"+id), `href="/cases/`+id+`/review"`, "Recovered")

		reviewURL := "/cases/" + id + "/review"
		rv := sam.get(reviewURL)
		wantStatus(t, rv, http.StatusOK)
		wantBody(t, rv, "What happened", "What went well", "What was hard", "Contributing factors", "Systems and processes, not people", "What we will change")
		unpublished := sam.postForm(reviewURL, reviewURL, url.Values{"went_well": {"IT stopped it in an hour."}, "publish": {"yes"}})
		wantStatus(t, unpublished, http.StatusBadRequest)
		if got := fieldError(unpublished.body, "what_happened"); got == "" {
			t.Errorf("no error beside what_happened:\n%s", excerpt(unpublished.body))
		}
		wantBody(t, unpublished, "IT stopped it in an hour.")
		wantLocation(t, sam.postForm(reviewURL, reviewURL, url.Values{"what_happened": {"The payroll went to the wrong customer contact."},
			"went_well": {"IT stopped it in an hour."}, "contributing_factors": {"Autocomplete offers outside addresses first."}, "publish": {"yes"}}),
			reviewURL+"?notice=review-published")
		wantLocation(t, sam.postForm(reviewURL, reviewURL+"/action-items", url.Values{"title": {"Warn before mailing attachments outside"},
			"owner_department": {o.it.ID}, "due_on": {"2026-12-15"}}), reviewURL+"?notice=action-added#actions-heading")
		badItem := sam.postForm(reviewURL, reviewURL+"/action-items", url.Values{"title": {"No owner"}, "owner_department": {""}})
		wantStatus(t, badItem, http.StatusBadRequest)
		if got := fieldError(badItem.body, "owner_department"); got == "" {
			t.Errorf("no error beside the owner department:\n%s", excerpt(badItem.body))
		}
		wantBody(t, sam.get(reviewURL), "Published", "Warn before mailing attachments outside", "2026-12-15")

		// IT closes its action item from the list; HR may not.
		ivo := a.signedIn("ivo@example.com")
		acts := ivo.get("/actions")
		m = regexp.MustCompile(`action="/actions/([^"]+)"`).FindStringSubmatch(acts.body)
		if m == nil {
			t.Fatalf("IT's action list has no button:\n%s", excerpt(acts.body))
		}
		wantBody(t, hana.get("/actions"), "Warn before mailing attachments outside")
		wantNoBody(t, hana.get("/actions"), `action="/actions/`+m[1]+`"`)
		wantLocation(t, ivo.postForm("/actions", "/actions/"+m[1], url.Values{"status": {"done"}, "back": {"/actions?status=open"}}), "/actions?status=open&notice=action-updated")
		wantNoBody(t, ivo.get("/actions?status=open"), "Warn before mailing attachments outside")
		wantBody(t, ivo.get("/actions?status=done"), "Warn before mailing attachments outside", "Reopen")

		// Closed: the case says so, and its timeline holds the whole story.
		wantLocation(t, sam.postForm("/cases/"+id, "/cases/"+id, caseForm(shieldwall.CaseClosed, "Payroll file emailed to a customer", summary)), "/cases/"+id+"?notice=case-updated")
		closed := sam.get("/cases/" + id)
		wantBody(t, closed, "Closed", "Status: recovered → closed.", "We notify the authority today.", "Published the post-incident review.",
			"Response times", "First report to case", "1 task done on time")
		wantBody(t, sam.get("/cases?status=closed"), "Payroll file emailed to a customer")
		wantNoBody(t, sam.get("/cases?open=true"), "Payroll file emailed to a customer")
	})
}

func TestConfidentialCasePagesAreNeedToKnow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newResponders(a)
		const marker = "ZQXMARKER"
		sam := a.signedIn("sam@example.com")
		id := openCase(t, sam, "/cases/new", url.Values{"title": {marker + " someone copies the customer list"}, "type": {"insider-threat"},
			"severity": {"SEV2"}, "summary": {"Seen by " + marker}})
		wantBody(t, sam.get("/cases/"+id), "Confidential", marker)

		// Its review and an action item owned by Mo's own department.
		ctx, secActor := t.Context(), actorOf(o.sam)
		recovered := shieldwall.CaseRecovered
		if _, err := a.srv.Response.Patch(ctx, secActor, id, shieldwall.CasePatch{Status: &recovered}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.srv.Response.AddReviewAction(ctx, secActor, id, resp.ActionItemInput{Title: marker + " lock exports", Department: "Sales"}); err != nil {
			t.Fatal(err)
		}

		missing := "/cases/" + store.NewID()
		for _, who := range []string{"mo@example.com", "ada@example.com"} {
			c := a.signedIn(who)
			want := c.get(missing)
			wantStatus(t, want, http.StatusNotFound)
			for _, path := range []string{"/cases/" + id, "/cases/" + id + "/review"} {
				got := c.get(path)
				wantStatus(t, got, http.StatusNotFound)
				if mainOf(got.body) != mainOf(want.body) {
					t.Errorf("%s: GET %s differs from a missing case's page:\n%s\n---\n%s", who, path, mainOf(got.body), mainOf(want.body))
				}
			}
			wantStatus(t, c.get("/cases/"+id+"/live"), http.StatusNotFound)
			for _, path := range []string{"/cases", "/cases?q=customer", "/actions", "/actions?department=sales", "/departments/sales", "/departments/security", "/notifications", "/"} {
				r := c.get(path)
				wantStatus(t, r, http.StatusOK)
				wantNoBody(t, r, marker)
			}
			wantBody(t, c.get("/cases?q=customer"), "No case matches these filters.")
			// Posting to it answers as missing too.
			wantStatus(t, c.postForm("/cases", "/cases/"+id+"/timeline", url.Values{"body": {"hello"}}), http.StatusNotFound)
		}

		// Made a participant, Mo sees it; taken off again, it is gone.
		wantLocation(t, sam.postForm("/cases/"+id, "/cases/"+id+"/participants", url.Values{"email": {"mo@example.com"}}), "/cases/"+id+"?notice=participant-added")
		badAdd := sam.postForm("/cases/"+id, "/cases/"+id+"/participants", url.Values{"email": {"nobody@example.com"}})
		wantStatus(t, badAdd, http.StatusBadRequest)
		if got := fieldError(badAdd.body, "email"); got == "" {
			t.Errorf("no error beside the participant's email:\n%s", excerpt(badAdd.body))
		}
		mo := a.signedIn("mo@example.com")
		wantBody(t, mo.get("/cases/"+id), marker)
		wantBody(t, mo.get("/cases"), marker)
		wantLocation(t, sam.postForm("/cases/"+id, "/cases/"+id+"/participants/"+o.mo.ID+"/remove", url.Values{}), "/cases/"+id+"?notice=participant-removed")
		wantStatus(t, mo.get("/cases/"+id), http.StatusNotFound)
		wantNoBody(t, mo.get("/cases"), marker)
	})
}

func TestOpenCaseFromCampaign(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		newOrg(a)
		phish := readPhish(t)
		for _, email := range []string{"alice@example.com", "carol@example.com"} {
			r := a.signedIn(email).postMultipart("/report", "/report", url.Values{"kind": {"phishing"}, "title": {"Invoice mail"}}, upload{"attachments", "mail.eml", phish})
			wantLocation(t, r, "/report/sent")
		}
		sec := a.signedIn("sam@example.com")
		m := regexp.MustCompile(`href="/campaigns/([^"]+)"`).FindStringSubmatch(sec.get("/triage").body)
		if m == nil {
			t.Fatal("the queue links no campaign")
		}
		wantBody(t, sec.get("/campaigns/"+m[1]), `href="/cases/new?campaign=`+m[1]+`"`)
		page := "/cases/new?campaign=" + m[1]
		form := sec.get(page)
		wantBody(t, form, "2 reports, all linked", `<option value="phishing" selected>`)
		id := openCase(t, sec, page, url.Values{"title": {"Invoice phishing wave"}, "type": {"phishing"}, "severity": {"SEV3"}, "campaign": {m[1]}})
		view := sec.get("/cases/" + id)
		wantBody(t, view, "Linked reports", "Invoice mail")
		if n := strings.Count(mainOf(view.body), `<li><a href="/reports/`); n != 2 {
			t.Errorf("the case links %d reports; want the campaign's 2", n)
		}
		// A champion may not open cases: the form is the security team's.
		wantStatus(t, a.signedIn("bob@example.com").get(page), http.StatusForbidden)
	})
}
