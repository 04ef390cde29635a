package store

import (
	"context"
	"fmt"
	"time"

	"github.com/shieldwall/shieldwall"
)

// DigestSubscriber is a person who gets digests, with their time zone.
type DigestSubscriber struct {
	UserID   string
	Digest   shieldwall.Digest
	TimeZone string
}

// DigestSubscribers returns every active person whose digest is not
// switched off; people who never chose have the default (weekly, UTC).
func (s *Store) DigestSubscribers(ctx context.Context) ([]DigestSubscriber, error) {
	def := shieldwall.DefaultPreferences("")
	rows, err := s.r().query(ctx, `SELECT u.id, COALESCE(p.digest, ?), COALESCE(p.time_zone, ?) FROM users u
		LEFT JOIN notification_preferences p ON p.user_id = u.id
		WHERE u.active = ? AND COALESCE(p.digest, ?) <> 'none' ORDER BY u.id`, string(def.Digest), def.TimeZone, true, string(def.Digest))
	return collect(rows, err, "digest subscribers", func(sc rowScanner) (DigestSubscriber, error) {
		var d DigestSubscriber
		err := sc.Scan(&d.UserID, &d.Digest, &d.TimeZone)
		return d, err
	})
}

// DigestsDone returns the (user, period) pairs done since from, as
// "user/period" keys, so that a worker need not open a transaction per
// person on every pass.
func (s *Store) DigestsDone(ctx context.Context, from time.Time) (map[string]bool, error) {
	rows, err := s.r().query(ctx, `SELECT user_id, period FROM digest_runs WHERE created_at >= ?`, at(from))
	if err != nil {
		return nil, fmt.Errorf("store: digest runs: %w", err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var u, p string
		if err := rows.Scan(&u, &p); err != nil {
			return nil, err
		}
		done[u+"/"+p] = true
	}
	return done, rows.Err()
}

// ClaimDigest records that userID's digest for period is being made; false
// means another worker (or an earlier pass) already did it. The claim is
// part of the transaction that writes the digest, so it is exactly once.
func (tx *Tx) ClaimDigest(ctx context.Context, userID, period string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO digest_runs (user_id, period, created_at) VALUES (?, ?, ?) ON CONFLICT (user_id, period) DO NOTHING`,
		userID, period, at(tx.Now))
	if err != nil {
		return false, fmt.Errorf("store: claim digest: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DigestItems returns userID's notifications written in [from, to) that
// are still unread and did not go out by email at once: what a digest is
// for. Critical ones come first, then normal, then low; newest first within.
func (tx *Tx) DigestItems(ctx context.Context, userID string, from, to time.Time) ([]shieldwall.Notification, error) {
	rows, err := tx.query(ctx, "SELECT "+notificationColumns+` FROM notifications n WHERE user_id = ? AND created_at >= ? AND created_at < ?
		AND read_at IS NULL AND kind <> ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.channel = 'email')
		ORDER BY CASE urgency WHEN 'critical' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END, created_at DESC, id DESC`,
		userID, at(from), at(to), shieldwall.NotifyDigest)
	return collect(rows, err, "digest items", scanNotification)
}

// AddDigest writes a digest: a notification already marked read (it sums
// up what the bell shows anyway, so it must not add to the count) and one
// email delivery, whatever the person's per-urgency choices, since asking
// for a digest is asking for this email; it waits for the end of quiet
// hours. Webhooks get no digests.
func (tx *Tx) AddDigest(ctx context.Context, n *shieldwall.Notification) error {
	prefs, err := notificationPreferences(ctx, tx, n.UserID)
	if err != nil {
		return err
	}
	n.ID, n.CreatedAt, n.Kind = NewID(), tx.Now, shieldwall.NotifyDigest
	_, err = tx.exec(ctx, `INSERT INTO notifications (id, user_id, urgency, kind, title, body, link, object_type, object_id, created_at, read_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.UserID, string(shieldwall.UrgencyLow), n.Kind, n.Title, n.Body, n.Link, n.ObjectType, n.ObjectID, at(n.CreatedAt), at(tx.Now))
	if err != nil {
		return fmt.Errorf("store: add digest: %w", err)
	}
	return tx.insertDelivery(ctx, n.ID, shieldwall.ChannelEmail, "", prefs.HoldUntil(shieldwall.UrgencyLow, tx.Now))
}
