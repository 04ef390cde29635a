package clocks

import (
	"testing"
	"time"
)

func TestFormatRemaining(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name string
		due  string
		now  time.Duration // now = due - this
		loc  *time.Location
		want string
	}{
		{"CET", "2026-01-15T13:00:00Z", 41 * time.Hour, berlin, "in 41 h (Thu 14:00 CET)"},
		{"RoundsDown", "2026-01-15T13:00:00Z", 41*time.Hour + 59*time.Minute, berlin, "in 41 h (Thu 14:00 CET)"},
		{"CEST", "2026-07-16T12:00:00Z", 5 * time.Hour, berlin, "in 5 h (Thu 14:00 CEST)"},
		{"NewYorkEDT", "2026-05-13T21:30:00Z", 48 * time.Hour, ny, "in 48 h (Wed 17:30 EDT)"},
		{"NewYorkEST", "2026-11-04T22:30:00Z", 30 * time.Hour, ny, "in 30 h (Wed 17:30 EST)"},
		{"Minutes", "2026-01-15T13:00:00Z", 45*time.Minute + 30*time.Second, berlin, "in 45 min (Thu 14:00 CET)"},
		{"UnderAMinute", "2026-01-15T13:00:00Z", 30 * time.Second, berlin, "in less than 1 min (Thu 14:00 CET)"},
		{"AtDue", "2026-01-15T13:00:00Z", 0, berlin, "in less than 1 min (Thu 14:00 CET)"},
		{"HoursUpTo96", "2026-01-19T13:00:00Z", 95*time.Hour + 59*time.Minute, berlin, "in 95 h (Mon 14:00 CET)"},
		{"DaysFrom96Hours", "2026-01-19T13:00:00Z", 96 * time.Hour, berlin, "in 4 d (Mon 14:00 CET)"},
		{"DateFromSixDays", "2026-03-11T15:00:00Z", 60 * 24 * time.Hour, berlin, "in 60 d (Wed 11 Mar 16:00 CET)"},
		{"OverdueHours", "2026-01-15T13:00:00Z", -(3*time.Hour + 10*time.Minute), berlin, "overdue by 3 h"},
		{"OverdueMinutes", "2026-01-15T13:00:00Z", -20 * time.Minute, berlin, "overdue by 20 min"},
		{"OverdueUnderAMinute", "2026-01-15T13:00:00Z", -time.Nanosecond, berlin, "overdue by less than 1 min"},
		{"OverdueDays", "2026-01-15T13:00:00Z", -5 * 24 * time.Hour, berlin, "overdue by 5 d"},
		{"NilLocationIsUTC", "2026-01-15T13:00:00Z", 2 * time.Hour, nil, "in 2 h (Thu 13:00 UTC)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due := utc(t, tt.due)
			now := due.Add(-tt.now)
			if got := FormatRemaining(due, now, tt.loc); got != tt.want {
				t.Errorf("FormatRemaining(%s, %s) = %q; want %q", due, now, got, tt.want)
			}
		})
	}
}

func TestRemaining(t *testing.T) {
	due := utc(t, "2026-01-15T13:00:00Z")
	tests := []struct {
		now  string
		want time.Duration
	}{
		{"2026-01-13T20:00:00Z", 41 * time.Hour},
		{"2026-01-15T13:00:00Z", 0},
		{"2026-01-15T16:00:00Z", -3 * time.Hour},
		{"2026-01-15T14:00:00+01:00", 0}, // same instant, other zone
	}
	for _, tt := range tests {
		if got := Remaining(due, utc(t, tt.now)); got != tt.want {
			t.Errorf("Remaining(%s, %s) = %s; want %s", due, tt.now, got, tt.want)
		}
	}
}
