package store

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dialect holds every difference between SQLite and PostgreSQL. Queries are
// written once, with ? placeholders, in the SQL both understand.
type dialect struct {
	name string // "sqlite" or "postgres"
	// lockAuditHead is the statement that reads the chain's head and, on
	// PostgreSQL, locks it until the transaction ends. SQLite has one writer,
	// so a plain read is already serialised.
	lockAuditHead string
	// caseInsensitiveLike matches text regardless of case.
	caseInsensitiveLike string
	// skipLocked ends a SELECT that claims rows for one worker: PostgreSQL
	// locks them and lets other replicas pass over; SQLite's single writer
	// already serialises claims.
	skipLocked string
}

var (
	sqliteDialect = dialect{
		name:                "sqlite",
		lockAuditHead:       "SELECT seq, hash FROM audit_head WHERE id = 1",
		caseInsensitiveLike: "LIKE", // SQLite's LIKE ignores ASCII case
	}
	postgresDialect = dialect{
		name:                "postgres",
		lockAuditHead:       "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
		caseInsensitiveLike: "ILIKE",
		skipLocked:          " FOR UPDATE SKIP LOCKED",
	}
)

// rebind turns ? placeholders into $1, $2 … for PostgreSQL. Placeholders
// inside quoted strings are left alone.
func (d dialect) rebind(query string) string {
	if d.name != "postgres" || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	inQuote := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// timeFormat is how times travel to and from the database: fixed width and
// UTC, so that SQLite's text order is time order. PostgreSQL parses it into
// timestamptz.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// dbTime carries a time.Time into and out of either database.
type dbTime struct{ time.Time }

// Value implements driver.Valuer.
func (t dbTime) Value() (driver.Value, error) {
	return t.UTC().Format(timeFormat), nil
}

// Scan implements sql.Scanner for timestamptz (time.Time) and SQLite text.
func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		t.Time = v.UTC()
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("store: cannot scan %T into a time", src)
}

func (t *dbTime) parse(s string) error {
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad time %q: %w", s, err)
	}
	t.Time = p.UTC()
	return nil
}

// nullTime is a dbTime that may be NULL.
type nullTime struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (t *nullTime) Scan(src any) error {
	if src == nil {
		t.Valid = false
		return nil
	}
	var d dbTime
	if err := d.Scan(src); err != nil {
		return err
	}
	t.Time, t.Valid = d.Time, true
	return nil
}

// ptr returns the time or nil.
func (t nullTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// at wraps a time for use as a query argument.
func at(t time.Time) dbTime { return dbTime{t} }
