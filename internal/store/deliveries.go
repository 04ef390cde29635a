package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
)

// enqueueDeliveries writes, in the transaction of notification n, one
// delivery per outside channel n goes to: email when the person wants this
// urgency by email (held back until their quiet hours end, except critical),
// and one per webhook that matches n. It is the outbox: the message exists
// exactly when the change that caused it does.
func (tx *Tx) enqueueDeliveries(ctx context.Context, n *shieldwall.Notification) error {
	// A change that notifies many people (a SEV1, a campaign decided) reads
	// the webhooks and each person's preferences once per transaction.
	if tx.outbox == nil {
		hooks, err := tx.activeWebhooks(ctx)
		if err != nil {
			return err
		}
		tx.outbox = &outboxCache{hooks: hooks, prefs: map[string]shieldwall.NotificationPreferences{}}
	}
	prefs, ok := tx.outbox.prefs[n.UserID]
	if !ok {
		var err error
		if prefs, err = notificationPreferences(ctx, tx, n.UserID); err != nil {
			return err
		}
		tx.outbox.prefs[n.UserID] = prefs
	}
	if prefs.WantsEmail(n.Urgency) {
		if err := tx.insertDelivery(ctx, n.ID, shieldwall.ChannelEmail, "", prefs.HoldUntil(n.Urgency, tx.Now)); err != nil {
			return err
		}
	}
	for _, w := range tx.outbox.hooks {
		if w.Matches(*n) {
			if err := tx.insertDelivery(ctx, n.ID, shieldwall.ChannelWebhook, w.ID, tx.Now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tx *Tx) insertDelivery(ctx context.Context, notificationID, channel, webhookID string, nextAt time.Time) error {
	var hook any
	if webhookID != "" {
		hook = webhookID
	}
	_, err := tx.exec(ctx, sqlInsertDelivery,
		NewID(), notificationID, channel, hook, at(nextAt), at(tx.Now))
	if err != nil {
		return fmt.Errorf("store: add delivery: %w", err)
	}
	tx.queued = true
	return nil
}

const sqlInsertDelivery = `INSERT INTO deliveries (id, notification_id, channel, webhook_id, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`

// outboxCache is what enqueueDeliveries read in this transaction. A
// transaction that changes webhooks or preferences and then notifies would
// see stale values, so those writes drop it.
type outboxCache struct {
	hooks []shieldwall.Webhook
	prefs map[string]shieldwall.NotificationPreferences
}

// DeliveryQueued is signalled (without blocking) after a transaction that
// queued deliveries commits, so the worker of this process starts at once
// instead of at its next poll.
func (s *Store) DeliveryQueued() <-chan struct{} { return s.queued }

// DeliveryJob is a claimed delivery with everything needed to send it.
type DeliveryJob struct {
	shieldwall.Delivery
	Notification shieldwall.Notification
	// Webhook: where and how to post; empty for email.
	WebhookURL    string
	WebhookFormat shieldwall.WebhookFormat
	WebhookSecret string
	// Email: the person the notification is for, and whether they are still active.
	Email  string
	Name   string
	Active bool
	// LeaseOwner proves the claim when the outcome is recorded; LeaseUntil
	// is when another worker may take the delivery over.
	LeaseOwner string
	LeaseUntil time.Time
}

// ClaimDeliveries leases up to limit pending deliveries that are due at
// now and whose lease is free or has expired (the worker holding it died),
// and counts the attempt. Several workers, in this process or on other
// replicas, never hold the same delivery at once: on PostgreSQL the rows
// are locked with SKIP LOCKED, and SQLite has a single writer.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]DeliveryJob, error) {
	// Look first on the read pool: an idle worker then never takes the
	// write lock (SQLite's single writer) just to find nothing due.
	var due int
	err := s.r().queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM deliveries WHERE status = 'pending' AND next_at <= ?
		AND (lease_until IS NULL OR lease_until < ?) LIMIT 1) d`, at(now), at(now)).Scan(&due)
	if err != nil {
		return nil, fmt.Errorf("store: look for due deliveries: %w", err)
	}
	if due == 0 {
		return nil, nil
	}
	var b [16]byte
	rand.Read(b[:])
	owner := hex.EncodeToString(b[:])
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: claim deliveries: %w", err)
	}
	defer tx.Rollback()
	// The candidates are chosen once, in a materialised CTE: PostgreSQL may
	// otherwise re-run a LIMIT subquery inside IN and claim more than limit.
	q := `WITH due AS MATERIALIZED (SELECT id FROM deliveries WHERE status = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?)
			ORDER BY next_at LIMIT ?` + s.d.skipLocked + `)
		UPDATE deliveries SET lease_until = ?, lease_owner = ?, attempts = attempts + 1,
			first_try_at = COALESCE(first_try_at, ?), last_attempt_at = ?
		WHERE id IN (SELECT id FROM due) AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)`
	res, err := tx.ExecContext(ctx, s.d.rebind(q), at(now), at(now), limit, at(now.Add(lease)), owner, at(now), at(now), at(now))
	if err != nil {
		return nil, fmt.Errorf("store: claim deliveries: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT d.id, d.notification_id, d.channel, COALESCE(d.webhook_id, ''), d.attempts, d.first_try_at, d.next_at, d.created_at,
			n.id, n.user_id, n.urgency, n.kind, n.title, n.body, n.link, n.object_type, n.object_id, n.created_at, n.repeats, n.acked_at,
			COALESCE(w.url, ''), COALESCE(w.format, ''), COALESCE(w.secret, ''), u.email, u.name, u.active
		FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN users u ON u.id = n.user_id
		LEFT JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.lease_owner = ? ORDER BY d.next_at`), owner)
	if err != nil {
		return nil, fmt.Errorf("store: read claimed deliveries: %w", err)
	}
	defer rows.Close()
	var jobs []DeliveryJob
	for rows.Next() {
		j := DeliveryJob{LeaseOwner: owner, LeaseUntil: now.Add(lease)}
		var first nullTime
		var next, created, ncreated dbTime
		var acked nullTime
		n := &j.Notification
		if err := rows.Scan(&j.ID, &j.NotificationID, &j.Channel, &j.WebhookID, &j.Attempts, &first, &next, &created,
			&n.ID, &n.UserID, &n.Urgency, &n.Kind, &n.Title, &n.Body, &n.Link, &n.ObjectType, &n.ObjectID, &ncreated, &n.More, &acked,
			&j.WebhookURL, &j.WebhookFormat, &j.WebhookSecret, &j.Email, &j.Name, &j.Active); err != nil {
			return nil, fmt.Errorf("store: scan claimed delivery: %w", err)
		}
		j.FirstTryAt, j.NextAt, j.CreatedAt, n.CreatedAt, n.AckedAt = first.ptr(), next.Time, created.Time, ncreated.Time, acked.ptr()
		j.Status = shieldwall.DeliveryPending
		j.Kind, j.Urgency, j.Title = n.Kind, n.Urgency, n.Title
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read claimed deliveries: %w", err)
	}
	rows.Close()
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: claim deliveries: %w", err)
	}
	return jobs, nil
}

// DeliveryOutcome is what became of one attempt.
type DeliveryOutcome struct {
	Status     shieldwall.DeliveryStatus // pending again (retry), delivered, dead or skipped
	NextAt     time.Time                 // for a retry
	LastStatus int
	LastError  string
}

// ErrLeaseLost means another worker took the delivery over (this one's
// lease had expired); its own outcome stands.
var ErrLeaseLost = errors.New("store: delivery lease lost")

// RecordDelivery records the outcome of an attempt and frees the lease. It
// is operational bookkeeping, not a change anyone made, so it is not audited.
func (s *Store) RecordDelivery(ctx context.Context, j DeliveryJob, o DeliveryOutcome, now time.Time) error {
	lost, err := s.RecordDeliveries(ctx, []DeliveryJob{j}, []DeliveryOutcome{o}, now)
	if err == nil && lost > 0 {
		return ErrLeaseLost
	}
	return err
}

// RecordDeliveries records the outcomes of a batch in one transaction (one
// disk flush instead of one per message). Like outcomes (most often
// "delivered") are written by one statement each, so a batch costs a few
// round trips rather than one per message. It returns how many records
// were refused because another worker had taken the delivery over.
func (s *Store) RecordDeliveries(ctx context.Context, jobs []DeliveryJob, outcomes []DeliveryOutcome, now time.Time) (lost int, err error) {
	type key struct {
		status     shieldwall.DeliveryStatus
		next       time.Time
		lastStatus int
		lastError  string
		owner      string
	}
	groups := map[key][]any{}
	var order []key
	for i, j := range jobs {
		o := outcomes[i]
		k := key{o.Status, o.NextAt, o.LastStatus, truncate(o.LastError, 500), j.LeaseOwner}
		if k.next.IsZero() {
			k.next = now
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], j.ID)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: record deliveries: %w", err)
	}
	defer tx.Rollback()
	for _, k := range order {
		ids := groups[k]
		var delivered any
		if k.status == shieldwall.DeliveryDelivered {
			delivered = at(now)
		}
		args := append([]any{string(k.status), at(k.next), k.lastStatus, k.lastError, delivered, k.owner}, ids...)
		res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE deliveries SET status = ?, next_at = ?, lease_until = NULL, last_status = ?, last_error = ?,
			delivered_at = COALESCE(delivered_at, ?) WHERE lease_owner = ? AND id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`), args...)
		if err != nil {
			return 0, fmt.Errorf("store: record deliveries: %w", err)
		}
		if n, _ := res.RowsAffected(); int(n) < len(ids) {
			lost += len(ids) - int(n)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: record deliveries: %w", err)
	}
	return lost, nil
}

// DisableWebhook switches a webhook off after its receiver answered 410
// Gone, dead-letters what was still waiting for it (visible, and resendable
// once the receiver is back) and returns the administrators to tell.
// disabled is false when there was nothing to do: the webhook was already
// off (another worker saw the 410 too) or is gone.
func (tx *Tx) DisableWebhook(ctx context.Context, id, reason string) (disabled bool, admins []string, err error) {
	tx.outbox = nil
	res, err := tx.exec(ctx, `UPDATE webhooks SET disabled_at = ?, disabled_reason = ? WHERE id = ? AND disabled_at IS NULL`, at(tx.Now), reason, id)
	if err != nil {
		return false, nil, fmt.Errorf("store: disable webhook: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil, nil
	}
	if _, err := tx.exec(ctx, `UPDATE deliveries SET status = 'dead', lease_until = NULL, last_error = ? WHERE webhook_id = ? AND status = 'pending'`,
		"webhook disabled: "+reason, id); err != nil {
		return false, nil, fmt.Errorf("store: dead-letter deliveries: %w", err)
	}
	rows, err := tx.query(ctx, `SELECT id FROM users WHERE role = 'admin' AND active = ? ORDER BY id`, true)
	admins, err = collect(rows, err, "administrators", scanString)
	return err == nil, admins, err
}

// RetryDelivery puts a dead or skipped delivery back in the queue, due now,
// with a fresh retry budget; its message id stays the same.
func (tx *Tx) RetryDelivery(ctx context.Context, id string) (shieldwall.Delivery, error) {
	res, err := tx.exec(ctx, `UPDATE deliveries SET status = 'pending', next_at = ?, attempts = 0, first_try_at = NULL, lease_until = NULL
		WHERE id = ? AND status IN ('dead', 'skipped')`, at(tx.Now), id)
	if err != nil {
		return shieldwall.Delivery{}, fmt.Errorf("store: retry delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return shieldwall.Delivery{}, shieldwall.Errorf(shieldwall.ENOTFOUND, "No dead-lettered delivery with this id.")
	}
	tx.queued = true
	return findDelivery(ctx, tx, id)
}

const deliveryColumns = `d.id, d.notification_id, d.channel, COALESCE(d.webhook_id, ''), d.status, d.attempts, d.next_at, d.first_try_at,
	d.last_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at, n.kind, n.urgency, n.title`

func scanDelivery(sc interface{ Scan(...any) error }) (shieldwall.Delivery, error) {
	var d shieldwall.Delivery
	var next, created dbTime
	var first, last, delivered nullTime
	err := sc.Scan(&d.ID, &d.NotificationID, &d.Channel, &d.WebhookID, &d.Status, &d.Attempts, &next, &first,
		&last, &d.LastStatus, &d.LastError, &created, &delivered, &d.Kind, &d.Urgency, &d.Title)
	d.NextAt, d.CreatedAt, d.FirstTryAt, d.LastAttemptAt, d.DeliveredAt = next.Time, created.Time, first.ptr(), last.ptr(), delivered.ptr()
	return d, err
}

func findDelivery(ctx context.Context, q queryer, id string) (shieldwall.Delivery, error) {
	d, err := scanDelivery(q.queryRow(ctx, "SELECT "+deliveryColumns+" FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE d.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, shieldwall.Errorf(shieldwall.ENOTFOUND, "Delivery not found.")
	} else if err != nil {
		return d, fmt.Errorf("store: find delivery: %w", err)
	}
	return d, nil
}

// FindDelivery returns one delivery.
func (s *Store) FindDelivery(ctx context.Context, id string) (shieldwall.Delivery, error) {
	return findDelivery(ctx, s.r(), id)
}

// ListDeliveries returns deliveries, newest first, and how many match.
func (s *Store) ListDeliveries(ctx context.Context, f shieldwall.DeliveryFilter) ([]shieldwall.Delivery, int, error) {
	f.Page = f.Page.Normalize()
	where, args := "1 = 1", []any{}
	if f.WebhookID != "" {
		where += " AND d.webhook_id = ?"
		args = append(args, f.WebhookID)
	}
	if f.Status != "" {
		where += " AND d.status = ?"
		args = append(args, string(f.Status))
	}
	var total int
	if err := s.r().queryRow(ctx, "SELECT COUNT(*) FROM deliveries d WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count deliveries: %w", err)
	}
	rows, err := s.r().query(ctx, "SELECT "+deliveryColumns+" FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE "+where+
		" ORDER BY d.created_at DESC, d.id DESC LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	out, err := collect(rows, err, "list deliveries", scanDelivery)
	return out, total, err
}

// truncate keeps error texts short; a cut never splits a UTF-8 character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// splitWords splits a space-separated column; empty gives nil.
func splitWords(s string) []string { return strings.Fields(s) }
