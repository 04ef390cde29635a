package govern

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one calendar event as WriteICS writes it.
type Event struct {
	UID         string
	Sequence    int
	Stamp       time.Time // DTSTAMP: when the file was made
	Start       time.Time
	End         time.Time
	Summary     string
	Description string
	Location    string
	URL         string
}

// WriteICS returns an iCalendar (RFC 5545) file with one event: CRLF line
// ends (3.1), lines folded at 75 octets without splitting a UTF-8
// character, TEXT values escaped (3.3.11), times in UTC.
func WriteICS(e Event) []byte {
	var b bytes.Buffer
	line := func(name, value string) { foldLine(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Shieldwall//Security committee//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("BEGIN", "VEVENT")
	line("UID", escapeText(e.UID))
	line("SEQUENCE", strconv.Itoa(e.Sequence))
	line("DTSTAMP", icsTime(e.Stamp))
	line("DTSTART", icsTime(e.Start))
	line("DTEND", icsTime(e.End))
	line("SUMMARY", escapeText(e.Summary))
	if e.Description != "" {
		line("DESCRIPTION", escapeText(e.Description))
	}
	if e.Location != "" {
		line("LOCATION", escapeText(e.Location))
	}
	if e.URL != "" && !strings.ContainsAny(e.URL, "\r\n") {
		line("URL", e.URL)
	}
	line("END", "VEVENT")
	line("END", "VCALENDAR")
	return b.Bytes()
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value: backslash, semicolon, comma and newlines
// (a CR LF or lone CR becomes \n); other control characters, which the
// grammar does not allow, are dropped.
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 && r != '\t', r == 0x7f:
			// not allowed in TEXT
		case r == utf8.RuneError:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldLine writes one content line, folded so no physical line is longer
// than 75 octets; continuation lines start with a space (3.1).
func foldLine(b *bytes.Buffer, s string) {
	const max = 75
	width := 0
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		if width+size > max {
			b.WriteString("\r\n ")
			width = 1
		}
		b.WriteString(s[i : i+size])
		width += size
		i += size
	}
	b.WriteString("\r\n")
}
