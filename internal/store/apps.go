package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shieldwall/shieldwall"
)

const appSelect = `SELECT id, name, status, description, alternative, reason, COALESCE(review_id, ''), created_at, updated_at FROM apps`

func scanApp(sc interface{ Scan(...any) error }) (shieldwall.App, error) {
	var a shieldwall.App
	var c, u dbTime
	err := sc.Scan(&a.ID, &a.Name, &a.Status, &a.Description, &a.Alternative, &a.Reason, &a.ReviewID, &c, &u)
	a.CreatedAt, a.UpdatedAt = c.Time, u.Time
	return a, err
}

// PutApp inserts a, or updates the app of the same name (case-insensitive).
func (tx *Tx) PutApp(ctx context.Context, a *shieldwall.App) error {
	old, err := findAppByName(ctx, tx, a.Name)
	switch {
	case err == nil:
		a.ID, a.CreatedAt, a.UpdatedAt = old.ID, old.CreatedAt, tx.Now
		_, err = tx.exec(ctx, `UPDATE apps SET name = ?, status = ?, description = ?, alternative = ?, reason = ?, review_id = ?, updated_at = ? WHERE id = ?`,
			a.Name, a.Status, a.Description, a.Alternative, a.Reason, nullString(a.ReviewID), at(a.UpdatedAt), a.ID)
	case shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND:
		a.ID, a.CreatedAt, a.UpdatedAt = NewID(), tx.Now, tx.Now
		_, err = tx.exec(ctx, `INSERT INTO apps (id, name, status, description, alternative, reason, review_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Name, a.Status, a.Description, a.Alternative, a.Reason, nullString(a.ReviewID), at(a.CreatedAt), at(a.UpdatedAt))
	}
	if err != nil {
		return fmt.Errorf("store: put app: %w", err)
	}
	return nil
}

// FindAppByName finds an app by name, case-insensitively.
func (s *Store) FindAppByName(ctx context.Context, name string) (shieldwall.App, error) {
	return findAppByName(ctx, s.r(), name)
}

func findAppByName(ctx context.Context, q queryer, name string) (shieldwall.App, error) {
	a, err := scanApp(q.queryRow(ctx, appSelect+" WHERE lower(name) = lower(?)", name))
	if errors.Is(err, sql.ErrNoRows) {
		return a, shieldwall.Errorf(shieldwall.ENOTFOUND, "No app is called %q in the catalogue.", name)
	} else if err != nil {
		return a, fmt.Errorf("store: find app: %w", err)
	}
	return a, nil
}

// ListApps returns the catalogue by name; status narrows it.
func (s *Store) ListApps(ctx context.Context, status string) ([]shieldwall.App, error) {
	cond, args := "", []any{}
	if status != "" {
		cond, args = " WHERE status = ?", append(args, status)
	}
	rows, err := s.r().query(ctx, appSelect+cond+" ORDER BY lower(name) LIMIT 2000", args...)
	return collect(rows, err, "list apps", scanApp)
}
