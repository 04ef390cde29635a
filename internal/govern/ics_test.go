package govern

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// unfoldICS undoes folding (RFC 5545 3.1) and returns the content lines.
func unfoldICS(t testing.TB, b []byte) []string {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("file does not end with CRLF")
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Fatalf("physical line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("folding split a UTF-8 character: %q", l)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("bare CR or LF inside a line: %q", l)
		}
	}
	return strings.Split(strings.ReplaceAll(strings.TrimSuffix(s, "\r\n"), "\r\n ", ""), "\r\n")
}

func unescapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func property(lines []string, name string) (string, bool) {
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v, true
		}
	}
	return "", false
}

func TestWriteICS(t *testing.T) {
	start := time.Date(2026, 12, 1, 14, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name, summary, description string
		wantSummary                string // as written in the file
	}{
		{"Plain", "Security committee", "", "Security committee"},
		{"Escapes", `Risks; controls, and C:\temp`, "line one\r\nline two\nthree", `Risks\; controls\, and C:\\temp`},
		{"LongUTF8", strings.Repeat("Überprüfung — ", 12), "", strings.Repeat("Überprüfung — ", 12)},
		{"ControlCharsDropped", "a\x00b\x1bc", "", "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := WriteICS(Event{UID: "m1@shieldwall", Sequence: 2, Stamp: start, Start: start, End: start.Add(time.Hour), Summary: tc.summary, Description: tc.description})
			lines := unfoldICS(t, b)
			if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
				t.Errorf("not a calendar: %q … %q", lines[0], lines[len(lines)-1])
			}
			if got, _ := property(lines, "SUMMARY"); got != tc.wantSummary {
				t.Errorf("SUMMARY = %q; want %q", got, tc.wantSummary)
			}
			if got, _ := property(lines, "DTSTART"); got != "20261201T130000Z" {
				t.Errorf("DTSTART = %q; want 20261201T130000Z (UTC)", got)
			}
			if got, _ := property(lines, "SEQUENCE"); got != "2" {
				t.Errorf("SEQUENCE = %q; want 2", got)
			}
			if tc.description != "" {
				got, _ := property(lines, "DESCRIPTION")
				want := strings.ReplaceAll(tc.description, "\r\n", "\n")
				if unescapeText(got) != want {
					t.Errorf("DESCRIPTION round trip = %q; want %q", unescapeText(got), want)
				}
			}
		})
	}
}

func FuzzWriteICS(f *testing.F) {
	for _, s := range []string{"", "a,b;c\\d", "é€𝄞", strings.Repeat("x", 200), "line\r\nbreak\rcr", "\x00\x7f"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, summary, description string) {
		if !utf8.ValidString(summary) || !utf8.ValidString(description) {
			t.Skip()
		}
		b := WriteICS(Event{UID: "u", Summary: summary, Description: description, Start: time.Unix(0, 0), End: time.Unix(3600, 0), Stamp: time.Unix(0, 0)})
		lines := unfoldICS(t, b)
		got, ok := property(lines, "SUMMARY")
		if !ok {
			t.Fatalf("no SUMMARY line in %q", b)
		}
		// What comes back is the input without the characters TEXT forbids.
		want := strings.Map(func(r rune) rune {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
				return -1
			}
			return r
		}, strings.ReplaceAll(strings.ReplaceAll(summary, "\r\n", "\n"), "\r", "\n"))
		if unescapeText(got) != want {
			t.Fatalf("SUMMARY round trip = %q; want %q", unescapeText(got), want)
		}
	})
}
