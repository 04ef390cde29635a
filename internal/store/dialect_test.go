package store

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"},
		{"SELECT '?' WHERE a = ?", "SELECT '?' WHERE a = $1"},
		{"WHERE name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\'", "WHERE name LIKE $1 ESCAPE '\\' OR email LIKE $2 ESCAPE '\\'"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"??", "$1$2"},
	}
	for _, tt := range tests {
		if got := postgresDialect.rebind(tt.in); got != tt.want {
			t.Errorf("postgres rebind(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if got := sqliteDialect.rebind(tt.in); got != tt.in {
			t.Errorf("sqlite rebind(%q) = %q; want it unchanged", tt.in, got)
		}
	}
}

// outsideQuotes returns the parts of q outside single-quoted strings
// (a doubled quote inside a string toggles twice, so it needs no special case).
func outsideQuotes(q string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(q); i++ {
		if q[i] == '\'' {
			in = !in
			continue
		}
		if !in {
			b.WriteByte(q[i])
		} else {
			b.WriteByte(' ') // keeps tokens on either side of a string apart
		}
	}
	return b.String()
}

// insideQuotes returns the parts of q inside single-quoted strings.
func insideQuotes(q string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(q); i++ {
		if q[i] == '\'' {
			in = !in
			b.WriteByte(' ')
			continue
		}
		if in {
			b.WriteByte(q[i])
		}
	}
	return b.String()
}

var (
	placeholderRE   = regexp.MustCompile(`\$[0-9]+`)
	questionDigitRE = regexp.MustCompile(`\?[0-9]`)
)

func FuzzRebind(f *testing.F) {
	for _, s := range []string{
		"",
		"SELECT 1",
		"SELECT * FROM t WHERE a = ? AND b = ?",
		"SELECT '?' WHERE a = ?",
		"SELECT 'it''s ?', ?",
		"WHERE name LIKE ? ESCAPE '\\'",
		"'unterminated ?",
		"$1 = ? AND $? = ?9",
		"??'?'??",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if got := sqliteDialect.rebind(q); got != q {
			t.Fatalf("sqlite rebind(%q) = %q; want it unchanged", q, got)
		}
		got := postgresDialect.rebind(q)
		if n := strings.Count(outsideQuotes(got), "?"); n != 0 {
			t.Errorf("postgres rebind(%q) = %q: %d ? outside quotes remain; want 0", q, got, n)
		}
		// Each ? outside quotes became one $n; $n already in the query stay.
		// (A $n never merges with what is around it: the next byte is
		// either not a digit or starts the next placeholder with $.)
		wantN := strings.Count(outsideQuotes(q), "?") + len(placeholderRE.FindAllString(outsideQuotes(q), -1))
		if n := len(placeholderRE.FindAllString(outsideQuotes(got), -1)); n != wantN {
			t.Errorf("postgres rebind(%q) = %q: %d $n outside quotes; want %d", q, got, n, wantN)
		}
		// Quoted text is left alone.
		if in, out := insideQuotes(q), insideQuotes(got); in != out {
			t.Errorf("postgres rebind(%q) = %q: quoted text %q became %q", q, got, in, out)
		}
		if !strings.Contains(q, "?") && got != q {
			t.Errorf("postgres rebind(%q) = %q; want it unchanged without ?", q, got)
		}
		// Without $ in the query, the placeholders are exactly $1, $2, … in
		// order. (A ? right before a digit, as in SQLite's ?NNN, would run into
		// it: "?0" becomes "$10". Shieldwall's queries never write ?NNN.)
		if !strings.Contains(q, "$") && !questionDigitRE.MatchString(q) {
			for i, p := range placeholderRE.FindAllString(outsideQuotes(got), -1) {
				if want := "$" + strconv.Itoa(i+1); p != want {
					t.Fatalf("postgres rebind(%q) = %q: placeholder %d is %s; want %s", q, got, i+1, p, want)
				}
			}
		}
	})
}

func TestRebindNumbersInOrder(t *testing.T) {
	q := strings.Repeat("? '?' ", 12)
	got := postgresDialect.rebind(q)
	var want strings.Builder
	for i := 1; i <= 12; i++ {
		want.WriteString("$" + strconv.Itoa(i) + " '?' ")
	}
	if got != want.String() {
		t.Errorf("rebind(%q) = %q; want %q", q, got, want.String())
	}
}

func TestEscapeLike(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"finance", "finance"},
		{"50%", `50\%`},
		{"a_b", `a\_b`},
		{`a\b`, `a\\b`},
		{`%_\`, `\%\_\\`},
		{`\%`, `\\\%`},
		{"ünïcödé ✓", "ünïcödé ✓"},
		{"it's", "it's"},
	}
	for _, tt := range tests {
		if got := escapeLike(tt.in); got != tt.want {
			t.Errorf("escapeLike(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestDBTime(t *testing.T) {
	want := time.Date(2026, 11, 27, 8, 30, 0, 123456000, time.UTC)
	t.Run("Value", func(t *testing.T) {
		in := time.Date(2026, 11, 27, 9, 30, 0, 123456789, time.FixedZone("CET", 60*60))
		v, err := at(in).Value()
		if err != nil || v != "2026-11-27T08:30:00.123456Z" {
			t.Errorf("Value() = %v, %v; want \"2026-11-27T08:30:00.123456Z\", nil", v, err)
		}
	})
	for _, tt := range []struct {
		name string
		src  any
	}{
		{"Time", want.In(time.FixedZone("CET", 60*60))},
		{"String", "2026-11-27T08:30:00.123456Z"},
		{"Bytes", []byte("2026-11-27T08:30:00.123456Z")},
		{"StringWithOffset", "2026-11-27T09:30:00.123456+01:00"},
	} {
		t.Run("Scan"+tt.name, func(t *testing.T) {
			var d dbTime
			if err := d.Scan(tt.src); err != nil {
				t.Fatal(err)
			}
			if !d.Time.Equal(want) || d.Location() != time.UTC {
				t.Errorf("Scan(%v) = %v; want %v in UTC", tt.src, d.Time, want)
			}
		})
	}
	t.Run("ErrScanBadString", func(t *testing.T) {
		var d dbTime
		if err := d.Scan("yesterday"); err == nil {
			t.Errorf("Scan(\"yesterday\") = nil; want an error")
		}
	})
	t.Run("ErrScanNumber", func(t *testing.T) {
		var d dbTime
		if err := d.Scan(int64(1)); err == nil {
			t.Errorf("Scan(int64) = nil; want an error")
		}
	})
	t.Run("NullTime", func(t *testing.T) {
		var n nullTime
		if err := n.Scan(nil); err != nil || n.Valid || n.ptr() != nil {
			t.Errorf("Scan(nil) = %v, valid %v; want nil, false", err, n.Valid)
		}
		if err := n.Scan("2026-11-27T08:30:00.123456Z"); err != nil || !n.Valid || !n.ptr().Equal(want) {
			t.Errorf("Scan(text) = %v, valid %v, %v; want %v", err, n.Valid, n.ptr(), want)
		}
	})
}
