package notify

import (
	"context"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/delivery"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// ValidateWebhook checks an administrator's input, names the field at
// fault, and fills defaults: format standard, min_urgency normal.
func ValidateWebhook(in *shieldwall.WebhookInput) error {
	in.URL = strings.TrimSpace(in.URL)
	if err := validateWebhookURL(in.URL); err != nil {
		return err
	}
	if in.MinUrgency == "" {
		in.MinUrgency = shieldwall.UrgencyNormal
	}
	if !in.MinUrgency.Valid() {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "min_urgency", "min_urgency must be critical, normal or low.")
	}
	if in.Format == "" {
		in.Format = shieldwall.WebhookStandard
	}
	if !in.Format.Valid() {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "format", "format must be standard, slack or teams.")
	}
	if len(in.Events) > 50 {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "events", "Name at most 50 events, or none for all.")
	}
	seen := map[string]bool{}
	events := []string{}
	for _, e := range in.Events {
		e = strings.TrimSpace(e)
		if !validEventName(e) {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "events", "%q is not an event name such as report.answered.", e)
		}
		if !seen[e] {
			seen[e] = true
			events = append(events, e)
		}
	}
	in.Events = events
	return nil
}

// validateWebhookURL accepts an absolute http or https address of a host,
// without credentials or fragment (a secret in a URL ends up in logs).
func validateWebhookURL(raw string) error {
	bad := func(format string, args ...any) error {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "url", format, args...)
	}
	if raw == "" {
		return bad("Give the receiver's address, such as https://siem.example.com/hooks/shieldwall.")
	}
	if len(raw) > 2000 {
		return bad("The address is longer than 2,000 characters.")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("%q is not a web address.", raw)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return bad("The address must start with https:// (or http:// on an internal network).")
	}
	if u.Host == "" || u.Hostname() == "" {
		return bad("The address has no host name.")
	}
	if u.User != nil {
		return bad("Put no user name or password in the address: receivers check the signature instead.")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return bad("The address must not contain a #fragment.")
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil || p == "0" {
			return bad("Port %q is not a port number.", p)
		}
	}
	for _, r := range raw {
		if r <= ' ' || r == 0x7f {
			return bad("The address contains spaces or control characters.")
		}
	}
	return nil
}

func validEventName(e string) bool {
	if e == "" || len(e) > 64 {
		return false
	}
	for i := 0; i < len(e); i++ {
		c := e[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Webhooks is what administrators do with webhooks.
type Webhooks struct {
	st *store.Store
}

// NewWebhooks returns the webhook service.
func NewWebhooks(st *store.Store) *Webhooks { return &Webhooks{st: st} }

// Create adds a webhook and returns it with its signing secret, which is
// never shown again.
func (s *Webhooks) Create(ctx context.Context, actor shieldwall.Actor, in shieldwall.WebhookInput) (shieldwall.Webhook, error) {
	if err := policy.Authorize(actor, policy.WebhookManage, nil); err != nil {
		return shieldwall.Webhook{}, err
	}
	if err := ValidateWebhook(&in); err != nil {
		return shieldwall.Webhook{}, err
	}
	w := shieldwall.Webhook{URL: in.URL, Format: in.Format, MinUrgency: in.MinUrgency, Events: in.Events,
		Secret: delivery.NewSecret(), CreatedBy: actor.UserID}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateWebhook(ctx, &w); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "webhook.create", "webhook", w.ID, "webhook to "+w.URL+" ("+string(w.Format)+", "+string(w.MinUrgency)+" and above)")
	})
	return w, err
}

// Delete removes a webhook and its deliveries.
func (s *Webhooks) Delete(ctx context.Context, actor shieldwall.Actor, id string) error {
	if err := policy.Authorize(actor, policy.WebhookManage, nil); err != nil {
		return err
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		w, err := tx.DeleteWebhook(ctx, id)
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "webhook.delete", "webhook", id, "webhook to "+w.URL+" removed")
	})
}

// List returns every webhook with its delivery counts; no secrets.
func (s *Webhooks) List(ctx context.Context, actor shieldwall.Actor) ([]shieldwall.Webhook, error) {
	if err := policy.Authorize(actor, policy.WebhookManage, nil); err != nil {
		return nil, err
	}
	return s.st.ListWebhooks(ctx)
}

// Get returns one webhook; no secret.
func (s *Webhooks) Get(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Webhook, error) {
	if err := policy.Authorize(actor, policy.WebhookManage, nil); err != nil {
		return shieldwall.Webhook{}, err
	}
	return s.st.FindWebhook(ctx, id)
}

// Deliveries lists deliveries, newest first: one webhook's, or with an
// empty webhook id and status dead, the dead letters of every channel.
func (s *Webhooks) Deliveries(ctx context.Context, actor shieldwall.Actor, f shieldwall.DeliveryFilter) ([]shieldwall.Delivery, int, error) {
	if err := policy.Authorize(actor, policy.WebhookManage, nil); err != nil {
		return nil, 0, err
	}
	if f.WebhookID != "" {
		if _, err := s.st.FindWebhook(ctx, f.WebhookID); err != nil {
			return nil, 0, err
		}
	}
	return s.st.ListDeliveries(ctx, f)
}

// Retry puts a dead-lettered delivery back in the queue with the same message id.
func (s *Webhooks) Retry(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Delivery, error) {
	if err := policy.Authorize(actor, policy.WebhookManage, nil); err != nil {
		return shieldwall.Delivery{}, err
	}
	var d shieldwall.Delivery
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if d, err = tx.RetryDelivery(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "delivery.retry", "delivery", id, "dead letter sent again")
	})
	return d, err
}

// Preferences returns the actor's notification preferences.
func (s *Service) Preferences(ctx context.Context, actor shieldwall.Actor) (shieldwall.NotificationPreferences, error) {
	if err := policy.Authorize(actor, policy.NotificationPreferences, nil); err != nil {
		return shieldwall.NotificationPreferences{}, err
	}
	if actor.UserID == "" {
		return shieldwall.NotificationPreferences{}, shieldwall.Errorf(shieldwall.EINVALID, "Only a person has notification preferences.")
	}
	return s.store.NotificationPreferences(ctx, actor.UserID)
}

// SetPreferences validates and stores the actor's preferences.
func (s *Service) SetPreferences(ctx context.Context, actor shieldwall.Actor, p shieldwall.NotificationPreferences) (shieldwall.NotificationPreferences, error) {
	if err := policy.Authorize(actor, policy.NotificationPreferences, nil); err != nil {
		return p, err
	}
	if actor.UserID == "" {
		return p, shieldwall.Errorf(shieldwall.EINVALID, "Only a person has notification preferences.")
	}
	p.UserID = actor.UserID
	if err := p.Validate(); err != nil {
		return p, err
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetNotificationPreferences(ctx, &p); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "notification.preferences", "user", actor.UserID, "notification preferences changed")
	})
	return p, err
}

// NoiseWeeks is the window of the noise measure.
const NoiseWeeks = 4

// Noise is one department's notifications per person per week.
type Noise struct {
	store.NoiseRow
	Critical, Normal, Low, Total float64 // per person per week
}

// Noise measures notifications per person per week over the last
// NoiseWeeks weeks, by department and urgency (administrators).
func (s *Service) Noise(ctx context.Context, actor shieldwall.Actor, now time.Time) ([]Noise, error) {
	if err := policy.Authorize(actor, policy.NotificationNoise, nil); err != nil {
		return nil, err
	}
	rows, err := s.store.NotificationNoise(ctx, now.Add(-NoiseWeeks*7*24*time.Hour))
	if err != nil {
		return nil, err
	}
	out := make([]Noise, len(rows))
	for i, r := range rows {
		out[i].NoiseRow = r
		if r.People == 0 {
			continue
		}
		per := func(n int) float64 { return float64(n) / float64(r.People) / NoiseWeeks }
		out[i].Critical, out[i].Normal, out[i].Low = per(r.Critical), per(r.Normal), per(r.Low)
		out[i].Total = per(r.Critical + r.Normal + r.Low)
	}
	return out, nil
}
