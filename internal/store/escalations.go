package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
)

// startEscalation arms the durable timer of a critical notification with a chain.
func (tx *Tx) startEscalation(ctx context.Context, n shieldwall.Notification) error {
	_, err := tx.exec(ctx, `INSERT INTO escalations (id, chain, step, every_ms, due_at) VALUES (?, ?, 0, ?, ?)`,
		n.ID, strings.Join(n.EscalateTo, " "), n.EscalateAfter.Milliseconds(), at(tx.Now.Add(n.EscalateAfter)))
	if err != nil {
		return fmt.Errorf("store: start escalation: %w", err)
	}
	return nil
}

// Escalation is a pending escalation timer.
type Escalation struct {
	ID    string // the first notification's id
	Chain []string
	Step  int // index in Chain of the next person to tell
	Every time.Duration
	DueAt time.Time
}

// DueEscalations returns escalations not yet done whose timer has run out at now.
func (s *Store) DueEscalations(ctx context.Context, now time.Time, limit int) ([]Escalation, error) {
	rows, err := s.r().query(ctx, `SELECT id, chain, step, every_ms, due_at FROM escalations WHERE done_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?`, at(now), limit)
	return collect(rows, err, "due escalations", func(sc rowScanner) (Escalation, error) {
		var e Escalation
		var chain string
		var ms int64
		var due dbTime
		err := sc.Scan(&e.ID, &chain, &e.Step, &ms, &due)
		e.Chain, e.Every, e.DueAt = splitWords(chain), time.Duration(ms)*time.Millisecond, due.Time
		return e, err
	})
}

// ErrEscalationMoved means another worker or an acknowledgement got to the
// escalation first; the step must not happen twice.
var ErrEscalationMoved = errors.New("store: escalation already moved on")

// AdvanceEscalation takes step e.Step of e inside tx, exactly once however
// many workers try: it moves the timer on only if nobody did meanwhile. It
// returns the notification to copy to the next person, or ok false when
// the chain is exhausted (the escalation is then closed).
func (tx *Tx) AdvanceEscalation(ctx context.Context, e Escalation) (root shieldwall.Notification, ok bool, err error) {
	var res sql.Result
	if e.Step >= len(e.Chain) {
		res, err = tx.exec(ctx, `UPDATE escalations SET done_at = ?, done_reason = 'the chain ended without an acknowledgement' WHERE id = ? AND step = ? AND done_at IS NULL`,
			at(tx.Now), e.ID, e.Step)
	} else {
		res, err = tx.exec(ctx, `UPDATE escalations SET step = step + 1, due_at = ? WHERE id = ? AND step = ? AND done_at IS NULL`,
			at(tx.Now.Add(e.Every)), e.ID, e.Step)
	}
	if err != nil {
		return root, false, fmt.Errorf("store: advance escalation: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return root, false, ErrEscalationMoved
	}
	if e.Step >= len(e.Chain) {
		return root, false, nil
	}
	root, err = scanNotification(tx.queryRow(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE id = ?", e.ID))
	if errors.Is(err, sql.ErrNoRows) {
		// Its notification was deleted (its person was taken off a
		// confidential case): there is nothing left to pass on.
		if _, err := tx.exec(ctx, `UPDATE escalations SET done_at = ?, done_reason = 'its notification was deleted' WHERE id = ?`, at(tx.Now), e.ID); err != nil {
			return root, false, fmt.Errorf("store: close escalation: %w", err)
		}
		return root, false, nil
	}
	if err != nil {
		return root, false, fmt.Errorf("store: escalation's notification: %w", err)
	}
	return root, true, nil
}

// AddEscalatedNotification writes n as a step of escalation escalationID,
// so that acknowledging n stops the whole chain.
func (tx *Tx) AddEscalatedNotification(ctx context.Context, escalationID string, n *shieldwall.Notification) error {
	tx.escalationID = escalationID
	defer func() { tx.escalationID = "" }()
	n.EscalateTo, n.EscalateAfter = nil, 0
	return tx.AddNotification(ctx, n)
}

// stopEscalation ends the escalation notification id belongs to, if any.
func (tx *Tx) stopEscalation(ctx context.Context, notificationID, reason string) error {
	_, err := tx.exec(ctx, `UPDATE escalations SET done_at = ?, done_reason = ?
		WHERE done_at IS NULL AND id = (SELECT escalation_id FROM notifications WHERE id = ?)`, at(tx.Now), reason, notificationID)
	if err != nil {
		return fmt.Errorf("store: stop escalation: %w", err)
	}
	return nil
}

// EscalationState returns how far an escalation went and why it ended.
func (s *Store) EscalationState(ctx context.Context, id string) (step int, done bool, reason string, err error) {
	var doneAt nullTime
	err = s.r().queryRow(ctx, `SELECT step, done_at, done_reason FROM escalations WHERE id = ?`, id).Scan(&step, &doneAt, &reason)
	if err != nil {
		return 0, false, "", fmt.Errorf("store: escalation: %w", err)
	}
	return step, doneAt.Valid, reason, nil
}

// CreateAckToken stores the keyed hash of an acknowledge link's token. It
// is bookkeeping of a message being sent, not a change, so not audited.
func (s *Store) CreateAckToken(ctx context.Context, notificationID, hash string, expires time.Time) error {
	if _, err := s.write.ExecContext(ctx, s.d.rebind(`INSERT INTO ack_tokens (token_hash, notification_id, expires_at) VALUES (?, ?, ?)`), hash, notificationID, at(expires)); err != nil {
		return fmt.Errorf("store: create ack token: %w", err)
	}
	return nil
}

var errAckLink = shieldwall.Errorf(shieldwall.ENOTFOUND, "This acknowledge link is not valid: it may have been used already or have expired.")

// AckTokenNotification returns the notification an unused, unexpired
// acknowledge token belongs to, without changing anything.
func (s *Store) AckTokenNotification(ctx context.Context, hash string, now time.Time) (shieldwall.Notification, error) {
	n, err := scanNotification(s.r().queryRow(ctx, "SELECT "+prefixed("n.", notificationColumns)+` FROM ack_tokens t JOIN notifications n ON n.id = t.notification_id
		WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ?`, hash, at(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return n, errAckLink
	} else if err != nil {
		return n, fmt.Errorf("store: ack token: %w", err)
	}
	return n, nil
}

// UseAckToken spends an acknowledge token once and acknowledges its
// notification (stopping its escalation). Every other link to the same
// notification is spent with it.
func (tx *Tx) UseAckToken(ctx context.Context, hash string) (shieldwall.Notification, error) {
	var id, userID string
	err := tx.queryRow(ctx, `SELECT n.id, n.user_id FROM ack_tokens t JOIN notifications n ON n.id = t.notification_id
		WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ?`, hash, at(tx.Now)).Scan(&id, &userID)
	if errors.Is(err, sql.ErrNoRows) {
		return shieldwall.Notification{}, errAckLink
	} else if err != nil {
		return shieldwall.Notification{}, fmt.Errorf("store: ack token: %w", err)
	}
	res, err := tx.exec(ctx, `UPDATE ack_tokens SET used_at = ? WHERE notification_id = ? AND used_at IS NULL`, at(tx.Now), id)
	if err != nil {
		return shieldwall.Notification{}, fmt.Errorf("store: use ack token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return shieldwall.Notification{}, errAckLink
	}
	return tx.MarkNotificationRead(ctx, userID, id, true)
}

// prefixed qualifies each column of a list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// StopCaseEscalations ends the escalations of every notification about a
// case: once it is closed, nobody is to be paged about it.
func (tx *Tx) StopCaseEscalations(ctx context.Context, caseID, reason string) error {
	_, err := tx.exec(ctx, `UPDATE escalations SET done_at = ?, done_reason = ? WHERE done_at IS NULL
		AND id IN (SELECT id FROM notifications WHERE object_type = 'case' AND object_id = ?)`, at(tx.Now), reason, caseID)
	if err != nil {
		return fmt.Errorf("store: stop case escalations: %w", err)
	}
	return nil
}
