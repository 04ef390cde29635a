package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shieldwall/shieldwall"
)

const webhookColumns = `id, url, format, min_urgency, events, secret, created_by, created_at, disabled_at, disabled_reason`

func scanWebhook(sc interface{ Scan(...any) error }) (shieldwall.Webhook, error) {
	var w shieldwall.Webhook
	var events string
	var created dbTime
	var disabled nullTime
	err := sc.Scan(&w.ID, &w.URL, &w.Format, &w.MinUrgency, &events, &w.Secret, &w.CreatedBy, &created, &disabled, &w.DisabledReason)
	w.Events, w.CreatedAt, w.DisabledAt = splitWords(events), created.Time, disabled.ptr()
	if w.Events == nil {
		w.Events = []string{}
	}
	return w, err
}

// CreateWebhook stores w, secret included; w.ID and w.CreatedAt are filled in.
func (tx *Tx) CreateWebhook(ctx context.Context, w *shieldwall.Webhook) error {
	if w.ID == "" {
		w.ID = NewID()
	}
	w.CreatedAt = tx.Now
	tx.outbox = nil
	_, err := tx.exec(ctx, `INSERT INTO webhooks (id, url, format, min_urgency, events, secret, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.URL, string(w.Format), string(w.MinUrgency), strings.Join(w.Events, " "), w.Secret, w.CreatedBy, at(w.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create webhook: %w", err)
	}
	return nil
}

// DeleteWebhook removes a webhook and its deliveries.
func (tx *Tx) DeleteWebhook(ctx context.Context, id string) (shieldwall.Webhook, error) {
	w, err := scanWebhook(tx.queryRow(ctx, "SELECT "+webhookColumns+" FROM webhooks WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, shieldwall.Errorf(shieldwall.ENOTFOUND, "Webhook not found.")
	} else if err != nil {
		return w, fmt.Errorf("store: find webhook: %w", err)
	}
	tx.outbox = nil
	if _, err := tx.exec(ctx, "DELETE FROM deliveries WHERE webhook_id = ?", id); err != nil {
		return w, fmt.Errorf("store: delete webhook deliveries: %w", err)
	}
	if _, err := tx.exec(ctx, "DELETE FROM webhooks WHERE id = ?", id); err != nil {
		return w, fmt.Errorf("store: delete webhook: %w", err)
	}
	return w, nil
}

// FindWebhook returns one webhook with its delivery counts; the secret is left out.
func (s *Store) FindWebhook(ctx context.Context, id string) (shieldwall.Webhook, error) {
	items, err := s.listWebhooks(ctx, "w.id = ?", id)
	if err != nil {
		return shieldwall.Webhook{}, err
	}
	if len(items) == 0 {
		return shieldwall.Webhook{}, shieldwall.Errorf(shieldwall.ENOTFOUND, "Webhook not found.")
	}
	return items[0], nil
}

// ListWebhooks returns every webhook, oldest first, with its delivery
// counts; secrets are left out.
func (s *Store) ListWebhooks(ctx context.Context) ([]shieldwall.Webhook, error) {
	return s.listWebhooks(ctx, "1 = 1")
}

func (s *Store) listWebhooks(ctx context.Context, where string, args ...any) ([]shieldwall.Webhook, error) {
	rows, err := s.r().query(ctx, `SELECT w.id, w.url, w.format, w.min_urgency, w.events, '', w.created_by, w.created_at, w.disabled_at, w.disabled_reason,
			COUNT(CASE WHEN d.status = 'pending' THEN 1 END), COUNT(CASE WHEN d.status = 'delivered' THEN 1 END), COUNT(CASE WHEN d.status = 'dead' THEN 1 END)
		FROM webhooks w LEFT JOIN deliveries d ON d.webhook_id = w.id WHERE `+where+`
		GROUP BY w.id, w.url, w.format, w.min_urgency, w.events, w.created_by, w.created_at, w.disabled_at, w.disabled_reason
		ORDER BY w.created_at, w.id`, args...)
	return collect(rows, err, "list webhooks", func(sc rowScanner) (shieldwall.Webhook, error) {
		var w shieldwall.Webhook
		var events string
		var created dbTime
		var disabled nullTime
		err := sc.Scan(&w.ID, &w.URL, &w.Format, &w.MinUrgency, &events, &w.Secret, &w.CreatedBy, &created, &disabled, &w.DisabledReason,
			&w.Pending, &w.Delivered, &w.Dead)
		w.Events, w.CreatedAt, w.DisabledAt = splitWords(events), created.Time, disabled.ptr()
		if w.Events == nil {
			w.Events = []string{}
		}
		return w, err
	})
}

// activeWebhooks returns the webhooks that are switched on, as this
// transaction sees them.
func (tx *Tx) activeWebhooks(ctx context.Context) ([]shieldwall.Webhook, error) {
	rows, err := tx.query(ctx, "SELECT "+webhookColumns+" FROM webhooks WHERE disabled_at IS NULL ORDER BY created_at, id")
	return collect(rows, err, "active webhooks", scanWebhook)
}

// NotificationPreferences returns a person's preferences, or the defaults
// when they never chose.
func (s *Store) NotificationPreferences(ctx context.Context, userID string) (shieldwall.NotificationPreferences, error) {
	return notificationPreferences(ctx, s.r(), userID)
}

func notificationPreferences(ctx context.Context, q queryer, userID string) (shieldwall.NotificationPreferences, error) {
	p := shieldwall.NotificationPreferences{UserID: userID}
	var email string
	var updated dbTime
	err := q.queryRow(ctx, `SELECT email, digest, quiet_start, quiet_end, time_zone, updated_at FROM notification_preferences WHERE user_id = ?`, userID).
		Scan(&email, &p.Digest, &p.QuietStart, &p.QuietEnd, &p.TimeZone, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return shieldwall.DefaultPreferences(userID), nil
	} else if err != nil {
		return p, fmt.Errorf("store: notification preferences: %w", err)
	}
	p.UpdatedAt = updated.Time
	p.Email = []shieldwall.Urgency{}
	for _, u := range splitWords(email) {
		p.Email = append(p.Email, shieldwall.Urgency(u))
	}
	return p, nil
}

// SetNotificationPreferences stores a person's validated preferences.
func (tx *Tx) SetNotificationPreferences(ctx context.Context, p *shieldwall.NotificationPreferences) error {
	p.UpdatedAt = tx.Now
	tx.outbox = nil
	email := make([]string, len(p.Email))
	for i, u := range p.Email {
		email[i] = string(u)
	}
	_, err := tx.exec(ctx, `INSERT INTO notification_preferences (user_id, email, digest, quiet_start, quiet_end, time_zone, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, digest = excluded.digest, quiet_start = excluded.quiet_start,
			quiet_end = excluded.quiet_end, time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
		p.UserID, strings.Join(email, " "), string(p.Digest), p.QuietStart, p.QuietEnd, p.TimeZone, at(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: set notification preferences: %w", err)
	}
	return nil
}
