package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/response"
)

// reviewFields are the sections of the blameless review, in order.
var reviewFields = []string{"what_happened", "timeline", "went_well", "was_hard", "contributing_factors", "changes"}

// actionFields are the fields of the form that adds an action item.
var actionFields = []string{"title", "owner_department", "due_on", "owner_email"}

// reviewPage is the data of a case's post-incident review.
type reviewPage struct {
	shell
	Case          shieldwall.Case
	Review        *shieldwall.Review // nil until the case is recovered
	Form          *form
	Action        *form
	Departments   []option
	CanContribute bool
	Today         string
}

// handleCaseReview serves GET /cases/{id}/review.
func (h *Handler) handleCaseReview(w http.ResponseWriter, r *http.Request) {
	h.renderReview(w, r, http.StatusOK, nil, nil)
}

func (h *Handler) renderReview(w http.ResponseWriter, r *http.Request, status int, f, action *form) {
	ctx, actor := r.Context(), httpx.ActorFrom(r)
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	// The case first: one the person may not see answers "not found"
	// before anything says whether it has a review.
	c, err := h.resp.Get(ctx, actor, id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	data := reviewPage{shell: h.shell(r, "Review: "+c.Title), Case: c, Today: time.Now().UTC().Format(time.DateOnly)}
	data.CanContribute = c.You != nil && (c.You.CanManage || c.You.Participant)
	for _, ro := range c.Roles {
		if actor.Role == shieldwall.RoleChampion && ro.DepartmentID != "" && ro.DepartmentID == actor.DepartmentID {
			data.CanContribute = true
		}
	}
	rv, err := h.resp.Review(ctx, actor, id)
	switch {
	case err == nil:
		data.Review = &rv
	case shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND:
		h.renderError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(url.Values{"what_happened": {rv.WhatHappened}, "timeline": {rv.Timeline}, "went_well": {rv.WentWell},
			"was_hard": {rv.WasHard}, "contributing_factors": {rv.ContributingFactors}, "changes": {rv.Changes}})
	}
	if action == nil {
		action = newForm(nil)
	}
	data.Form, data.Action = f, action
	if data.Departments, err = h.departmentOptions(r, "Choose a department", false); err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, status, "case_review", data)
}

// handleCaseReviewSave serves POST /cases/{id}/review: save the sections,
// and publish them when the "publish" button was pressed.
func (h *Handler) handleCaseReviewSave(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseAction(w, r)
	if !ok {
		return
	}
	f := newForm(nil)
	var in response.ReviewInput
	for _, k := range reviewFields {
		v := r.PostFormValue(k)
		f.Set(k, v)
		switch k {
		case "what_happened":
			in.WhatHappened = &v
		case "timeline":
			in.Timeline = &v
		case "went_well":
			in.WentWell = &v
		case "was_hard":
			in.WasHard = &v
		case "contributing_factors":
			in.ContributingFactors = &v
		case "changes":
			in.Changes = &v
		}
	}
	in.Publish = r.PostFormValue("publish") == "yes"
	if _, err := h.resp.SaveReview(r.Context(), httpx.ActorFrom(r), id, in); err != nil {
		h.failForm(w, r, err, func(status int) {
			if code := shieldwall.ErrorCode(err); code == shieldwall.ENOTFOUND || code == shieldwall.EFORBIDDEN {
				h.renderError(w, r, err)
				return
			}
			f.Fail(err, reviewFields...)
			h.renderReview(w, r, status, f, nil)
		})
		return
	}
	notice := "review-saved"
	if in.Publish {
		notice = "review-published"
	}
	redirect(w, r, withNotice("/cases/"+url.PathEscape(id)+"/review", notice))
}

// handleCaseReviewAction serves POST /cases/{id}/review/action-items: a
// change the review commits to, owned by a department, due by a date.
func (h *Handler) handleCaseReviewAction(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseAction(w, r)
	if !ok {
		return
	}
	f := newForm(nil)
	for _, k := range actionFields {
		f.Set(k, strings.TrimSpace(r.PostFormValue(k)))
	}
	in := response.ActionItemInput{Title: f.Get("title"), Department: f.Get("owner_department"), DueOn: f.Get("due_on")}
	var err error
	if email := f.Get("owner_email"); email != "" {
		if u, ferr := h.acc.Store().FindUserByEmail(r.Context(), email); ferr != nil || !u.Active {
			err = shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_email", "Nobody active has that email address.")
		} else {
			in.OwnerUserID = u.ID
		}
	}
	if err == nil {
		_, err = h.resp.AddReviewAction(r.Context(), httpx.ActorFrom(r), id, in)
	}
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			if code := shieldwall.ErrorCode(err); code == shieldwall.ENOTFOUND || code == shieldwall.EFORBIDDEN {
				h.renderError(w, r, err)
				return
			}
			if shieldwall.ErrorField(err) == "owner_user_id" {
				f.FieldError("owner_email", shieldwall.ErrorMessage(err))
			} else {
				f.Fail(err, actionFields...)
			}
			h.renderReview(w, r, status, nil, f)
		})
		return
	}
	redirect(w, r, withNotice("/cases/"+url.PathEscape(id)+"/review", "action-added")+"#actions-heading")
}

// actionRow is an action item as the list shows it.
type actionRow struct {
	shieldwall.ActionItem
	Overdue   bool
	CanUpdate bool
}

// actionsPage is the data of the action list.
type actionsPage struct {
	shell
	Filter      *form
	Statuses    []option
	Departments []option
	Items       []actionRow
	Pager       pager
	Filtered    bool
	Back        string // this page with its filters, where a change returns
}

// handleActions serves GET /actions: what reviews and meetings decided,
// across departments, open first by due date; filters live in the URL.
func (h *Handler) handleActions(w http.ResponseWriter, r *http.Request) {
	ctx, actor, q := r.Context(), httpx.ActorFrom(r), r.URL.Query()
	page, err := pageFrom(r, 50)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	today := time.Now().UTC().Format(time.DateOnly)
	f := shieldwall.ActionItemFilter{Status: shieldwall.ActionItemStatus(q.Get("status")), Page: page}
	if q.Get("overdue") == "true" {
		f.OverdueOn = today
	}
	if f.DepartmentID, err = h.acc.DepartmentFilter(ctx, q.Get("department")); err != nil {
		h.renderError(w, r, err)
		return
	}
	items, total, err := h.resp.ActionItems(ctx, actor, f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	data := actionsPage{shell: h.shell(r, "Action items"), Filter: newForm(q),
		Statuses: []option{{Value: "", Label: "Any status"}, {Value: string(shieldwall.ActionOpen), Label: "Open"}, {Value: string(shieldwall.ActionDone), Label: "Done"}},
		Pager:    newPager(r.URL, total, page, len(items), ""), Filtered: f.Status != "" || f.DepartmentID != "" || f.OverdueOn != "",
		Back: r.URL.Path}
	if r.URL.RawQuery != "" {
		q2 := r.URL.Query()
		q2.Del("notice")
		if enc := q2.Encode(); enc != "" {
			data.Back += "?" + enc
		}
	}
	if data.Departments, err = h.departmentOptions(r, "Any department", true); err != nil {
		h.renderError(w, r, err)
		return
	}
	for _, it := range items {
		data.Items = append(data.Items, actionRow{ActionItem: it, Overdue: it.Overdue(today), CanUpdate: policy.Can(actor, policy.ActionItemUpdate, it)})
	}
	h.render(w, r, http.StatusOK, "actions", data)
}

// handleActionUpdate serves POST /actions/{id}: done, or open again.
func (h *Handler) handleActionUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err == nil {
		status := shieldwall.ActionItemStatus(r.PostFormValue("status"))
		_, err = h.resp.UpdateActionItem(r.Context(), httpx.ActorFrom(r), id, response.ActionItemPatch{Status: &status})
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	back := localPath(r.PostFormValue("back"))
	if back != "/actions" && !strings.HasPrefix(back, "/actions?") && !strings.HasPrefix(back, "/cases/") {
		back = "/actions"
	}
	redirect(w, r, withNotice(back, "action-updated"))
}

// dutyRow is one role of a department's duty directory.
type dutyRow struct {
	Role shieldwall.CaseRole
	Duty shieldwall.Duty
	Form *form // the row's values after a failed save
}

// dutyRowView is what the duty-row partial draws.
type dutyRowView struct {
	dutyRow
	Slug, CSRF string
	People     []option
}

// PrimaryOptions are the people offered as the role's primary, the current one chosen.
func (d dutyRowView) PrimaryOptions() []option {
	return choose(d.People, d.value("user_id", d.Duty.UserID))
}

// BackupOptions are the people offered as the role's backup.
func (d dutyRowView) BackupOptions() []option {
	return choose(d.People, d.value("backup_user_id", d.Duty.BackupUserID))
}

func (d dutyRowView) value(field, stored string) string {
	if d.Form != nil {
		return d.Form.Get(field)
	}
	return stored
}

// Err is the message about the row, if its save failed.
func (d dutyRowView) Err() string {
	if d.Form == nil {
		return ""
	}
	for _, k := range []string{"user_id", "backup_user_id", "role"} {
		if m := d.Form.Err(k); m != "" {
			return m
		}
	}
	return d.Form.Error
}

func choose(opts []option, v string) []option {
	out := make([]option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == v
		out[i] = o
	}
	return out
}

// dutyRows is the duty directory of a department: every role the
// playbooks name, with whom the department has named for it.
func (h *Handler) dutyRows(r *http.Request, d shieldwall.Department, failedRole string, f *form) ([]dutyRow, error) {
	_, duties, err := h.resp.Duties(r.Context(), httpx.ActorFrom(r), d.ID)
	if err != nil {
		return nil, err
	}
	byRole := map[string]shieldwall.Duty{}
	for _, x := range duties {
		byRole[x.Role] = x
	}
	var rows []dutyRow
	for _, ro := range h.resp.Roles() {
		row := dutyRow{Role: ro, Duty: byRole[ro.Role]}
		if ro.Role == failedRole {
			row.Form = f
		}
		rows = append(rows, row)
	}
	// The roles the playbooks give this department come first.
	ours := func(row dutyRow) bool {
		for _, name := range append([]string{row.Role.DepartmentName}, strings.Split(row.Role.DepartmentName, "/")...) {
			if strings.EqualFold(name, d.Name) || strings.EqualFold(name, d.Slug) {
				return true
			}
		}
		return false
	}
	slices.SortStableFunc(rows, func(a, b dutyRow) int {
		switch oa, ob := ours(a), ours(b); {
		case oa && !ob:
			return -1
		case ob && !oa:
			return 1
		}
		return 0
	})
	return rows, nil
}

// dutyPeople are whom a department may name: its active people.
func (h *Handler) dutyPeople(r *http.Request, d shieldwall.Department) ([]option, error) {
	users, _, err := h.acc.Store().ListUsers(r.Context(), shieldwall.UserFilter{DepartmentID: d.ID, Page: shieldwall.Page{Limit: shieldwall.MaxLimit}})
	if err != nil {
		return nil, err
	}
	out := []option{{Value: "", Label: "Nobody named"}}
	for _, u := range activeOnly(users) {
		out = append(out, option{Value: u.ID, Label: u.Name})
	}
	return out, nil
}

// handleDutySet serves POST /departments/{slug}/duties/{role}.
func (h *Handler) handleDutySet(w http.ResponseWriter, r *http.Request) {
	slug, err := httpx.PathValue(r, "slug")
	var role string
	if err == nil {
		role, err = httpx.PathValue(r, "role")
	}
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	in := response.DutyInput{UserID: r.PostFormValue("user_id"), BackupUserID: r.PostFormValue("backup_user_id")}
	if _, err := h.resp.SetDuty(r.Context(), httpx.ActorFrom(r), slug, role, in); err != nil {
		h.failForm(w, r, err, func(status int) {
			if code := shieldwall.ErrorCode(err); code == shieldwall.ENOTFOUND || code == shieldwall.EFORBIDDEN {
				h.renderError(w, r, err)
				return
			}
			f := newForm(url.Values{"user_id": {in.UserID}, "backup_user_id": {in.BackupUserID}})
			f.Fail(err, "user_id", "backup_user_id", "role")
			h.renderDepartment(w, r, status, role, f)
		})
		return
	}
	redirect(w, r, withNotice("/departments/"+url.PathEscape(slug), "duty-saved"))
}
