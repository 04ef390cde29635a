package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shieldwall/shieldwall"
)

// Session is a signed-in browser. Only the hash of its cookie value is kept.
type Session struct {
	IDHash    string
	UserID    string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
	LastSeen  time.Time
}

// CreateSession stores a new session.
func (tx *Tx) CreateSession(ctx context.Context, s Session) error {
	_, err := tx.exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?)`, s.IDHash, s.UserID, s.CSRFToken, at(s.CreatedAt), at(s.ExpiresAt), at(s.LastSeen))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// DeleteSession ends one session.
func (tx *Tx) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user (deactivation, password change).
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: delete sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that ended before now.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, at(tx.Now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// TouchSession records a session's (coarse) last use and moves its expiry forward.
func (tx *Tx) TouchSession(ctx context.Context, idHash string, lastSeen, expires time.Time) error {
	if _, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?`, at(lastSeen), at(expires), idHash); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// SessionUser returns a live session and its active user, or ENOTFOUND.
func (s *Store) SessionUser(ctx context.Context, idHash string, now time.Time) (Session, shieldwall.User, error) {
	var sess Session
	var c, e, l dbTime
	row := s.r().queryRow(ctx, `SELECT s.id_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND u.active = ?`, idHash, at(now), true)
	err := row.Scan(&sess.IDHash, &sess.UserID, &sess.CSRFToken, &c, &e, &l)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, shieldwall.User{}, shieldwall.Errorf(shieldwall.ENOTFOUND, "Session not found.")
	} else if err != nil {
		return sess, shieldwall.User{}, fmt.Errorf("store: find session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt, sess.LastSeen = c.Time, e.Time, l.Time
	u, err := s.FindUser(ctx, sess.UserID)
	return sess, u, err
}
