package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// verdictLabels name the levels of an email's automatic verdict.
var verdictLabels = map[string]string{
	"likely-malicious": "Likely malicious",
	"suspicious":       "Suspicious",
	"likely-safe":      "Likely safe",
	"simulation":       "Our own phishing test",
}

func verdictLabel(level string) string {
	if l, ok := verdictLabels[level]; ok {
		return l
	}
	return level
}

// decisionOptions are a campaign's possible decisions, as the form offers them.
var decisionOptions = []option{
	{Value: "malicious", Label: "Malicious — a phishing attack"},
	{Value: "spam", Label: "Spam — unwanted, not an attack"},
	{Value: "safe", Label: "Safe — a genuine email"},
	{Value: "simulation", Label: "Simulation — one of our own phishing tests"},
}

func decisionLabel(d string) string {
	for _, o := range decisionOptions {
		if o.Value == d {
			return o.Label
		}
	}
	return d
}

// reporterLabel names who reported: nobody is named for an anonymous report.
func reporterLabel(r shieldwall.Report) string {
	switch {
	case r.Anonymous:
		return "Anonymous"
	case r.ReporterName != "":
		return r.ReporterName
	case r.Source == shieldwall.SourceEmail:
		return "Unknown sender"
	}
	return "Unknown"
}

// strongest returns signals strongest first.
func strongest(s []shieldwall.Signal) []shieldwall.Signal {
	out := slices.Clone(s)
	slices.SortStableFunc(out, func(a, b shieldwall.Signal) int { return b.Weight - a.Weight })
	return out
}

// analystPage is the data of a report as the security team and the
// department's champions see it.
type analystPage struct {
	shell
	Report       shieldwall.Report
	Signals      []shieldwall.Signal
	Conversation []convMessage
	Form         *form // the triage form
	Statuses     []option
	Assignees    []option
	Ask          *form // a question to the reporter
	Campaign     *shieldwall.Campaign
	// ReporterReads says whether the reporter can read what is written
	// here: through their account or their receipt.
	ReporterReads bool
	// CanOpenCase shows the "Open a case" button (the security team).
	CanOpenCase bool
}

// triageFields are the fields of the triage form, named as intake names them.
var triageFields = []string{"status", "assignee_id", "resolution", "duplicate_of", "case_id"}

func triageValues(rep shieldwall.Report) url.Values {
	return url.Values{"status": {string(rep.Status)}, "assignee_id": {rep.AssigneeID}, "resolution": {rep.Resolution},
		"duplicate_of": {rep.DuplicateOf}, "case_id": {rep.CaseID}}
}

func (h *Handler) renderAnalyst(w http.ResponseWriter, r *http.Request, status int, rep shieldwall.Report, triage, ask *form) {
	ctx, actor := r.Context(), httpx.ActorFrom(r)
	if triage == nil {
		triage = newForm(triageValues(rep))
	}
	if ask == nil {
		ask = newForm(nil)
	}
	assignees, err := h.assigneeOptions(ctx)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	data := analystPage{
		shell: h.shell(r, rep.Title), Report: rep, Signals: strongest(rep.Signals), Form: triage,
		Statuses: statusOptions(""), Assignees: assignees, Ask: ask,
		ReporterReads: rep.Source == shieldwall.SourceAnonymous || (!rep.Anonymous && rep.ReporterID != ""),
		CanOpenCase:   policy.Can(actor, policy.CaseCreate, nil),
	}
	for _, m := range rep.Messages {
		c := convMessage{Who: "Security team", Security: true, Body: m.Body, At: m.CreatedAt}
		if m.Author == "reporter" {
			c.Who, c.Security = reporterLabel(rep)+" (reporter)", false
		}
		data.Conversation = append(data.Conversation, c)
	}
	if rep.CampaignID != "" && policy.Can(actor, policy.CampaignView, nil) {
		if c, err := h.intake.GetCampaign(ctx, actor, rep.CampaignID); err == nil {
			data.Campaign = &c
		}
	}
	h.render(w, r, status, "report_analyst", data)
}

// assigneeOptions lists who may be given a report: the security team and
// the security champions, active ones only.
func (h *Handler) assigneeOptions(ctx context.Context) ([]option, error) {
	out := []option{{Value: "", Label: "Nobody yet"}}
	for _, role := range []shieldwall.Role{shieldwall.RoleSecurity, shieldwall.RoleAdmin, shieldwall.RoleChampion} {
		users, _, err := h.acc.Store().ListUsers(ctx, shieldwall.UserFilter{Role: role, Page: shieldwall.Page{Limit: shieldwall.MaxLimit}})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if !u.Active {
				continue
			}
			label := u.Name + " (" + roleLabels[role]
			if role == shieldwall.RoleChampion {
				label += ", " + u.DepartmentName
			}
			out = append(out, option{Value: u.ID, Label: label + ")"})
		}
	}
	return out, nil
}

// reportRef reads a report named by id or by a pasted link to its page.
func reportRef(s string) string {
	s = strings.TrimSpace(s)
	if _, after, ok := strings.Cut(s, "/reports/"); ok {
		s, _, _ = strings.Cut(after, "/")
		s, _, _ = strings.Cut(s, "?")
		s, _, _ = strings.Cut(s, "#")
	}
	return s
}

// handleReportTriage serves POST /reports/{id}/triage: status, assignee,
// the answer to the reporter, duplicate and case link, in one form. A
// field the post leaves out keeps its value.
func (h *Handler) handleReportTriage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	f := newForm(nil)
	var in intake.TriageUpdate
	for _, name := range triageFields {
		if _, ok := r.PostForm[name]; !ok {
			continue
		}
		v := r.PostFormValue(name)
		f.Set(name, v)
		switch name {
		case "status":
			in.Status = shieldwall.ReportStatus(v)
		case "assignee_id":
			in.AssigneeID = &v
		case "resolution":
			in.Resolution = &v
		case "duplicate_of":
			ref := reportRef(v)
			in.DuplicateOf = &ref
		case "case_id":
			in.CaseID = &v
		}
	}
	actor := httpx.ActorFrom(r)
	if _, err := h.intake.Triage(r.Context(), actor, id, in); err != nil {
		h.failForm(w, r, err, func(status int) {
			rep, gerr := h.intake.Get(r.Context(), actor, id)
			if gerr != nil || !policy.Can(actor, policy.ReportTriage, rep) {
				h.renderError(w, r, err)
				return
			}
			// Fields the post left out show their stored values.
			for k, v := range triageValues(rep) {
				if _, ok := f.Values[k]; !ok {
					f.Values[k] = v
				}
			}
			f.Fail(err, triageFields...)
			h.renderAnalyst(w, r, status, rep, f, nil)
		})
		return
	}
	redirect(w, r, withNotice("/reports/"+url.PathEscape(id), "report-updated"))
}

// campaignRow is an open campaign in the queue, with the reasons its
// email was judged as it was.
type campaignRow struct {
	shieldwall.Campaign
	Level   string
	Signals []shieldwall.Signal
}

// triagePage is the data of the triage queue.
type triagePage struct {
	shell
	Filter          *form
	Statuses        []option
	Kinds           []option
	Departments     []option // the security team's department filter
	Campaigns       []campaignRow
	CampaignTotal   int
	CampaignPager   pager
	ShowCampaigns   bool
	Reports         []shieldwall.Report
	Pager           pager
	Filtered        bool
	SeesAllReports  bool // security; champions see their department's
	DepartmentLabel string
}

// campaignsPerPage is how many open campaigns the queue shows at a time.
const campaignsPerPage = 10

// handleTriage serves GET /triage: open campaigns first, largest first,
// each with its verdict reasons (security only), then the reports the
// actor may triage. Every filter lives in the URL.
func (h *Handler) handleTriage(w http.ResponseWriter, r *http.Request) {
	ctx, actor, q := r.Context(), httpx.ActorFrom(r), r.URL.Query()
	page, err := pageFrom(r, 25)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	f := shieldwall.ReportFilter{Status: shieldwall.ReportStatus(q.Get("status")), Kind: shieldwall.ReportKind(q.Get("kind")), Page: page}
	if f.Status != "" && !f.Status.Valid() {
		h.renderError(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "%q is not a status.", f.Status))
		return
	}
	if f.Kind != "" && !f.Kind.Valid() {
		h.renderError(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "kind", "%q is not a kind of report.", f.Kind))
		return
	}
	data := triagePage{
		shell: h.shell(r, "Triage"), Filter: newForm(q), Statuses: statusOptions("Any status"),
		Kinds: []option{{Value: "", Label: "Any kind"}}, SeesAllReports: policy.ReportListScope(actor).All,
	}
	for _, k := range shieldwall.ReportKinds {
		data.Kinds = append(data.Kinds, option{Value: string(k), Label: kindLabel(k)})
	}
	if data.SeesAllReports {
		if f.DepartmentID, err = h.acc.DepartmentFilter(ctx, q.Get("department")); err != nil {
			h.renderError(w, r, err)
			return
		}
		if data.Departments, err = h.departmentOptions(r, "Any department", true); err != nil {
			h.renderError(w, r, err)
			return
		}
	} else if d, err := h.acc.Store().FindDepartment(ctx, actor.DepartmentID); err == nil {
		data.DepartmentLabel = d.Name
	}
	data.Filtered = f.Status != "" || f.Kind != "" || f.DepartmentID != ""

	// Open campaigns lead the queue, and their reports are not listed
	// again one by one, unless the filters ask for what campaigns are not.
	data.ShowCampaigns = policy.Can(actor, policy.CampaignList, nil) &&
		(f.Status == "" || f.Status == shieldwall.StatusNew || f.Status == shieldwall.StatusTriaging) &&
		(f.Kind == "" || f.Kind == shieldwall.KindPhishing) && f.DepartmentID == ""
	if data.ShowCampaigns {
		cpage := shieldwall.Page{Limit: campaignsPerPage}
		if s := q.Get("coffset"); s != "" {
			if cpage.Offset, err = strconv.Atoi(s); err != nil || cpage.Offset < 0 {
				h.renderError(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "coffset", "coffset must be a whole number of 0 or more."))
				return
			}
		}
		camps, total, err := h.intake.ListCampaigns(ctx, actor, "open", cpage)
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		data.CampaignTotal = total
		data.CampaignPager = newPagerParam(r.URL, total, cpage, len(camps), "", "coffset")
		data.CampaignPager.Label = "Campaign pages"
		for _, c := range camps {
			row := campaignRow{Campaign: c}
			// Every report of a campaign is the same email: its newest
			// report's verdict speaks for all.
			reps, _, err := h.intake.List(ctx, actor, shieldwall.ReportFilter{CampaignID: c.ID, Page: shieldwall.Page{Limit: 1}})
			if err != nil {
				h.renderError(w, r, err)
				return
			}
			if len(reps) > 0 {
				row.Level, row.Signals = reps[0].VerdictLevel, strongest(reps[0].Signals)
			}
			data.Campaigns = append(data.Campaigns, row)
		}
		f.Ungrouped = true
	}
	reports, total, err := h.intake.List(ctx, actor, f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	data.Reports = reports
	data.Pager = newPager(r.URL, total, page, len(reports), "")
	h.render(w, r, http.StatusOK, "triage", data)
}

// campaignPage is the data of a campaign's page.
type campaignPage struct {
	shell
	Campaign  shieldwall.Campaign
	Level     string
	Signals   []shieldwall.Signal
	Reports   []shieldwall.Report
	Pager     pager
	Form      *form
	Decisions []option
	// Answered is how many reports the decision just answered, or -1.
	Answered    int
	CanOpenCase bool
}

// handleCampaign serves GET /campaigns/{id}.
func (h *Handler) handleCampaign(w http.ResponseWriter, r *http.Request) {
	answered := -1
	if n, err := strconv.Atoi(r.URL.Query().Get("answered")); err == nil && n >= 0 {
		answered = n
	}
	h.renderCampaign(w, r, http.StatusOK, nil, answered)
}

func (h *Handler) renderCampaign(w http.ResponseWriter, r *http.Request, status int, f *form, answered int) {
	ctx, actor := r.Context(), httpx.ActorFrom(r)
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	c, err := h.intake.GetCampaign(ctx, actor, id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	page, err := pageFrom(r, 25)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	reports, total, err := h.intake.List(ctx, actor, shieldwall.ReportFilter{CampaignID: c.ID, Page: page})
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(url.Values{"decision": {c.Decision}})
	}
	data := campaignPage{
		shell: h.shell(r, c.Title), Campaign: c, Reports: reports, Pager: newPager(r.URL, total, page, len(reports), ""),
		Form: f, Decisions: decisionOptions, Answered: answered, CanOpenCase: policy.Can(actor, policy.CaseCreate, nil),
	}
	if len(reports) > 0 {
		data.Level, data.Signals = reports[0].VerdictLevel, strongest(reports[0].Signals)
	}
	h.render(w, r, status, "campaign", data)
}

// handleCampaignDecision serves POST /campaigns/{id}/decision: one decision
// answers every open report of the campaign and tells each reporter.
func (h *Handler) handleCampaignDecision(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	in := intake.CampaignDecision{Decision: r.PostFormValue("decision"), Note: r.PostFormValue("note")}
	f := newForm(url.Values{"decision": {in.Decision}, "note": {in.Note}})
	if in.Decision == "" {
		f.FieldError("decision", "Choose what this email was.")
		h.renderCampaign(w, r, http.StatusBadRequest, f, -1)
		return
	}
	_, n, err := h.intake.DecideCampaign(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
				h.renderError(w, r, err)
				return
			}
			f.Fail(err, "decision", "note")
			h.renderCampaign(w, r, status, f, -1)
		})
		return
	}
	redirect(w, r, "/campaigns/"+url.PathEscape(id)+"?answered="+strconv.FormatInt(n, 10))
}
