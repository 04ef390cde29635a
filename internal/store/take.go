package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// TakeSetting deletes key and returns the value it had. Of two transactions
// taking the same key at once, only one gets it: the row delete serialises them.
func (tx *Tx) TakeSetting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := tx.queryRow(ctx, "DELETE FROM settings WHERE key = ? RETURNING value", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("store: take setting: %w", err)
	}
	return v, true, nil
}
