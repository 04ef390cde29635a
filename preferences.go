package shieldwall

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Digest is how often a person gets a summary of what did not reach them at once.
type Digest string

// The digest frequencies.
const (
	DigestNone   Digest = "none"
	DigestDaily  Digest = "daily"
	DigestWeekly Digest = "weekly"
)

// NotificationPreferences are one person's choices of channel per urgency,
// digest and quiet hours. In-app is always on, so a critical notification
// always reaches its person: it can be routed (to email as well, or not)
// but never switched off.
type NotificationPreferences struct {
	UserID string `json:"user_id"`
	// Email lists the urgencies that also go out by email.
	Email      []Urgency `json:"email"`
	Digest     Digest    `json:"digest"`
	QuietStart string    `json:"quiet_start"` // HH:MM in TimeZone; empty with QuietEnd for none
	QuietEnd   string    `json:"quiet_end"`
	TimeZone   string    `json:"time_zone"` // IANA name, such as Europe/Berlin
	UpdatedAt  time.Time `json:"updated_at"`
}

// DefaultPreferences are what a person has until they choose: critical and
// normal by email at once, a weekly digest, no quiet hours.
func DefaultPreferences(userID string) NotificationPreferences {
	return NotificationPreferences{UserID: userID, Email: []Urgency{UrgencyCritical, UrgencyNormal},
		Digest: DigestWeekly, TimeZone: "UTC"}
}

// WantsEmail reports whether notifications of urgency u go out by email at once.
func (p NotificationPreferences) WantsEmail(u Urgency) bool { return slices.Contains(p.Email, u) }

// Validate checks every field and names the first one at fault; it also
// puts Email in a fixed order.
func (p *NotificationPreferences) Validate() error {
	seen := map[Urgency]bool{}
	for _, u := range p.Email {
		if !u.Valid() {
			return FieldErrorf(EINVALID, "email", "%q is not an urgency: use critical, normal or low.", u)
		}
		seen[u] = true
	}
	p.Email = p.Email[:0]
	for _, u := range []Urgency{UrgencyCritical, UrgencyNormal, UrgencyLow} {
		if seen[u] {
			p.Email = append(p.Email, u)
		}
	}
	switch p.Digest {
	case "":
		p.Digest = DigestNone
	case DigestNone, DigestDaily, DigestWeekly:
	default:
		return FieldErrorf(EINVALID, "digest", "Digest must be none, daily or weekly.")
	}
	if (p.QuietStart == "") != (p.QuietEnd == "") {
		field := "quiet_end"
		if p.QuietStart == "" {
			field = "quiet_start"
		}
		return FieldErrorf(EINVALID, field, "Give both the start and the end of quiet hours, or neither.")
	}
	for _, f := range []struct{ name, v string }{{"quiet_start", p.QuietStart}, {"quiet_end", p.QuietEnd}} {
		if f.v == "" {
			continue
		}
		if _, err := ParseClock(f.v); err != nil {
			return FieldErrorf(EINVALID, f.name, "%s", err.Error())
		}
	}
	if p.TimeZone == "" {
		p.TimeZone = "UTC"
	}
	if _, err := loadZone(p.TimeZone); err != nil {
		return FieldErrorf(EINVALID, "time_zone", "%q is not a time zone: use an IANA name such as Europe/Berlin.", p.TimeZone)
	}
	return nil
}

// loadZone loads an IANA zone, refusing the local zone and odd names that
// time.LoadLocation would read from the file system.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return nil, fmt.Errorf("bad zone %q", name)
	}
	return time.LoadLocation(name)
}

// ParseClock reads a time of day "HH:MM" (00:00–23:59) as minutes since midnight.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("%q is not a time of day: use HH:MM, such as 22:00.", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || h[0] == '+' || h[0] == '-' || m[0] == '+' || m[0] == '-' {
		return 0, fmt.Errorf("%q is not a time of day: use HH:MM, such as 22:00.", s)
	}
	return hh*60 + mm, nil
}

// HoldUntil returns when a notification of urgency u, written at now, may
// go out on the person's outside channels: now, or the end of their quiet
// hours. Critical is never held. Quiet hours may span midnight (22:00–07:00).
func (p NotificationPreferences) HoldUntil(u Urgency, now time.Time) time.Time {
	if u == UrgencyCritical || p.QuietStart == "" || p.QuietEnd == "" {
		return now
	}
	start, err1 := ParseClock(p.QuietStart)
	end, err2 := ParseClock(p.QuietEnd)
	loc, err3 := loadZone(p.TimeZone)
	if err1 != nil || err2 != nil || err3 != nil || start == end {
		return now
	}
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	minute := local.Hour()*60 + local.Minute()
	at := func(day, min int) time.Time {
		d := midnight.AddDate(0, 0, day)
		return time.Date(d.Year(), d.Month(), d.Day(), min/60, min%60, 0, 0, loc)
	}
	switch {
	case start < end && minute >= start && minute < end: // 12:00–14:00
		return at(0, end).UTC()
	case start > end && minute >= start: // 22:00–07:00, evening part
		return at(1, end).UTC()
	case start > end && minute < end: // 22:00–07:00, morning part
		return at(0, end).UTC()
	}
	return now
}
