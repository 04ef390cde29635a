package store

import (
	"database/sql"
	"fmt"
)

// rowScanner is what a scan function reads a row from: *sql.Row or *sql.Rows.
type rowScanner = interface{ Scan(...any) error }

// collect reads every row of a query with scan, closing the rows; what
// names the list in errors. It never returns a nil slice, so an empty list
// encodes as [] for clients.
func collect[T any](rows *sql.Rows, err error, what string, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// scanString reads a one-column row of text, such as an id.
func scanString(sc rowScanner) (string, error) {
	var s string
	err := sc.Scan(&s)
	return s, err
}
