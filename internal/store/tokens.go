package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shieldwall/shieldwall"
)

// CreateToken stores an API token; hash is the SHA-256 of its secret.
func (tx *Tx) CreateToken(ctx context.Context, t *shieldwall.APIToken, hash string) error {
	_, err := tx.exec(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.ID, t.UserID, t.Name, hash, at(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// RevokeToken revokes a user's token; revoking twice is not an error.
func (tx *Tx) RevokeToken(ctx context.Context, userID, tokenID string) error {
	res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`,
		at(tx.Now), tokenID, userID)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return shieldwall.Errorf(shieldwall.ENOTFOUND, "Token not found.")
	}
	return nil
}

// TokenUser returns the token with this hash and its user, when the token
// is not revoked and the user is active; otherwise EUNAUTHORIZED.
func (s *Store) TokenUser(ctx context.Context, hash string) (shieldwall.APIToken, shieldwall.User, error) {
	var t shieldwall.APIToken
	var c dbTime
	var used, revoked nullTime
	err := s.r().queryRow(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE token_hash = ?`, hash).Scan(&t.ID, &t.UserID, &t.Name, &c, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && revoked.Valid) {
		return t, shieldwall.User{}, shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "The API token is not valid.")
	} else if err != nil {
		return t, shieldwall.User{}, fmt.Errorf("store: find token: %w", err)
	}
	t.CreatedAt, t.LastUsedAt = c.Time, used.ptr()
	// Record use by the hour, at most once an hour: "last used" is for
	// spotting stale tokens; a write per request would cost the API its
	// speed, and a precise time could unmask a report sent anonymously.
	if hour := s.Now().UTC().Truncate(time.Hour); !used.Valid || hour.After(used.Time) {
		_ = s.InTx(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, at(hour), t.ID)
			return err
		})
	}
	u, err := s.FindUser(ctx, t.UserID)
	if err != nil || !u.Active {
		return t, u, shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "The API token is not valid.")
	}
	return t, u, nil
}

// ListTokens returns a user's tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, userID string) ([]shieldwall.APIToken, error) {
	rows, err := s.r().query(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC`, userID)
	return collect(rows, err, "list tokens", func(sc rowScanner) (shieldwall.APIToken, error) {
		var t shieldwall.APIToken
		var c dbTime
		var used, revoked nullTime
		err := sc.Scan(&t.ID, &t.UserID, &t.Name, &c, &used, &revoked)
		t.CreatedAt, t.LastUsedAt, t.RevokedAt = c.Time, used.ptr(), revoked.ptr()
		return t, err
	})
}
