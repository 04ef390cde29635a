package api

import (
	"net/http"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

// notificationList is the list envelope plus the unread count for the bell.
type notificationList struct {
	httpx.List[shieldwall.Notification]
	Unread int `json:"unread"`
}

func (h *Handler) handleNotificationList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	f := shieldwall.NotificationFilter{Page: page}
	switch r.URL.Query().Get("unread") {
	case "", "false":
	case "true":
		f.UnreadOnly = true
	default:
		httpx.WriteProblem(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "unread", "unread must be true or false."))
		return
	}
	items, total, unread, err := h.notify.List(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, notificationList{List: httpx.NewList(items, total, page), Unread: unread})
}

func (h *Handler) handleNotificationAck(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	n, err := h.notify.MarkRead(r.Context(), httpx.ActorFrom(r), id, true)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, n)
}
