package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
)

func (h *Handler) registerCommittee(rt *httpx.Router) {
	rt.Page("GET /committee", policy.CommitteeView, h.handleCommittee)
	rt.Page("POST /committee/members", policy.CommitteeManage, h.handleCommitteeMember)
	rt.Page("POST /committee/meetings", policy.CommitteeManage, h.handleMeetingCreate)
	rt.Page("GET /committee/meetings/{id}", policy.CommitteeView, h.handleMeeting)
	rt.Page("POST /committee/meetings/{id}/items", policy.CommitteeManage, h.handleMeetingItem)
	rt.Page("POST /committee/meetings/{id}/minutes", policy.CommitteeManage, h.handleMeetingMinutes)
	rt.Page("POST /committee/meetings/{id}/decisions", policy.CommitteeManage, h.handleMeetingDecision)
	rt.Page("POST /committee/meetings/{id}/action-items", policy.CommitteeManage, h.handleMeetingAction)
	rt.Page("POST /committee/meetings/{id}/action-items/{item}/status", policy.CommitteeManage, h.handleMeetingActionStatus)
	h.registerReviews(rt)
}

// handleMeetingActionStatus serves the done/reopen button of an action item.
func (h *Handler) handleMeetingActionStatus(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	var item string
	if err == nil {
		item, err = httpx.PathValue(r, "item")
	}
	if err == nil {
		err = parseForm(w, r)
	}
	if err == nil {
		_, err = h.govern.CloseActionItem(r.Context(), httpx.ActorFrom(r), id, item, r.PostForm.Get("status") == "done")
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, withNotice("/committee/meetings/"+id, "action-updated"))
}

// committeePage is the data of /committee. Meetings show in the viewer's
// zone (shell.Zone), and the scheduling form reads its time in it.
type committeePage struct {
	shell
	Members   []shieldwall.CommitteeMember
	Meetings  []shieldwall.Meeting
	Pager     pager
	Decisions []shieldwall.Decision
	New       *form
	Member    *form
	CanManage bool
	CanSeat   bool
	People    []option
}

// meetingTimeLayout is how the datetime-local input sends a time; the
// form names the viewer's zone the time is in.
const meetingTimeLayout = "2006-01-02T15:04"

func (h *Handler) handleCommittee(w http.ResponseWriter, r *http.Request) {
	h.renderCommittee(w, r, http.StatusOK, nil, newForm(nil))
}

// newMeetingForm is the scheduling form of a fresh committee page: a week
// from now, on the hour, in the viewer's zone.
func newMeetingForm(loc *time.Location) *form {
	next := time.Now().In(loc).AddDate(0, 0, 7).Truncate(time.Hour)
	return newForm(url.Values{"starts_at": {next.Format(meetingTimeLayout)}, "duration_minutes": {"60"}, "title": {"Security committee"}})
}

// renderCommittee draws /committee; a nil nf is a fresh scheduling form.
func (h *Handler) renderCommittee(w http.ResponseWriter, r *http.Request, status int, nf, mf *form) {
	page, err := pageFrom(r, 20)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	ctx, actor := r.Context(), httpx.ActorFrom(r)
	members, err := h.govern.Members(ctx, actor)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	meetings, total, err := h.govern.ListMeetings(ctx, actor, page)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	decisions, err := h.govern.Decisions(ctx, actor, "", "")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if len(decisions) > 20 {
		decisions = decisions[:20]
	}
	p := committeePage{shell: h.shell(r, "Security committee"), Members: members, Meetings: meetings, Pager: newPager(r.URL, total, page, len(meetings), ""),
		Decisions: decisions, New: nf, Member: mf, CanManage: policy.Can(actor, policy.CommitteeManage, nil),
		CanSeat: actor.Role == shieldwall.RoleAdmin || actor.Role == shieldwall.RoleSecurity}
	if p.New == nil {
		p.New = newMeetingForm(p.Zone)
	}
	if p.CanSeat {
		users, _, err := h.acc.Store().ListUsers(ctx, shieldwall.UserFilter{Role: shieldwall.RoleChampion, Page: shieldwall.Page{Limit: shieldwall.MaxLimit}})
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		for _, u := range users {
			p.People = append(p.People, option{Value: u.ID, Label: u.Name + " (" + u.DepartmentName + ")"})
		}
	}
	h.render(w, r, status, "committee", p)
}

func (h *Handler) handleCommitteeMember(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	if _, err := h.govern.AddMember(r.Context(), httpx.ActorFrom(r), govern.MemberInput{UserID: r.PostForm.Get("user_id")}); err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(r.PostForm)
			f.Fail(err, "user_id")
			h.renderCommittee(w, r, status, newForm(nil), f)
		})
		return
	}
	redirect(w, r, withNotice("/committee", "member-added"))
}

func (h *Handler) handleMeetingCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	in := shieldwall.MeetingInput{Title: formStr(v, "title"), Location: formStr(v, "location"), DurationMinutes: formInt(v, "duration_minutes")}
	var err error
	loc := h.viewerLocation(r.Context(), httpx.ActorFrom(r).UserID)
	if t, perr := time.ParseInLocation(meetingTimeLayout, strings.TrimSpace(v.Get("starts_at")), loc); perr == nil {
		in.StartsAt = &t
	} else {
		err = shieldwall.FieldErrorf(shieldwall.EINVALID, "starts_at", "Please give the date and time the meeting starts.")
	}
	var m shieldwall.Meeting
	if err == nil {
		m, err = h.govern.CreateMeeting(r.Context(), httpx.ActorFrom(r), in)
	}
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, "title", "starts_at", "duration_minutes", "location")
			h.renderCommittee(w, r, status, f, newForm(nil))
		})
		return
	}
	redirect(w, r, withNotice("/committee/meetings/"+m.ID, "meeting-created"))
}

// meetingPage is the data of one meeting's page. Times show in the
// viewer's zone (shell.Zone); the .ics stays in UTC.
type meetingPage struct {
	shell
	Meeting   shieldwall.Meeting
	Ends      time.Time
	Item      *form
	Minutes   *form
	Decision  *form
	Action    *form
	CanManage bool
	About     []option
	Depts     []option
}

func (h *Handler) handleMeeting(w http.ResponseWriter, r *http.Request) {
	h.renderMeeting(w, r, http.StatusOK, map[string]*form{})
}

func (h *Handler) renderMeeting(w http.ResponseWriter, r *http.Request, status int, forms map[string]*form) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	actor := httpx.ActorFrom(r)
	m, err := h.govern.GetMeeting(r.Context(), actor, id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	get := func(k string, def url.Values) *form {
		if f, ok := forms[k]; ok {
			return f
		}
		return newForm(def)
	}
	depts, err := h.departmentOptions(r, "", true)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	p := meetingPage{shell: h.shell(r, m.Title), Meeting: m, Ends: m.StartsAt.Add(time.Duration(m.DurationMinutes) * time.Minute),
		Item: get("item", nil), Minutes: get("minutes", url.Values{"minutes": {m.Minutes}}), Decision: get("decision", nil),
		Action: get("action", url.Values{"due_on": {m.StartsAt.AddDate(0, 0, 30).Format(time.DateOnly)}}), CanManage: policy.Can(actor, policy.CommitteeManage, nil),
		Depts: depts, About: []option{{Label: "Nothing in particular"}}}
	seen := map[string]bool{}
	for _, s := range m.Agenda {
		for _, it := range s.Items {
			k := it.ObjectType + ":" + it.ObjectID
			if !seen[k] {
				seen[k] = true
				p.About = append(p.About, option{Value: k, Label: it.Title})
			}
		}
	}
	for _, it := range m.Items {
		p.About = append(p.About, option{Value: "agenda-item:" + it.ID, Label: it.Title})
	}
	h.render(w, r, status, "meeting", p)
}

func (h *Handler) meetingForm(w http.ResponseWriter, r *http.Request) (string, url.Values, bool) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return "", nil, false
	}
	return id, r.PostForm, true
}

func (h *Handler) failMeeting(w http.ResponseWriter, r *http.Request, err error, key string, v url.Values, fields ...string) {
	h.failForm(w, r, err, func(status int) {
		f := newForm(v)
		f.Fail(err, fields...)
		h.renderMeeting(w, r, status, map[string]*form{key: f})
	})
}

func (h *Handler) handleMeetingItem(w http.ResponseWriter, r *http.Request) {
	id, v, ok := h.meetingForm(w, r)
	if !ok {
		return
	}
	if _, err := h.govern.AddItem(r.Context(), httpx.ActorFrom(r), id, shieldwall.MeetingItem{Title: v.Get("title"), Notes: v.Get("notes")}); err != nil {
		h.failMeeting(w, r, err, "item", v, "title", "notes")
		return
	}
	redirect(w, r, withNotice("/committee/meetings/"+id, "item-added"))
}

func (h *Handler) handleMeetingMinutes(w http.ResponseWriter, r *http.Request) {
	id, v, ok := h.meetingForm(w, r)
	if !ok {
		return
	}
	if _, err := h.govern.UpdateMeeting(r.Context(), httpx.ActorFrom(r), id, shieldwall.MeetingInput{Minutes: formStr(v, "minutes")}); err != nil {
		h.failMeeting(w, r, err, "minutes", v, "minutes")
		return
	}
	redirect(w, r, withNotice("/committee/meetings/"+id, "minutes-saved"))
}

func (h *Handler) handleMeetingDecision(w http.ResponseWriter, r *http.Request) {
	id, v, ok := h.meetingForm(w, r)
	if !ok {
		return
	}
	typ, oid, _ := strings.Cut(v.Get("about"), ":")
	if _, err := h.govern.AddDecision(r.Context(), httpx.ActorFrom(r), id, shieldwall.Decision{Text: v.Get("text"), ObjectType: typ, ObjectID: oid}); err != nil {
		if e, ok := err.(*shieldwall.Error); ok && (e.Field == "object_id" || e.Field == "object_type") {
			err = &shieldwall.Error{Code: e.Code, Field: "about", Message: e.Message}
		}
		h.failMeeting(w, r, err, "decision", v, "text", "about")
		return
	}
	redirect(w, r, withNotice("/committee/meetings/"+id, "decision-recorded"))
}

func (h *Handler) handleMeetingAction(w http.ResponseWriter, r *http.Request) {
	id, v, ok := h.meetingForm(w, r)
	if !ok {
		return
	}
	in := govern.ActionInput{Title: v.Get("title"), Description: v.Get("description"), OwnerDepartment: v.Get("owner_department"), DueOn: v.Get("due_on")}
	if _, err := h.govern.AddActionItem(r.Context(), httpx.ActorFrom(r), id, in); err != nil {
		h.failMeeting(w, r, err, "action", v, "title", "description", "owner_department", "due_on")
		return
	}
	redirect(w, r, withNotice("/committee/meetings/"+id, "action-added"))
}
