package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/api"
	"github.com/shieldwall/shieldwall/internal/clocks"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/playbook"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/response"
)

// caseStatusLabels are the lifecycle's steps in plain words.
var caseStatusLabels = map[shieldwall.CaseStatus]string{
	shieldwall.CaseTriage:        "New",
	shieldwall.CaseInvestigating: "Investigating",
	shieldwall.CaseContained:     "Contained",
	shieldwall.CaseEradicated:    "Cause removed",
	shieldwall.CaseRecovered:     "Recovered",
	shieldwall.CaseClosed:        "Closed",
}

func caseStatusLabel(s shieldwall.CaseStatus) string {
	if l, ok := caseStatusLabels[s]; ok {
		return l
	}
	return string(s)
}

// severityLabel is a severity with its plain words: "SEV2 · high".
func severityLabel(s shieldwall.Severity) string { return string(s) + " · " + s.Label() }

// affectedLabels say what a case affects in the words of the people who
// must act on it; the regulation a flag brings in is named where it helps.
var affectedLabels = map[string]string{
	playbook.AffectedPersonalData:          "Personal data (about customers, staff or anyone else)",
	playbook.AffectedPaymentSystems:        "Payment systems or money transfers",
	playbook.AffectedCustomerFacing:        "Services our customers use",
	playbook.AffectedListedCompanyMaterial: "Information that may be material for a listed company (SEC)",
	playbook.AffectedEUEssentialEntity:     "We are an EU essential entity (NIS2)",
	playbook.AffectedEUImportantEntity:     "We are an EU important entity (NIS2)",
	playbook.AffectedFinancialEntity:       "We are a financial entity (DORA)",
	playbook.AffectedHealthData:            "Health data (HIPAA)",
}

func affectedLabel(flag string) string {
	if l, ok := affectedLabels[flag]; ok {
		return l
	}
	return flag
}

// entryKindLabels name the kinds of timeline entries.
var entryKindLabels = map[string]string{
	shieldwall.TimelineNote:        "Note",
	shieldwall.TimelineDecision:    "Decision",
	shieldwall.TimelineStatus:      "Status",
	shieldwall.TimelineTask:        "Task",
	shieldwall.TimelineIndicator:   "Indicator",
	shieldwall.TimelineClock:       "Legal clock",
	shieldwall.TimelineParticipant: "People",
	shieldwall.TimelineEngagement:  "Engagement",
	shieldwall.TimelineEscalation:  "Escalation",
	shieldwall.TimelineReview:      "Review",
	shieldwall.TimelineCase:        "Case",
}

func entryKindLabel(k string) string {
	if l, ok := entryKindLabels[k]; ok {
		return l
	}
	return k
}

// clockStatusLabels say where a regulatory clock stands.
var clockStatusLabels = map[string]string{
	"not-started": "Not started",
	"running":     "Running",
	"due-soon":    "Due soon",
	"overdue":     "Overdue",
	"satisfied":   "Filed",
}

func clockStatusLabel(s string) string {
	if l, ok := clockStatusLabels[s]; ok {
		return l
	}
	return s
}

// viewerLocation is the time zone the person chose in their notification
// settings; deadlines count in UTC and show in it, zone named. UTC when
// they chose none. Every page looks it up once, in its shell (shell.Zone).
func (h *Handler) viewerLocation(ctx context.Context, userID string) *time.Location {
	if p, err := h.acc.Store().NotificationPreferences(ctx, userID); err == nil && p.TimeZone != "" {
		if loc, err := loadZone(p.TimeZone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// zones holds the time zones loaded so far, by name. time.LoadLocation
// reads and parses the zoneinfo file on every call, and every page needs
// the viewer's zone. Only names that loaded are kept, so the map is
// bounded by the tz database (a few hundred names), whatever is asked.
var zones sync.Map // name → *time.Location

// loadZone is time.LoadLocation, remembered.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

func statusOptionsCase(first string) []option {
	var out []option
	if first != "" {
		out = append(out, option{Value: "", Label: first})
	}
	for _, s := range shieldwall.CaseStatuses {
		out = append(out, option{Value: string(s), Label: caseStatusLabel(s)})
	}
	return out
}

func severityOptions(first string) []option {
	var out []option
	if first != "" {
		out = append(out, option{Value: "", Label: first})
	}
	for _, s := range []shieldwall.Severity{shieldwall.SEV1, shieldwall.SEV2, shieldwall.SEV3, shieldwall.SEV4} {
		out = append(out, option{Value: string(s), Label: s.Label() + " (" + string(s) + ")"})
	}
	return out
}

func (h *Handler) typeOptions(first string) []option {
	var out []option
	if first != "" {
		out = append(out, option{Value: "", Label: first})
	}
	for _, pb := range h.resp.Playbooks() {
		out = append(out, option{Value: pb.ID, Label: pb.Name})
	}
	return out
}

// playbookName is the name of the playbook a case type follows.
func (h *Handler) playbookName(id string) string {
	if pb, ok := playbook.Find(h.resp.Playbooks(), id); ok {
		return pb.Name
	}
	return id
}

// checkOption is one checkbox of a group.
type checkOption struct {
	ID, Value, Label string
	Checked          bool
}

func affectedOptions(chosen []string) []checkOption {
	var out []checkOption
	for _, f := range playbook.AffectedFlags() {
		out = append(out, checkOption{ID: "affected-" + f, Value: f, Label: affectedLabel(f), Checked: slices.Contains(chosen, f)})
	}
	return out
}

// viewerZone is the time zone the browser said it is in (cases.js fills a
// hidden "tz" field), or UTC when it said nothing usable.
func viewerZone(r *http.Request) *time.Location {
	// "Local" would be the server's zone, which means nothing to the person.
	if name := r.PostFormValue("tz"); name != "" && name != "Local" && len(name) < 64 {
		if loc, err := loadZone(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// parseLocalTime reads a datetime-local value in loc. Empty gives nil.
func parseLocalTime(v string, loc *time.Location, field string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return &t, nil
		}
	}
	return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, field, "Give a date and a time, for example 2026-11-27 14:30.")
}

// casesPage is the data of the case list.
type casesPage struct {
	shell
	Filter     *form
	Statuses   []option
	Types      []option
	Severities []option
	Cases      []shieldwall.Case
	Pager      pager
	Filtered   bool
	CanCreate  bool
	TypeName   func(string) string
}

// handleCases serves GET /cases: the cases the person may see, with every
// filter in the URL. A case they may not see is not counted either.
func (h *Handler) handleCases(w http.ResponseWriter, r *http.Request) {
	actor, q := httpx.ActorFrom(r), r.URL.Query()
	page, err := pageFrom(r, 25)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	f := shieldwall.CaseFilter{Status: shieldwall.CaseStatus(q.Get("status")), Type: q.Get("type"),
		Severity: shieldwall.Severity(q.Get("severity")), Query: strings.TrimSpace(q.Get("q")), Open: q.Get("open") == "true", Page: page}
	cases, total, err := h.resp.List(r.Context(), actor, f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "cases", casesPage{
		shell: h.shell(r, "Cases"), Filter: newForm(q), Statuses: statusOptionsCase("Any status"), Types: h.typeOptions("Any type"),
		Severities: severityOptions("Any severity"), Cases: cases, Pager: newPager(r.URL, total, page, len(cases), ""),
		Filtered:  f.Status != "" || f.Type != "" || f.Severity != "" || f.Query != "" || f.Open,
		CanCreate: policy.Can(actor, policy.CaseCreate, nil), TypeName: h.playbookName,
	})
}

// caseNewPage is the data of the form that opens a case.
type caseNewPage struct {
	shell
	Form       *form
	Types      []option
	Severities []option
	Affected   []checkOption
	Reports    []shieldwall.Report
	Campaign   *shieldwall.Campaign
}

// typeForKind guesses a case's playbook from the kind of report it starts from.
var typeForKind = map[shieldwall.ReportKind]string{
	shieldwall.KindPhishing:     "phishing",
	shieldwall.KindPaymentFraud: "bec",
	shieldwall.KindLostDevice:   "lost-device",
	shieldwall.KindDataExposure: "personal-data-breach",
}

// handleCaseNew serves GET /cases/new; ?report=ID (repeatable) or
// ?campaign=ID link what the case starts from and fill the form from it.
func (h *Handler) handleCaseNew(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := newForm(url.Values{"severity": {string(shieldwall.SEV3)}})
	for _, id := range q["report"] {
		f.Values.Add("report", id)
	}
	if c := q.Get("campaign"); c != "" {
		f.Set("campaign", c)
	}
	h.renderCaseNew(w, r, http.StatusOK, f, true)
}

func (h *Handler) renderCaseNew(w http.ResponseWriter, r *http.Request, status int, f *form, prefill bool) {
	ctx, actor := r.Context(), httpx.ActorFrom(r)
	data := caseNewPage{shell: h.shell(r, "Open a case"), Form: f, Types: h.typeOptions("Choose a type"), Severities: severityOptions(""),
		Affected: affectedOptions(f.Values["affected"])}
	for _, id := range f.Values["report"] {
		rep, err := h.intake.Get(ctx, actor, id)
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		data.Reports = append(data.Reports, rep)
	}
	if id := f.Get("campaign"); id != "" {
		c, err := h.intake.GetCampaign(ctx, actor, id)
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		data.Campaign = &c
	}
	if prefill {
		switch {
		case data.Campaign != nil:
			f.Set("title", data.Campaign.Title)
			f.Set("type", "phishing")
		case len(data.Reports) > 0:
			rep := data.Reports[0]
			f.Set("title", rep.Title)
			f.Set("summary", rep.Description)
			f.Set("type", typeForKind[rep.Kind])
			if rep.Kind == shieldwall.KindDataExposure {
				f.Values["affected"] = []string{playbook.AffectedPersonalData}
				data.Affected = affectedOptions(f.Values["affected"])
			}
		}
	}
	h.render(w, r, status, "case_new", data)
}

// caseNewFields are the fields of the form that opens a case.
var caseNewFields = []string{"title", "type", "severity", "summary", "affected", "aware_at", "confidential"}

// handleCaseCreate serves POST /cases.
func (h *Handler) handleCaseCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	f := newForm(nil)
	for _, k := range append(caseNewFields, "report", "campaign", "tz") {
		if vs, ok := r.PostForm[k]; ok {
			f.Values[k] = vs
		}
	}
	in := shieldwall.CaseInput{Title: f.Get("title"), Type: f.Get("type"), Severity: shieldwall.Severity(f.Get("severity")),
		Summary: f.Get("summary"), Affected: f.Values["affected"], ReportIDs: f.Values["report"], CampaignID: f.Get("campaign")}
	if f.Get("confidential") == "on" {
		yes := true
		in.Confidential = &yes
	}
	at, err := parseLocalTime(f.Get("aware_at"), viewerZone(r), "aware_at")
	if err == nil && in.Type == "" {
		err = shieldwall.FieldErrorf(shieldwall.EINVALID, "type", "Choose what kind of incident this is.")
	}
	var c shieldwall.Case
	if err == nil {
		in.AwareAt = at
		c, err = h.resp.Create(r.Context(), httpx.ActorFrom(r), in)
	}
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f.Fail(err, caseNewFields...)
			h.renderCaseNew(w, r, status, f, false)
		})
		return
	}
	redirect(w, r, withNotice("/cases/"+url.PathEscape(c.ID), "case-created"))
}

// taskView is a task with its deadline in words.
type taskView struct {
	shieldwall.CaseTask
	Remaining string
	Overdue   bool
}

// taskGroup is one department's tasks on a case.
type taskGroup struct {
	Department string
	Tasks      []taskView
}

// clockView is a regulatory clock with the one form that moves it on:
// record its start when it has not started, its filing otherwise.
type clockView struct {
	shieldwall.CaseClock
	Prefix     string // keeps the form's ids unique on the page
	OwnerName  string
	Event      string
	EventLabel string
	Filing     bool
	ShowForm   bool
	Form       *form
}

// caseForms are the forms of a case page; a failed one comes back with
// what was typed and its errors.
type caseForms struct {
	Entry, Manage, Participant *form
	Clock                      *form
	ClockEvent                 string // the event the failed clock form recorded
}

// casePage is the data of a case's page.
type casePage struct {
	shell
	Case          shieldwall.Case
	TypeName      string
	MyRoles       []shieldwall.CaseRole
	MyTasks       []taskView
	MyClocks      []clockView
	Unacked       bool
	Engaged       bool // holds a role and is not a manager: their part comes first
	TaskGroups    []taskGroup
	Clocks        []clockView
	CanContribute bool
	CanManage     bool
	Timeline      []shieldwall.TimelineEntry
	TimelinePager pager
	Forms         caseForms
	Statuses      []option
	Severities    []option
	Types         []option
	EntryKinds    []option
	Affected      []checkOption
	Reports       []shieldwall.Report
	MoreReports   int // linked reports beyond the first maxLinkedShown
	HasReview     bool
}

// maxLinkedShown is how many linked reports a case page lists.
const maxLinkedShown = 50

// handleCase serves GET /cases/{id}. A case the person may not see
// answers the same "not found" page as a case that does not exist.
func (h *Handler) handleCase(w http.ResponseWriter, r *http.Request) {
	h.renderCase(w, r, http.StatusOK, caseForms{})
}

func (h *Handler) renderCase(w http.ResponseWriter, r *http.Request, status int, forms caseForms) {
	ctx, actor := r.Context(), httpx.ActorFrom(r)
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	c, err := h.resp.Get(ctx, actor, id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	// The page's shell looks the viewer's zone up once; deadlines use it.
	sh := h.shell(r, c.Title)
	loc := sh.Zone
	tpage, err := pageFromParam(r, "toffset", 50)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	entries, total, err := h.resp.Timeline(ctx, actor, id, tpage)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	now := time.Now()
	data := casePage{
		shell: sh, Case: c, TypeName: h.playbookName(c.Type), Timeline: entries,
		TimelinePager: newPagerParam(r.URL, total, tpage, len(entries), "", "toffset"),
		CanManage:     c.You != nil && c.You.CanManage,
		Statuses:      statusOptionsCase(""), Severities: severityOptions(""), Types: h.typeOptions(""),
		EntryKinds: []option{{Value: shieldwall.TimelineNote, Label: "Note"}, {Value: shieldwall.TimelineDecision, Label: "Decision"},
			{Value: shieldwall.TimelineIndicator, Label: "Indicator (an address, a file, a sender…)"}},
	}
	data.TimelinePager.Label = "Timeline pages"
	// Contributing follows the policy: managers, participants, and the
	// champions of a department the case engages.
	data.CanContribute = data.CanManage || (c.You != nil && c.You.Participant)
	mine := map[string]bool{}
	for _, ro := range c.Roles {
		if actor.Role == shieldwall.RoleChampion && ro.DepartmentID != "" && ro.DepartmentID == actor.DepartmentID {
			data.CanContribute = true
		}
		if ro.UserID != "" && ro.UserID == actor.UserID {
			mine[ro.Role] = true
			data.MyRoles = append(data.MyRoles, ro)
			if ro.AcknowledgedAt == nil {
				data.Unacked = true
			}
		}
	}
	data.Engaged = len(data.MyRoles) > 0 && !data.CanManage
	roleName := map[string]string{}
	for _, ro := range c.Roles {
		roleName[ro.Role] = ro.Name
	}
	groups := map[string]int{}
	for _, t := range c.Tasks {
		tv := taskView{CaseTask: t, Overdue: t.Status == shieldwall.TaskOpen && now.After(t.DueAt)}
		if t.Status == shieldwall.TaskOpen {
			tv.Remaining = clocks.FormatRemaining(t.DueAt, now, loc)
		}
		if mine[t.Role] {
			data.MyTasks = append(data.MyTasks, tv)
		}
		dept := t.DepartmentName
		if dept == "" {
			dept = "No department"
		}
		i, ok := groups[dept]
		if !ok {
			i = len(data.TaskGroups)
			groups[dept] = i
			data.TaskGroups = append(data.TaskGroups, taskGroup{Department: dept})
		}
		data.TaskGroups[i].Tasks = append(data.TaskGroups[i].Tasks, tv)
	}
	events := response.RecordableEvents()
	for _, k := range c.Clocks {
		if k.DueAt != nil && k.Status != "satisfied" {
			k.Remaining = clocks.FormatRemaining(*k.DueAt, now, loc)
		}
		cv := clockView{CaseClock: k, OwnerName: roleName[k.Owner], ShowForm: data.CanContribute && k.Status != "satisfied"}
		if cv.OwnerName == "" {
			cv.OwnerName = k.Owner
		}
		if k.StartedAt == nil {
			cv.Event = k.StartEvent
		} else {
			cv.Event, cv.Filing = k.FiledEvent, true
		}
		cv.EventLabel = events[cv.Event]
		if forms.Clock != nil && forms.ClockEvent == cv.Event {
			cv.Form = forms.Clock
		} else {
			cv.Form = newForm(nil)
		}
		if mine[k.Owner] {
			my := cv
			my.Prefix = "my-"
			data.MyClocks = append(data.MyClocks, my)
			// The full view shows the clock too, without a second form.
			cv.ShowForm = false
		}
		cv.Prefix = "all-"
		data.Clocks = append(data.Clocks, cv)
	}
	for i, rid := range c.ReportIDs {
		if i == maxLinkedShown {
			// A campaign may bring hundreds: the page stays fast, and says so.
			data.MoreReports = len(c.ReportIDs) - i
			break
		}
		// Only reports the person may open are linked.
		if rep, err := h.intake.Get(ctx, actor, rid); err == nil {
			data.Reports = append(data.Reports, rep)
		}
	}
	// Get has checked access: whether a review exists is one lookup.
	if _, err := h.resp.Store().FindReview(ctx, id); err == nil {
		data.HasReview = true
	} else if shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
		h.renderError(w, r, err)
		return
	}
	if forms.Entry == nil {
		forms.Entry = newForm(url.Values{"kind": {shieldwall.TimelineNote}})
	}
	if forms.Participant == nil {
		forms.Participant = newForm(nil)
	}
	if forms.Manage == nil {
		forms.Manage = newForm(url.Values{"status": {string(c.Status)}, "severity": {string(c.Severity)}, "type": {c.Type},
			"title": {c.Title}, "summary": {c.Summary}, "affected": c.Affected})
		if c.Confidential {
			forms.Manage.Set("confidential", "on")
		}
	}
	data.Affected = affectedOptions(forms.Manage.Values["affected"])
	data.Forms = forms
	h.render(w, r, status, "case", data)
}

// pageFromParam reads a list's offset from its own parameter.
func pageFromParam(r *http.Request, param string, limit int) (shieldwall.Page, error) {
	p := shieldwall.Page{Limit: limit}
	if s := r.URL.Query().Get(param); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, shieldwall.FieldErrorf(shieldwall.EINVALID, param, "%s must be a whole number of 0 or more.", param)
		}
		p.Offset = n
	}
	return p, nil
}

// caseAction reads the case id and the posted form of a case page's form.
func (h *Handler) caseAction(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return "", false
	}
	return id, true
}

func caseURL(id, notice string) string { return withNotice("/cases/"+url.PathEscape(id), notice) }

// failCase re-renders the case page with the failed form; a case the
// person may not see (or no longer sees) gets the error page.
func (h *Handler) failCase(w http.ResponseWriter, r *http.Request, err error, forms caseForms, fail func()) {
	h.failForm(w, r, err, func(status int) {
		if code := shieldwall.ErrorCode(err); code == shieldwall.ENOTFOUND || code == shieldwall.EFORBIDDEN {
			h.renderError(w, r, err)
			return
		}
		fail()
		h.renderCase(w, r, status, forms)
	})
}

// handleCaseEntry serves POST /cases/{id}/timeline: a note, a decision or an indicator.
func (h *Handler) handleCaseEntry(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseAction(w, r)
	if !ok {
		return
	}
	f := newForm(url.Values{"kind": {r.PostFormValue("kind")}, "body": {r.PostFormValue("body")}})
	if _, err := h.resp.AddEntry(r.Context(), httpx.ActorFrom(r), id, f.Get("kind"), f.Get("body")); err != nil {
		h.failCase(w, r, err, caseForms{Entry: f}, func() { f.Fail(err, "kind", "body") })
		return
	}
	redirect(w, r, caseURL(id, "entry-added")+"#timeline-heading")
}

// handleCaseAck serves POST /cases/{id}/ack: "I have seen it, I am on it".
func (h *Handler) handleCaseAck(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseAction(w, r)
	if !ok {
		return
	}
	if _, err := h.resp.Acknowledge(r.Context(), httpx.ActorFrom(r), id); err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, caseURL(id, "case-acknowledged"))
}

// handleCaseTask serves POST /cases/{id}/tasks/{task}: status=done or open.
func (h *Handler) handleCaseTask(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseAction(w, r)
	if !ok {
		return
	}
	task, err := httpx.PathValue(r, "task")
	if err == nil {
		status := r.PostFormValue("status")
		if status != string(shieldwall.TaskDone) && status != string(shieldwall.TaskOpen) {
			err = shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "A task is either done or open.")
		} else {
			_, err = h.resp.SetTask(r.Context(), httpx.ActorFrom(r), id, task, status == string(shieldwall.TaskDone))
		}
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, caseURL(id, "task-updated"))
}

// handleCaseClockEvent serves POST /cases/{id}/clock-events: the start of
// a clock (an awareness, a determination) or the filing that satisfies it.
func (h *Handler) handleCaseClockEvent(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseAction(w, r)
	if !ok {
		return
	}
	f := newForm(url.Values{"at": {r.PostFormValue("at")}, "reference": {r.PostFormValue("reference")}})
	event := r.PostFormValue("event")
	at, err := parseLocalTime(f.Get("at"), viewerZone(r), "at")
	if err == nil {
		_, err = h.resp.RecordEvent(r.Context(), httpx.ActorFrom(r), id, response.EventInput{Event: event, At: at, Reference: f.Get("reference")})
	}
	if err != nil {
		h.failCase(w, r, err, caseForms{Clock: f, ClockEvent: event}, func() { f.Fail(err, "at", "reference") })
		return
	}
	redirect(w, r, caseURL(id, "clock-recorded"))
}

// handleCaseUpdate serves POST /cases/{id}: status and classification.
func (h *Handler) handleCaseUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseAction(w, r)
	if !ok {
		return
	}
	f := newForm(nil)
	for _, k := range []string{"status", "severity", "type", "title", "summary", "affected", "confidential"} {
		if vs, ok := r.PostForm[k]; ok {
			f.Values[k] = vs
		}
	}
	status, sev := shieldwall.CaseStatus(f.Get("status")), shieldwall.Severity(f.Get("severity"))
	typ, title, summary := f.Get("type"), f.Get("title"), f.Get("summary")
	affected := f.Values["affected"]
	if affected == nil {
		affected = []string{}
	}
	confidential := f.Get("confidential") == "on"
	in := shieldwall.CasePatch{Status: &status, Severity: &sev, Type: &typ, Title: &title, Summary: &summary, Affected: &affected, Confidential: &confidential}
	if _, err := h.resp.Patch(r.Context(), httpx.ActorFrom(r), id, in); err != nil {
		h.failCase(w, r, err, caseForms{Manage: f}, func() { f.Fail(err, "status", "severity", "type", "title", "summary", "affected") })
		return
	}
	redirect(w, r, caseURL(id, "case-updated"))
}

// handleCaseParticipantAdd serves POST /cases/{id}/participants: a person,
// named by their email address, may see the case from now on.
func (h *Handler) handleCaseParticipantAdd(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseAction(w, r)
	if !ok {
		return
	}
	f := newForm(url.Values{"email": {strings.TrimSpace(r.PostFormValue("email"))}})
	var err error
	if f.Get("email") == "" {
		err = shieldwall.FieldErrorf(shieldwall.EINVALID, "email", "Give the email address of the person to add.")
	} else if u, ferr := h.acc.Store().FindUserByEmail(r.Context(), f.Get("email")); ferr != nil || !u.Active {
		err = shieldwall.FieldErrorf(shieldwall.EINVALID, "email", "Nobody active has that email address.")
	} else {
		_, err = h.resp.AddParticipant(r.Context(), httpx.ActorFrom(r), id, u.ID)
	}
	if err != nil {
		h.failCase(w, r, err, caseForms{Participant: f}, func() {
			if shieldwall.ErrorField(err) == "user_id" {
				f.FieldError("email", shieldwall.ErrorMessage(err))
				return
			}
			f.Fail(err, "email")
		})
		return
	}
	redirect(w, r, caseURL(id, "participant-added"))
}

// handleCaseParticipantRemove serves POST /cases/{id}/participants/{user}/remove.
func (h *Handler) handleCaseParticipantRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseAction(w, r)
	if !ok {
		return
	}
	user, err := httpx.PathValue(r, "user")
	if err == nil {
		err = h.resp.RemoveParticipant(r.Context(), httpx.ActorFrom(r), id, user)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, caseURL(id, "participant-removed"))
}

// handleCaseLive serves GET /cases/{id}/live: new timeline entries as
// server-sent events whose data is the entry's HTML, ready to insert.
func (h *Handler) handleCaseLive(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	sub, err := h.resp.Subscribe(r.Context(), httpx.ActorFrom(r), id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	defer h.resp.Hub().Unsubscribe(sub)
	t := h.pages["case"]
	// Entries show in the viewer's zone, as on the page they arrive in;
	// looked up once for the whole stream.
	loc := h.viewerLocation(r.Context(), httpx.ActorFrom(r).UserID)
	api.StreamTimeline(w, r, sub, func(e shieldwall.TimelineEntry) ([]byte, error) {
		var buf bytes.Buffer
		err := t.ExecuteTemplate(&buf, "timeline-entry", timelineEntry{TimelineEntry: e, Zone: loc})
		return buf.Bytes(), err
	})
}

// clockCard is what the clock-card partial draws.
type clockCard struct {
	V      clockView
	CaseID string
	CSRF   string
	Zone   *time.Location // the page's shell.Zone: a partial has no $ of the page
}

// timelineEntry is what the timeline-entry partial draws, on the case page
// and in the live stream.
type timelineEntry struct {
	shieldwall.TimelineEntry
	Zone *time.Location // the viewer's (viewerLocation)
}

// recordableLabel says what recording an event means.
func recordableLabel(event string) string {
	if l, ok := response.RecordableEvents()[event]; ok {
		return l
	}
	return event
}

// taskItem is what the task-item partial draws.
type taskItem struct {
	T             taskView
	CaseID, CSRF  string
	CanContribute bool
	Zone          *time.Location // the page's shell.Zone
}

// affectedArgs is what the affected-boxes partial draws.
type affectedArgs struct {
	Form     *form
	Affected []checkOption
}

// measure says a response time in words: "3 h 20 min", or "not yet".
func measure(s *shieldwall.Seconds) string {
	if s == nil {
		return "not yet"
	}
	d := time.Duration(*s) * time.Second
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return strconv.Itoa(h) + " h"
		}
		return strconv.Itoa(h) + " h " + strconv.Itoa(m) + " min"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days"
}
