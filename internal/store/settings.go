package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value of key and whether it is set.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	return getSetting(ctx, s.r(), key)
}

// Setting returns the value of key as the transaction sees it.
func (tx *Tx) Setting(ctx context.Context, key string) (string, bool, error) {
	return getSetting(ctx, tx, key)
}

func getSetting(ctx context.Context, q queryer, key string) (string, bool, error) {
	var v string
	err := q.queryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("store: read setting: %w", err)
	}
	return v, true, nil
}

// SetSetting stores value under key.
func (tx *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: write setting: %w", err)
	}
	return nil
}

// DeleteSetting removes key.
func (tx *Tx) DeleteSetting(ctx context.Context, key string) error {
	if _, err := tx.exec(ctx, "DELETE FROM settings WHERE key = ?", key); err != nil {
		return fmt.Errorf("store: delete setting: %w", err)
	}
	return nil
}

// EnsureSetting stores value under key unless key is set already, and
// returns the value that holds: the first writer wins, even across replicas.
func (s *Store) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	if _, err := s.write.ExecContext(ctx, s.d.rebind(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`), key, value); err != nil {
		return "", fmt.Errorf("store: write setting: %w", err)
	}
	v, _, err := getSetting(ctx, reader{db: s.write, d: s.d}, key)
	return v, err
}
