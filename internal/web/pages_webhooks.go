package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/notify"
)

// webhooksPage is the data of the administrators' webhooks page.
type webhooksPage struct {
	shell
	Webhooks []shieldwall.Webhook
	Form     *form
	// Created is a webhook just added, with its secret shown this once.
	Created shieldwall.Webhook
}

// FormatOptions and UrgencyOptions are the choices of the add form.
func (webhooksPage) FormatOptions() []option  { return formatOptions }
func (webhooksPage) UrgencyOptions() []option { return urgencyOptions }

var urgencyOptions = []option{{Value: "critical", Label: "Critical only"}, {Value: "normal", Label: "Normal and critical"}, {Value: "low", Label: "Everything (low and above)"}}
var formatOptions = []option{{Value: "standard", Label: "Signed JSON (Standard Webhooks: SIEM, SOAR, ticketing)"}, {Value: "slack", Label: "Slack incoming webhook"}, {Value: "teams", Label: "Microsoft Teams incoming webhook"}}

func (h *Handler) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, f *form, created shieldwall.Webhook) {
	items, err := h.webhooks.List(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, status, "webhooks", webhooksPage{shell: h.shell(r, "Webhooks"), Webhooks: items, Form: f, Created: created})
}

// handleWebhooks serves GET /admin/webhooks.
func (h *Handler) handleWebhooks(w http.ResponseWriter, r *http.Request) {
	h.renderWebhooks(w, r, http.StatusOK, newForm(url.Values{"min_urgency": {"normal"}, "format": {"standard"}}), shieldwall.Webhook{})
}

// handleWebhookCreate serves POST /admin/webhooks. Like a new API token, it
// answers with the page itself so that the secret is shown once and parked nowhere.
func (h *Handler) handleWebhookCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	f := newForm(url.Values{"url": {r.PostFormValue("url")}, "min_urgency": {r.PostFormValue("min_urgency")},
		"format": {r.PostFormValue("format")}, "events": {r.PostFormValue("events")}})
	in := shieldwall.WebhookInput{URL: f.Get("url"), MinUrgency: shieldwall.Urgency(f.Get("min_urgency")),
		Format: shieldwall.WebhookFormat(f.Get("format")), Events: strings.FieldsFunc(f.Get("events"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' })}
	hook, err := h.webhooks.Create(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f.Fail(err, "url", "min_urgency", "format", "events")
			h.renderWebhooks(w, r, status, f, shieldwall.Webhook{})
		})
		return
	}
	h.renderWebhooks(w, r, http.StatusCreated, newForm(url.Values{"min_urgency": {"normal"}, "format": {"standard"}}), hook)
}

// handleWebhookDelete serves POST /admin/webhooks/{id}/delete.
func (h *Handler) handleWebhookDelete(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = h.webhooks.Delete(r.Context(), httpx.ActorFrom(r), id)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, withNotice("/admin/webhooks", "webhook-deleted"))
}

// deliveriesPage lists deliveries: one webhook's, or the dead letters.
type deliveriesPage struct {
	shell
	Webhook   *shieldwall.Webhook // nil on the dead-letter page
	Items     []shieldwall.Delivery
	Status    string
	Pager     pager
	MessageID func(string) string
}

// handleWebhookDeliveries serves GET /admin/webhooks/{id}: the webhook's
// deliveries with their attempts and last error.
func (h *Handler) handleWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	hook, err := h.webhooks.Get(r.Context(), httpx.ActorFrom(r), id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.renderDeliveries(w, r, &hook, shieldwall.DeliveryFilter{WebhookID: id})
}

// handleDeadLetters serves GET /admin/deliveries/dead: every message that
// ran out of retries or was refused for good, on any channel.
func (h *Handler) handleDeadLetters(w http.ResponseWriter, r *http.Request) {
	h.renderDeliveries(w, r, nil, shieldwall.DeliveryFilter{Status: shieldwall.DeliveryDead})
}

func (h *Handler) renderDeliveries(w http.ResponseWriter, r *http.Request, hook *shieldwall.Webhook, f shieldwall.DeliveryFilter) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	f.Page = page
	if hook != nil {
		switch s := shieldwall.DeliveryStatus(r.URL.Query().Get("status")); s {
		case "", shieldwall.DeliveryPending, shieldwall.DeliveryDelivered, shieldwall.DeliveryDead, shieldwall.DeliverySkipped:
			f.Status = s
		default:
			h.renderError(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "status must be pending, delivered, dead or skipped."))
			return
		}
	}
	items, total, err := h.webhooks.Deliveries(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	title := "Dead letters"
	if hook != nil {
		title = "Webhook deliveries"
	}
	h.render(w, r, http.StatusOK, "deliveries", deliveriesPage{shell: h.shell(r, title), Webhook: hook, Items: items, Status: string(f.Status),
		Pager: newPager(r.URL, total, page, len(items), ""), MessageID: notify.MessageID})
}

// handleDeliveryRetry serves POST /admin/deliveries/{id}/retry.
func (h *Handler) handleDeliveryRetry(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if _, err := h.webhooks.Retry(r.Context(), httpx.ActorFrom(r), id); err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, withNotice("/admin/deliveries/dead", "delivery-retried"))
}

// noisePage is the administrators' alert-fatigue measure.
type noisePage struct {
	shell
	Rows  []notify.Noise
	Weeks int
}

// handleNoise serves GET /admin/notifications/noise.
func (h *Handler) handleNoise(w http.ResponseWriter, r *http.Request) {
	rows, err := h.notify.Noise(r.Context(), httpx.ActorFrom(r), h.acc.Store().Now())
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "noise", noisePage{shell: h.shell(r, "Notification noise"), Rows: rows, Weeks: notify.NoiseWeeks})
}

// preferencesPage is the person's notification settings.
type preferencesPage struct {
	shell
	Form  *form
	Email map[string]bool // urgencies ticked for email
}

// DigestOptions are the digest choices.
func (preferencesPage) DigestOptions() []option { return digestOptions }

func newPreferencesPage(s shell, f *form) preferencesPage {
	p := preferencesPage{shell: s, Form: f, Email: map[string]bool{}}
	for _, u := range f.Values["email"] {
		p.Email[u] = true
	}
	return p
}

var digestOptions = []option{{Value: "none", Label: "No digest"}, {Value: "daily", Label: "Daily"}, {Value: "weekly", Label: "Weekly"}}

// handlePreferences serves GET /account/notifications.
func (h *Handler) handlePreferences(w http.ResponseWriter, r *http.Request) {
	p, err := h.notify.Preferences(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	f := newForm(url.Values{"digest": {string(p.Digest)}, "quiet_start": {p.QuietStart}, "quiet_end": {p.QuietEnd}, "time_zone": {p.TimeZone}})
	for _, u := range p.Email {
		f.Values.Add("email", string(u))
	}
	h.render(w, r, http.StatusOK, "preferences", newPreferencesPage(h.shell(r, "Notification settings"), f))
}

// handlePreferencesSave serves POST /account/notifications.
func (h *Handler) handlePreferencesSave(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	f := newForm(url.Values{"digest": {r.PostFormValue("digest")}, "quiet_start": {strings.TrimSpace(r.PostFormValue("quiet_start"))},
		"quiet_end": {strings.TrimSpace(r.PostFormValue("quiet_end"))}, "time_zone": {strings.TrimSpace(r.PostFormValue("time_zone"))}})
	p := shieldwall.NotificationPreferences{Digest: shieldwall.Digest(f.Get("digest")), QuietStart: f.Get("quiet_start"), QuietEnd: f.Get("quiet_end"),
		TimeZone: f.Get("time_zone"), Email: []shieldwall.Urgency{}}
	for _, u := range r.PostForm["email"] {
		f.Values.Add("email", u)
		p.Email = append(p.Email, shieldwall.Urgency(u))
	}
	if _, err := h.notify.SetPreferences(r.Context(), httpx.ActorFrom(r), p); err != nil {
		h.failForm(w, r, err, func(status int) {
			f.Fail(err, "email", "digest", "quiet_start", "quiet_end", "time_zone")
			h.render(w, r, status, "preferences", newPreferencesPage(h.shell(r, "Notification settings"), f))
		})
		return
	}
	redirect(w, r, withNotice("/account/notifications", "preferences-saved"))
}

// ackPage is the page an acknowledge link opens.
type ackPage struct {
	shell
	Token        string
	Notification shieldwall.Notification
	Done         bool
}

// handleAckLink serves GET /ack/{token}: it shows what the link
// acknowledges and a button. A GET never acknowledges, because mail
// scanners open links before people do.
func (h *Handler) handleAckLink(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	n, err := h.acks.Lookup(r.Context(), token)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the address
	data := ackPage{shell: h.shellFor(r, "Acknowledge", httpx.ActorFrom(r), httpx.EnsureCSRFCookie(w, r)), Token: token, Notification: n}
	if data.Actor.Anonymous() {
		// The link went to the notification's recipient alone, so whoever
		// opens it signed out is them: show its time in their zone.
		data.Zone = h.viewerLocation(r.Context(), n.UserID)
	}
	h.render(w, r, http.StatusOK, "ack", data)
}

// handleAckLinkConfirm serves POST /ack/{token}: the person confirmed.
func (h *Handler) handleAckLinkConfirm(w http.ResponseWriter, r *http.Request) {
	n, err := h.acks.Use(r.Context(), r.PathValue("token"))
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.render(w, r, http.StatusOK, "ack", ackPage{shell: h.shellFor(r, "Acknowledged", httpx.ActorFrom(r), httpx.CSRFFrom(r)), Notification: n, Done: true})
}

// handleNotificationAck serves POST /notifications/{id}/ack: the button on
// a critical notification.
func (h *Handler) handleNotificationAck(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if _, err := h.notify.MarkRead(r.Context(), httpx.ActorFrom(r), id, true); err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, withNotice("/notifications", "notification-acked"))
}

// handleBell serves GET /notifications/bell: the bell alone, which htmx
// fetches every 30 seconds so that an open page shows new notifications.
// Opened as a page (after signing in, say), it goes to the notifications.
func (h *Handler) handleBell(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-Request") != "true" {
		redirect(w, r, "/notifications")
		return
	}
	w.Header().Set("Vary", "HX-Request")
	w.Header().Set("Cache-Control", "no-store")
	h.execute(w, r, http.StatusOK, "notifications", "bell", h.shell(r, "Notifications"))
}
