package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/response"
)

// caseID reads the {id} path value; a malformed one answers as a missing case.
func caseID(r *http.Request) (string, error) { return httpx.PathValue(r, "id") }

// reply writes v, or the problem err describes.
func reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	if v == nil {
		w.WriteHeader(status)
		return
	}
	httpx.WriteJSON(w, status, v)
}

func (h *Handler) handleCaseCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.CaseInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	c, err := h.response.Create(r.Context(), httpx.ActorFrom(r), in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/cases/"+c.ID)
	}
	reply(w, r, http.StatusCreated, c, err)
}

func (h *Handler) handleCaseList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.CaseFilter{Status: shieldwall.CaseStatus(q.Get("status")), Type: q.Get("type"),
		Severity: shieldwall.Severity(q.Get("severity")), Query: q.Get("q"), Open: q.Get("open") == "true", Page: page}
	items, total, err := h.response.List(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleCaseGet(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	var c shieldwall.Case
	if err == nil {
		c, err = h.response.Get(r.Context(), httpx.ActorFrom(r), id)
	}
	reply(w, r, http.StatusOK, c, err)
}

func (h *Handler) handleCasePatch(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in shieldwall.CasePatch
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	c, err := h.response.Patch(r.Context(), httpx.ActorFrom(r), id, in)
	reply(w, r, http.StatusOK, c, err)
}

func (h *Handler) handleCaseTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, total, err := h.response.Timeline(r.Context(), httpx.ActorFrom(r), id, page)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

// timelineInput is a note, decision or indicator written on the timeline.
type timelineInput struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
}

func (h *Handler) handleCaseTimelineAdd(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in timelineInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	e, err := h.response.AddEntry(r.Context(), httpx.ActorFrom(r), id, in.Kind, in.Body)
	reply(w, r, http.StatusCreated, e, err)
}

// participantInput names a person to add to a case.
type participantInput struct {
	UserID string `json:"user_id"`
}

func (h *Handler) handleCaseParticipantAdd(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in participantInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	ps, err := h.response.AddParticipant(r.Context(), httpx.ActorFrom(r), id, in.UserID)
	reply(w, r, http.StatusCreated, map[string]any{"participants": ps}, err)
}

func (h *Handler) handleCaseParticipantRemove(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	user, err := httpx.PathValue(r, "user")
	if err == nil {
		err = h.response.RemoveParticipant(r.Context(), httpx.ActorFrom(r), id, user)
	}
	reply(w, r, http.StatusNoContent, nil, err)
}

func (h *Handler) handleCaseClockEvent(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in response.EventInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	c, err := h.response.RecordEvent(r.Context(), httpx.ActorFrom(r), id, in)
	reply(w, r, http.StatusCreated, c, err)
}

// taskInput marks a task done or open.
type taskInput struct {
	Status shieldwall.TaskStatus `json:"status"`
}

func (h *Handler) handleCaseTask(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	task, err := httpx.PathValue(r, "task")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in taskInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	if in.Status != shieldwall.TaskDone && in.Status != shieldwall.TaskOpen {
		httpx.WriteProblem(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "Status must be done or open."))
		return
	}
	t, err := h.response.SetTask(r.Context(), httpx.ActorFrom(r), id, task, in.Status == shieldwall.TaskDone)
	reply(w, r, http.StatusOK, t, err)
}

func (h *Handler) handleCaseAck(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	var c shieldwall.Case
	if err == nil {
		c, err = h.response.Acknowledge(r.Context(), httpx.ActorFrom(r), id)
	}
	reply(w, r, http.StatusOK, c, err)
}

func (h *Handler) handleReviewGet(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	var rv shieldwall.Review
	if err == nil {
		rv, err = h.response.Review(r.Context(), httpx.ActorFrom(r), id)
	}
	reply(w, r, http.StatusOK, rv, err)
}

func (h *Handler) handleReviewPut(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in response.ReviewInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	rv, err := h.response.SaveReview(r.Context(), httpx.ActorFrom(r), id, in)
	reply(w, r, http.StatusOK, rv, err)
}

func (h *Handler) handleReviewAction(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in response.ActionItemInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	a, err := h.response.AddReviewAction(r.Context(), httpx.ActorFrom(r), id, in)
	reply(w, r, http.StatusCreated, a, err)
}

func (h *Handler) handlePlaybooks(w http.ResponseWriter, r *http.Request) {
	pbs := h.response.Playbooks()
	items := make([]playbookView, 0, len(pbs))
	for _, pb := range pbs {
		v := playbookView{ID: pb.ID, Name: pb.Name, Description: pb.Description, Confidential: pb.Confidential, Roles: []playbookRole{}, Tasks: []playbookTask{}}
		for _, ro := range pb.Roles {
			v.Roles = append(v.Roles, playbookRole{ID: ro.ID, Name: ro.Name, Department: ro.Department, Description: ro.Description})
		}
		for _, t := range pb.Tasks {
			v.Tasks = append(v.Tasks, playbookTask{ID: t.ID, Role: t.Role, Title: t.Title, Due: t.DueText, DueSeconds: int64(t.Due / time.Second), Conditional: t.When != nil})
		}
		items = append(items, v)
	}
	page := shieldwall.Page{Limit: len(items)}
	if page.Limit == 0 {
		page.Limit = 1
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), page))
}

// playbookView is a playbook as clients see it.
type playbookView struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	Confidential bool           `json:"confidential"`
	Roles        []playbookRole `json:"roles"`
	Tasks        []playbookTask `json:"tasks"`
}

type playbookRole struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Department  string `json:"department"`
	Description string `json:"description,omitempty"`
}

type playbookTask struct {
	ID          string `json:"id"`
	Role        string `json:"role"`
	Title       string `json:"title"`
	Due         string `json:"due"`
	DueSeconds  int64  `json:"due_seconds"`
	Conditional bool   `json:"conditional"`
}

func (h *Handler) handleActionItems(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.ActionItemFilter{Status: shieldwall.ActionItemStatus(q.Get("status")), SourceType: q.Get("source_type"), Page: page}
	if q.Get("overdue") == "true" {
		f.OverdueOn = time.Now().UTC().Format(time.DateOnly)
	}
	if f.DepartmentID, err = h.accounts.DepartmentFilter(r.Context(), q.Get("department")); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, total, err := h.response.ActionItems(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleActionItemPatch(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in response.ActionItemPatch
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	a, err := h.response.UpdateActionItem(r.Context(), httpx.ActorFrom(r), id, in)
	reply(w, r, http.StatusOK, a, err)
}

func (h *Handler) handleDuties(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	_, duties, err := h.response.Duties(r.Context(), httpx.ActorFrom(r), id)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	page := shieldwall.Page{Limit: max(len(duties), 1)}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(duties, len(duties), page))
}

func (h *Handler) handleDutyPut(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	role, err := httpx.PathValue(r, "role")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in response.DutyInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	d, err := h.response.SetDuty(r.Context(), httpx.ActorFrom(r), id, role, in)
	reply(w, r, http.StatusOK, d, err)
}

// handleCaseEvents streams new timeline entries as server-sent events until
// the client leaves, the server stops, or the person loses access.
func (h *Handler) handleCaseEvents(w http.ResponseWriter, r *http.Request) {
	id, err := caseID(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	sub, err := h.response.Subscribe(r.Context(), httpx.ActorFrom(r), id)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	defer h.response.Hub().Unsubscribe(sub)
	StreamTimeline(w, r, sub, func(e shieldwall.TimelineEntry) ([]byte, error) { return json.Marshal(e) })
}

// StreamTimeline writes a subscription as server-sent events, each entry
// rendered by render; the pages use it with HTML, the API with JSON.
func StreamTimeline(w http.ResponseWriter, r *http.Request, sub *response.Subscription, render func(shieldwall.TimelineEntry) ([]byte, error)) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // let nginx pass events through at once
	w.WriteHeader(http.StatusOK)
	// A comment line opens the stream, so the client knows it is connected.
	if _, err := fmt.Fprint(w, ": connected\n\n"); err != nil {
		return
	}
	if rc.Flush() != nil {
		return
	}
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keepAlive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case e, open := <-sub.C:
			if !open {
				// Access changed or the stream fell behind: tell the client to
				// ask again, which checks access again.
				fmt.Fprint(w, "event: reset\ndata: {}\n\n")
				rc.Flush()
				return
			}
			data, err := render(e)
			if err != nil {
				return
			}
			if err := writeEvent(w, e.ID, "timeline", data); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// writeEvent writes one server-sent event; every line of data gets its own
// "data:" field, so a multi-line payload cannot end the event early.
func writeEvent(w http.ResponseWriter, id, event string, data []byte) error {
	data = bytes.ReplaceAll(data, []byte("\r"), nil) // a lone CR also ends a line in SSE
	if _, err := fmt.Fprintf(w, "id: %s\nevent: %s\n", id, event); err != nil {
		return err
	}
	start := 0
	for i := 0; i <= len(data); i++ {
		if i == len(data) || data[i] == '\n' {
			if _, err := fmt.Fprintf(w, "data: %s\n", data[start:i]); err != nil {
				return err
			}
			start = i + 1
		}
	}
	_, err := fmt.Fprint(w, "\n")
	return err
}
