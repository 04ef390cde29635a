package api

import (
	"net/http"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

// riskList is the list envelope of the register plus its heat map.
type riskList struct {
	httpx.List[shieldwall.Risk]
	HeatMap  [5][5]govern.HeatCell `json:"heat_map"`
	Appetite int                   `json:"appetite"`
}

func (h *Handler) handleRiskList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.RiskFilter{Level: q.Get("level"), Query: q.Get("q"), Page: page}
	if f.DepartmentID, err = h.accounts.DepartmentFilter(r.Context(), q.Get("department")); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	l, err := h.govern.ListRisks(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, riskList{List: httpx.NewList(l.Items, l.Total, page), HeatMap: l.HeatMap, Appetite: l.Appetite})
}

func (h *Handler) handleRiskGet(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var risk shieldwall.Risk
		if risk, err = h.govern.GetRisk(r.Context(), httpx.ActorFrom(r), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, risk)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleRiskCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.RiskInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	risk, err := h.govern.CreateRisk(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/risks/"+risk.ID)
	httpx.WriteJSON(w, http.StatusCreated, risk)
}

func (h *Handler) handleRiskUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in shieldwall.RiskInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	if in.Concerns != nil {
		httpx.WriteProblem(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "concerns", "Concerns are drafted when a risk is created; write a department's impact at /api/v1/risks/{id}/impacts."))
		return
	}
	risk, err := h.govern.UpdateRisk(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, risk)
}

func (h *Handler) handleRiskImpact(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in shieldwall.RiskImpactInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	risk, err := h.govern.PutImpact(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, risk)
}

func (h *Handler) handleRiskAcceptance(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var risk shieldwall.Risk
		if risk, err = h.govern.SignOffAcceptance(r.Context(), httpx.ActorFrom(r), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, risk)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleFrameworkList(w http.ResponseWriter, r *http.Request) {
	items, err := h.govern.ListFrameworks(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: shieldwall.MaxLimit}))
}

// handleFrameworkImport reads an OSCAL catalog: the body is the catalog's
// JSON itself, up to govern.MaxOSCALImport bytes.
func (h *Handler) handleFrameworkImport(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, govern.MaxOSCALImport+1)
	fw, err := h.govern.ImportFramework(r.Context(), httpx.ActorFrom(r), r.URL.Query().Get("id"), r.Body)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/frameworks/"+fw.ID+"/requirements")
	httpx.WriteJSON(w, http.StatusCreated, fw)
}

func (h *Handler) handleFrameworkRequirements(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var items []govern.RequirementView
		if items, err = h.govern.Requirements(r.Context(), httpx.ActorFrom(r), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: len(items) + 1}))
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleSoA(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var b []byte
		if b, err = h.govern.StatementOfApplicability(r.Context(), httpx.ActorFrom(r), id); err == nil {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="statement-of-applicability-`+id+`.csv"`)
			_, _ = w.Write(b)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleCompliance(w http.ResponseWriter, r *http.Request) {
	items, err := h.govern.Compliance(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: shieldwall.MaxLimit}))
}

func (h *Handler) handleControlList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.ControlFilter{FrameworkID: q.Get("framework"), Status: q.Get("status"), Page: page}
	if f.DepartmentID, err = h.accounts.DepartmentFilter(r.Context(), q.Get("department")); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, total, err := h.govern.ListControls(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleControlCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.ControlInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	c, err := h.govern.CreateControl(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/controls/"+c.ID)
	httpx.WriteJSON(w, http.StatusCreated, c)
}

func (h *Handler) handleControlGet(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var c shieldwall.Control
		if c, _, err = h.govern.GetControl(r.Context(), httpx.ActorFrom(r), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, c)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleControlUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in shieldwall.ControlInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	c, err := h.govern.UpdateControl(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, c)
}

func (h *Handler) handleEvidenceList(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var items []shieldwall.Evidence
		if _, items, err = h.govern.GetControl(r.Context(), httpx.ActorFrom(r), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: shieldwall.MaxLimit}))
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleEvidenceAdd(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in shieldwall.EvidenceInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	e, err := h.govern.AddEvidence(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, e)
}

func (h *Handler) handleEvidenceFile(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	var ev string
	if err == nil {
		ev, err = httpx.PathValue(r, "evidence")
	}
	if err == nil {
		var e shieldwall.Evidence
		var data []byte
		if e, data, err = h.govern.EvidenceFile(r.Context(), httpx.ActorFrom(r), id, ev); err == nil {
			// Served as a download, never rendered: the file is someone's upload.
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", `attachment; filename="`+e.Filename+`"`)
			_, _ = w.Write(data)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleEvidenceExpiring(w http.ResponseWriter, r *http.Request) {
	items, err := h.govern.ExpiringEvidence(r.Context(), httpx.ActorFrom(r), r.URL.Query().Get("all") == "true")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: shieldwall.MaxLimit}))
}

func (h *Handler) handleMemberList(w http.ResponseWriter, r *http.Request) {
	items, err := h.govern.Members(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: shieldwall.MaxLimit}))
}

func (h *Handler) handleMemberAdd(w http.ResponseWriter, r *http.Request) {
	var in govern.MemberInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, err := h.govern.AddMember(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: shieldwall.MaxLimit}))
}

func (h *Handler) handleMeetingList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, total, err := h.govern.ListMeetings(r.Context(), httpx.ActorFrom(r), page)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleMeetingCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.MeetingInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	m, err := h.govern.CreateMeeting(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/meetings/"+m.ID)
	httpx.WriteJSON(w, http.StatusCreated, m)
}

func (h *Handler) handleMeetingGet(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	// GET /api/v1/meetings/{id}.ics is the calendar file: a path pattern
	// cannot end a wildcard with a suffix, so the suffix is read here.
	if bare, ok := strings.CutSuffix(id, ".ics"); ok && err == nil {
		h.writeMeetingICS(w, r, bare)
		return
	}
	if err == nil {
		var m shieldwall.Meeting
		if m, err = h.govern.GetMeeting(r.Context(), httpx.ActorFrom(r), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, m)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleMeetingUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in shieldwall.MeetingInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	m, err := h.govern.UpdateMeeting(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, m)
}

func (h *Handler) handleMeetingItem(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in struct {
		Title string `json:"title"`
		Notes string `json:"notes"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	m, err := h.govern.AddItem(r.Context(), httpx.ActorFrom(r), id, shieldwall.MeetingItem{Title: in.Title, Notes: in.Notes})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, m)
}

func (h *Handler) handleMeetingDecision(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in struct {
		Text       string `json:"text"`
		ObjectType string `json:"object_type"`
		ObjectID   string `json:"object_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	d, err := h.govern.AddDecision(r.Context(), httpx.ActorFrom(r), id, shieldwall.Decision{Text: in.Text, ObjectType: in.ObjectType, ObjectID: in.ObjectID})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, d)
}

func (h *Handler) handleMeetingAction(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in govern.ActionInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	a, err := h.govern.AddActionItem(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, a)
}

func (h *Handler) handleMeetingICS(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	h.writeMeetingICS(w, r, id)
}

func (h *Handler) writeMeetingICS(w http.ResponseWriter, r *http.Request, id string) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	b, err := h.govern.MeetingICS(r.Context(), httpx.ActorFrom(r), id, scheme+"://"+r.Host)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="meeting.ics"`)
	_, _ = w.Write(b)
}

func (h *Handler) handleDecisionList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	items, err := h.govern.Decisions(r.Context(), httpx.ActorFrom(r), q.Get("object_type"), q.Get("object_id"))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: shieldwall.MaxLimit}))
}

func (h *Handler) handleProjectReviewList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, total, err := h.govern.ListReviews(r.Context(), httpx.ActorFrom(r), r.URL.Query().Get("status"), page)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleProjectReviewCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.ProjectReviewInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	p, err := h.govern.RequestReview(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/reviews/"+p.ID)
	httpx.WriteJSON(w, http.StatusCreated, p)
}

func (h *Handler) handleProjectReviewGet(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var p shieldwall.ProjectReview
		if p, err = h.govern.GetReview(r.Context(), httpx.ActorFrom(r), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, p)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleProjectReviewDecide(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in shieldwall.ReviewDecisionInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	p, err := h.govern.Decide(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (h *Handler) handleAppList(w http.ResponseWriter, r *http.Request) {
	items, err := h.govern.ListApps(r.Context(), httpx.ActorFrom(r), r.URL.Query().Get("status"))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: shieldwall.MaxLimit}))
}

func (h *Handler) handleAppPut(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        string `json:"name"`
		Status      string `json:"status"`
		Description string `json:"description"`
		Alternative string `json:"alternative"`
		Reason      string `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	a, err := h.govern.PutApp(r.Context(), httpx.ActorFrom(r), shieldwall.App{Name: in.Name, Status: in.Status, Description: in.Description, Alternative: in.Alternative, Reason: in.Reason})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a)
}

func (h *Handler) handleAppDeclare(w http.ResponseWriter, r *http.Request) {
	var in govern.DeclareInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	d, err := h.govern.Declare(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, d)
}

// controlsImport carries a controls CSV inside JSON, so that the request
// stays one JSON document like the rest of the API.
type controlsImport struct {
	CSV string `json:"csv"`
}

func (h *Handler) handleControlImport(w http.ResponseWriter, r *http.Request) {
	var in controlsImport
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	n, err := h.govern.ImportControls(r.Context(), httpx.ActorFrom(r), strings.NewReader(in.CSV))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]int{"imported": n})
}

func (h *Handler) handleGovernSettingsGet(w http.ResponseWriter, r *http.Request) {
	s, err := h.govern.GetSettings(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, s)
}

func (h *Handler) handleGovernSettingsPut(w http.ResponseWriter, r *http.Request) {
	var in govern.Settings
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	s, err := h.govern.SetSettings(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, s)
}

func (h *Handler) handleEvidenceRemind(w http.ResponseWriter, r *http.Request) {
	n, err := h.govern.RemindExpiringEvidence(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int{"reminded": n})
}
