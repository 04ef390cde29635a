package api

import (
	"net/http"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

func (h *Handler) handleWebhookList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, err := h.webhooks.List(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	// Webhooks are few; the page is cut here rather than in SQL.
	page = page.Normalize()
	total := len(items)
	items = items[min(page.Offset, total):min(page.Offset+page.Limit, total)]
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleWebhookCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.WebhookInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	hook, err := h.webhooks.Create(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/webhooks/"+hook.ID+"/deliveries")
	httpx.WriteJSON(w, http.StatusCreated, hook)
}

func (h *Handler) handleWebhookDelete(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = h.webhooks.Delete(r.Context(), httpx.ActorFrom(r), id)
	}
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) handleWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	h.listDeliveries(w, r, id)
}

// handleDeliveryList serves GET /api/v1/deliveries: every channel's
// deliveries; status=dead lists the dead letters.
func (h *Handler) handleDeliveryList(w http.ResponseWriter, r *http.Request) {
	h.listDeliveries(w, r, "")
}

func (h *Handler) listDeliveries(w http.ResponseWriter, r *http.Request, id string) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	f := shieldwall.DeliveryFilter{WebhookID: id, Page: page}
	switch s := shieldwall.DeliveryStatus(r.URL.Query().Get("status")); s {
	case "", shieldwall.DeliveryPending, shieldwall.DeliveryDelivered, shieldwall.DeliveryDead, shieldwall.DeliverySkipped:
		f.Status = s
	default:
		httpx.WriteProblem(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "status must be pending, delivered, dead or skipped."))
		return
	}
	items, total, err := h.webhooks.Deliveries(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleDeliveryRetry(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	d, err := h.webhooks.Retry(r.Context(), httpx.ActorFrom(r), id)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, d)
}

func (h *Handler) handlePreferencesGet(w http.ResponseWriter, r *http.Request) {
	p, err := h.notify.Preferences(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (h *Handler) handlePreferencesPut(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.NotificationPreferences
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	p, err := h.notify.SetPreferences(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}
