package shieldwall_test

import (
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
)

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"00:00": 0, "07:30": 450, "23:59": 1439} {
		if got, err := shieldwall.ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "7:30", "24:00", "12:60", "-1:00", "+1:00", "12:+5", "ab:cd", "12-30", "12:300"} {
		if _, err := shieldwall.ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) = nil error; want one", in)
		}
	}
}

// FuzzPreferences checks that validation never panics, and that whatever
// it accepts gives a hold time that is never before now and never more
// than a day after it.
func FuzzPreferences(f *testing.F) {
	f.Add("22:00", "07:00", "Europe/Berlin", "daily", int64(0))
	f.Add("12:00", "12:00", "UTC", "none", int64(1e9))
	f.Add("", "", "", "", int64(-1e9))
	f.Add("23:59", "00:00", "America/St_Johns", "weekly", int64(1700000000))
	f.Add("00:00", "23:59", "../etc/passwd", "x", int64(42))
	f.Fuzz(func(t *testing.T, start, end, zone, digest string, unix int64) {
		p := shieldwall.NotificationPreferences{QuietStart: start, QuietEnd: end, TimeZone: zone, Digest: shieldwall.Digest(digest)}
		if err := p.Validate(); err != nil {
			if shieldwall.ErrorField(err) == "" {
				t.Fatalf("Validate error %v names no field", err)
			}
			return
		}
		now := time.Unix(unix%(1<<33), 0).UTC()
		for _, u := range []shieldwall.Urgency{shieldwall.UrgencyCritical, shieldwall.UrgencyNormal, shieldwall.UrgencyLow} {
			got := p.HoldUntil(u, now)
			if got.Before(now) || got.Sub(now) > 25*time.Hour {
				t.Fatalf("HoldUntil(%s, %s) with %+v = %s; want within a day from now", u, now, p, got)
			}
			if u == shieldwall.UrgencyCritical && !got.Equal(now) {
				t.Fatalf("critical held until %s", got)
			}
		}
	})
}
