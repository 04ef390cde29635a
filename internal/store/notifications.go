package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shieldwall/shieldwall"
)

// AddNotification writes n in the transaction of the change that causes it;
// n.ID and n.CreatedAt are filled in when empty. In the same transaction it
// queues n's deliveries (email, webhooks) and, for a critical notification
// with an escalation chain, the escalation timer.
func (tx *Tx) AddNotification(ctx context.Context, n *shieldwall.Notification) error {
	if n.ID == "" {
		n.ID = NewID()
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = tx.Now
	}
	if n.Urgency == "" {
		n.Urgency = shieldwall.UrgencyNormal
	}
	if n.CollapseWithin > 0 && n.Urgency != shieldwall.UrgencyCritical && tx.escalationID == "" {
		collapsed, err := tx.collapseNotification(ctx, n)
		if err != nil || collapsed {
			return err
		}
	}
	var escalation any
	if tx.escalationID != "" {
		escalation = tx.escalationID // a step of an escalation under way
	} else if n.Urgency == shieldwall.UrgencyCritical && len(n.EscalateTo) > 0 && n.EscalateAfter > 0 {
		escalation = n.ID
	}
	_, err := tx.exec(ctx, sqlInsertNotification,
		n.ID, n.UserID, string(n.Urgency), n.Kind, n.Title, n.Body, n.Link, n.ObjectType, n.ObjectID, at(n.CreatedAt), escalation)
	if err != nil {
		return fmt.Errorf("store: add notification: %w", err)
	}
	if escalation == n.ID {
		if err := tx.startEscalation(ctx, *n); err != nil {
			return err
		}
	}
	return tx.enqueueDeliveries(ctx, n)
}

// collapseNotification folds n into an unread notification of the same
// person, kind and object written within n.CollapseWithin, if there is
// one; n then becomes that notification.
func (tx *Tx) collapseNotification(ctx context.Context, n *shieldwall.Notification) (bool, error) {
	var id string
	err := tx.queryRow(ctx, `SELECT id FROM notifications WHERE user_id = ? AND kind = ? AND object_type = ? AND object_id = ?
		AND read_at IS NULL AND urgency <> 'critical' AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT 1`,
		n.UserID, n.Kind, n.ObjectType, n.ObjectID, at(n.CreatedAt.Add(-n.CollapseWithin))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("store: find notification to collapse into: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE notifications SET repeats = repeats + 1 WHERE id = ?`, id); err != nil {
		return false, fmt.Errorf("store: collapse notification: %w", err)
	}
	got, err := scanNotification(tx.queryRow(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE id = ?", id))
	if err != nil {
		return false, fmt.Errorf("store: find notification: %w", err)
	}
	*n = got
	return true, nil
}

const sqlInsertNotification = `INSERT INTO notifications (id, user_id, urgency, kind, title, body, link, object_type, object_id, created_at, escalation_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const notificationColumns = `id, user_id, urgency, kind, title, body, link, object_type, object_id, created_at, read_at, acked_at, repeats`

func scanNotification(sc interface{ Scan(...any) error }) (shieldwall.Notification, error) {
	var n shieldwall.Notification
	var c dbTime
	var read, acked nullTime
	err := sc.Scan(&n.ID, &n.UserID, &n.Urgency, &n.Kind, &n.Title, &n.Body, &n.Link, &n.ObjectType, &n.ObjectID, &c, &read, &acked, &n.More)
	n.CreatedAt, n.ReadAt, n.AckedAt = c.Time, read.ptr(), acked.ptr()
	return n, err
}

// ListNotifications returns one person's notifications, newest first, how
// many match f in all, and how many of all theirs are unread.
func (s *Store) ListNotifications(ctx context.Context, userID string, f shieldwall.NotificationFilter) (items []shieldwall.Notification, total, unread int, err error) {
	f.Page = f.Page.Normalize()
	where := "user_id = ?"
	if f.UnreadOnly {
		where += " AND read_at IS NULL"
	}
	if err := s.r().queryRow(ctx, `SELECT COUNT(*), COUNT(CASE WHEN read_at IS NULL THEN 1 END) FROM notifications WHERE user_id = ?`, userID).
		Scan(&total, &unread); err != nil {
		return nil, 0, 0, fmt.Errorf("store: count notifications: %w", err)
	}
	if f.UnreadOnly {
		total = unread
	}
	rows, err := s.r().query(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE "+where+
		" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", userID, f.Limit, f.Offset)
	items, err = collect(rows, err, "list notifications", scanNotification)
	return items, total, unread, err
}

// UnreadNotifications counts one person's unread notifications (the bell).
func (s *Store) UnreadNotifications(ctx context.Context, userID string) (int, error) {
	var n int
	if err := s.r().queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count unread notifications: %w", err)
	}
	return n, nil
}

// errNotificationNotFound is the answer for a missing notification and for
// someone else's alike, so that nobody learns another person's ids.
var errNotificationNotFound = shieldwall.Errorf(shieldwall.ENOTFOUND, "Notification not found.")

// FindNotification returns one of userID's notifications.
func (s *Store) FindNotification(ctx context.Context, userID, id string) (shieldwall.Notification, error) {
	n, err := scanNotification(s.r().queryRow(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE id = ? AND user_id = ?", id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return n, errNotificationNotFound
	} else if err != nil {
		return n, fmt.Errorf("store: find notification: %w", err)
	}
	return n, nil
}

// MarkNotificationRead marks one of userID's notifications read; with ack
// it is acknowledged as well. A first read or acknowledgement time is kept.
func (tx *Tx) MarkNotificationRead(ctx context.Context, userID, id string, ack bool) (shieldwall.Notification, error) {
	q := `UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ? AND user_id = ?`
	if ack {
		q = `UPDATE notifications SET read_at = COALESCE(read_at, ?), acked_at = COALESCE(acked_at, ?) WHERE id = ? AND user_id = ?`
	}
	args := []any{at(tx.Now), id, userID}
	if ack {
		args = []any{at(tx.Now), at(tx.Now), id, userID}
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return shieldwall.Notification{}, fmt.Errorf("store: mark notification: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return shieldwall.Notification{}, errNotificationNotFound
	}
	if ack {
		if err := tx.stopEscalation(ctx, id, "acknowledged"); err != nil {
			return shieldwall.Notification{}, err
		}
	}
	n, err := scanNotification(tx.queryRow(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE id = ?", id))
	if err != nil {
		return n, fmt.Errorf("store: find notification: %w", err)
	}
	return n, nil
}

// CampaignReportersToResolve returns the named reporters of a campaign's
// open reports, each once: the people ResolveCampaignReports is about to
// answer. Call it in the same transaction, before that update.
func (tx *Tx) CampaignReportersToResolve(ctx context.Context, campaignID string) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT reporter_id FROM reports
		WHERE campaign_id = ? AND status IN ('new', 'triaging') AND reporter_id IS NOT NULL AND NOT anonymous
		ORDER BY reporter_id`, campaignID)
	return collect(rows, err, "campaign reporters", scanString)
}
