package clocks

import (
	"strconv"
	"time"
)

// FormatRemaining describes the time left until due as of now, such as "in 41 h (Thu 14:00 CET)" or "overdue by 3 h".
//
// UX.md: deadlines are shown as "in 41 h (Thu 14:00 CET)", in the viewer's
// zone with the zone named. Amounts are whole units rounded down — minutes
// under an hour, hours under four days (so a 72-hour clock reads in hours),
// days beyond — so the countdown never promises more time than is left. The
// date is added when the weekday alone would be ambiguous (six days or more).
// A nil loc means UTC.
func FormatRemaining(due, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	d := Remaining(due, now)
	if d < 0 {
		return "overdue by " + amount(-d)
	}
	layout := "Mon 15:04 MST"
	if d >= 6*24*time.Hour {
		layout = "Mon 2 Jan 15:04 MST"
	}
	return "in " + amount(d) + " (" + due.In(loc).Format(layout) + ")"
}

// amount renders a non-negative duration in whole minutes, hours or days, rounded down.
func amount(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than 1 min"
	case d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min"
	case d < 96*time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " h"
	default:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " d"
	}
}
