package api

import (
	"net/http"

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
