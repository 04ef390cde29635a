package web

import (
	"net/http"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

// notificationsPage is the data of the notifications page.
type notificationsPage struct {
	shell
	Items []shieldwall.Notification
	Pager pager
}

// handleNotifications serves GET /notifications: the person's own
// notifications, newest first, the unread ones highlighted.
func (h *Handler) handleNotifications(w http.ResponseWriter, r *http.Request) {
	page, err := pageFrom(r, 50)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	items, total, _, err := h.notify.List(r.Context(), httpx.ActorFrom(r), shieldwall.NotificationFilter{Page: page})
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "notifications", notificationsPage{
		shell: h.shell(r, "Notifications"),
		Items: items,
		Pager: newPager(r.URL, total, page, len(items), ""),
	})
}

// handleNotificationOpen serves GET /notifications/{id}: it marks the
// notification read and goes on to what it is about. Marking read twice
// changes nothing, so following the link again is harmless.
func (h *Handler) handleNotificationOpen(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	var n shieldwall.Notification
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		// A link on another site must not change anything here: show the
		// notification's target without marking it read.
		n, err = h.notify.Get(r.Context(), httpx.ActorFrom(r), id)
	} else {
		n, err = h.notify.MarkRead(r.Context(), httpx.ActorFrom(r), id, false)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	to := "/notifications"
	if n.Link != "" {
		to = localPath(n.Link)
	}
	redirect(w, r, to)
}

// handleNotificationRead serves POST /notifications/{id}/read.
func (h *Handler) handleNotificationRead(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if _, err := h.notify.MarkRead(r.Context(), httpx.ActorFrom(r), id, false); err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, withNotice("/notifications", "notification-read"))
}
