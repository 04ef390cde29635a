package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// bulkRows is how many rows one INSERT carries: well under both databases'
// limits on bound parameters (SQLite 32,766; PostgreSQL 65,535) for the
// widest table.
const bulkRows = 400

// InsertRows inserts many rows into table with multi-row INSERTs inside
// the transaction: for imports and for loading benchmark data, where one
// statement per row would dominate. Values go through the dialect as
// usual; times must be wrapped as the other writes do.
func (tx *Tx) InsertRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	for start := 0; start < len(rows); start += bulkRows {
		end := min(start+bulkRows, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES ")
		args := make([]any, 0, (end-start)*len(columns))
		for i, r := range rows[start:end] {
			if len(r) != len(columns) {
				return fmt.Errorf("store: bulk insert into %s: row %d has %d values for %d columns", table, start+i, len(r), len(columns))
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		if _, err := tx.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: bulk insert into %s: %w", table, err)
		}
	}
	return nil
}

// TimeValue wraps a time for InsertRows, so it is stored as every other
// time is (fixed-width UTC text in SQLite, timestamptz in PostgreSQL).
func TimeValue(t time.Time) any { return at(t) }
