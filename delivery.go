package shieldwall

import (
	"slices"
	"time"
)

// WebhookFormat is the body a webhook receives.
type WebhookFormat string

// The webhook formats.
const (
	WebhookStandard WebhookFormat = "standard" // JSON signed per Standard Webhooks, for SIEM, SOAR and ticketing
	WebhookSlack    WebhookFormat = "slack"    // a Slack incoming webhook: {"text": …}
	WebhookTeams    WebhookFormat = "teams"    // a Teams incoming webhook: {"text": …}
)

// Valid reports whether f is a webhook format.
func (f WebhookFormat) Valid() bool {
	return f == WebhookStandard || f == WebhookSlack || f == WebhookTeams
}

// Webhook is an outside receiver of notifications, configured by an
// administrator: every notification at MinUrgency or above whose kind is
// in Events (all kinds when Events is empty) is posted to URL.
type Webhook struct {
	ID             string        `json:"id"`
	URL            string        `json:"url"`
	Format         WebhookFormat `json:"format"`
	MinUrgency     Urgency       `json:"min_urgency"`
	Events         []string      `json:"events"`
	CreatedBy      string        `json:"created_by"`
	CreatedAt      time.Time     `json:"created_at"`
	DisabledAt     *time.Time    `json:"disabled_at"`
	DisabledReason string        `json:"disabled_reason,omitempty"`
	// Secret signs the Standard Webhooks body; the API shows it only once, at creation.
	Secret string `json:"secret,omitempty"`
	// Counts of its deliveries by state, for the administrators' page.
	Pending   int `json:"pending"`
	Delivered int `json:"delivered"`
	Dead      int `json:"dead"`
}

// Matches reports whether the webhook wants notification n.
func (w Webhook) Matches(n Notification) bool {
	if w.DisabledAt != nil || n.Urgency.Rank() < w.MinUrgency.Rank() || n.Kind == NotifyDigest {
		return false
	}
	return len(w.Events) == 0 || slices.Contains(w.Events, n.Kind)
}

// WebhookInput is what an administrator gives to add a webhook.
type WebhookInput struct {
	URL        string        `json:"url"`
	MinUrgency Urgency       `json:"min_urgency"`
	Events     []string      `json:"events"`
	Format     WebhookFormat `json:"format"`
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// The delivery states. Every delivery ends delivered, dead or skipped;
// none is ever removed while its notification exists.
const (
	DeliveryPending   DeliveryStatus = "pending"   // waiting for its first or next attempt
	DeliveryDelivered DeliveryStatus = "delivered" // the receiver accepted it
	DeliveryDead      DeliveryStatus = "dead"      // the retry budget is spent, or the receiver refused it for good: dead-lettered
	DeliverySkipped   DeliveryStatus = "skipped"   // the channel cannot send (no mail server configured, webhook disabled)
)

// The delivery channels besides in-app, which is the notification itself.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Delivery is one message of one notification through one channel. Its ID
// is the stable message id a receiver sees on every attempt (webhook-id,
// Message-ID), so that it can drop duplicates.
type Delivery struct {
	ID             string         `json:"id"`
	NotificationID string         `json:"notification_id"`
	Channel        string         `json:"channel"`
	WebhookID      string         `json:"webhook_id,omitempty"`
	Status         DeliveryStatus `json:"status"`
	Attempts       int            `json:"attempts"`
	NextAt         time.Time      `json:"next_at"`
	FirstTryAt     *time.Time     `json:"first_try_at"`
	LastAttemptAt  *time.Time     `json:"last_attempt_at"`
	LastStatus     int            `json:"last_status"`
	LastError      string         `json:"last_error"`
	CreatedAt      time.Time      `json:"created_at"`
	DeliveredAt    *time.Time     `json:"delivered_at"`
	// Kind, Urgency and Title come from the notification, for the page.
	Kind    string  `json:"kind"`
	Urgency Urgency `json:"urgency"`
	Title   string  `json:"title"`
}

// DeliveryFilter narrows a list of deliveries.
type DeliveryFilter struct {
	WebhookID string
	Status    DeliveryStatus
	Page
}
