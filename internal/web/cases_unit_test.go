package web

import (
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
)

func TestParseLocalTime(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		loc  *time.Location
		want string // RFC 3339 in UTC; "" for nil; "error" for a refusal
	}{
		{"", time.UTC, ""},
		{"  ", time.UTC, ""},
		{"2026-11-27T14:30", time.UTC, "2026-11-27T14:30:00Z"},
		{"2026-11-27T14:30", paris, "2026-11-27T13:30:00Z"},
		{"2026-07-01T14:30:15", paris, "2026-07-01T12:30:15Z"}, // summer time: UTC+2
		{"2026-11-27 14:30", time.UTC, "2026-11-27T14:30:00Z"},
		{"27/11/2026 14:30", time.UTC, "error"},
		{"2026-02-30T10:00", time.UTC, "error"},
		{"yesterday", time.UTC, "error"},
	} {
		got, err := parseLocalTime(tc.in, tc.loc, "at")
		switch {
		case tc.want == "error":
			if err == nil || shieldwall.ErrorField(err) != "at" {
				t.Errorf("parseLocalTime(%q) = %v, %v; want an error about at", tc.in, got, err)
			}
		case tc.want == "":
			if got != nil || err != nil {
				t.Errorf("parseLocalTime(%q) = %v, %v; want nil, nil", tc.in, got, err)
			}
		default:
			if err != nil || got == nil || got.UTC().Format(time.RFC3339) != tc.want {
				t.Errorf("parseLocalTime(%q, %s) = %v, %v; want %s", tc.in, tc.loc, got, err, tc.want)
			}
		}
	}
}

// FuzzParseLocalTime checks that whatever a browser posts as a
// datetime-local value is either a time that prints back to the same
// moment when printed and read again, nothing, or a plain error about the field.
func FuzzParseLocalTime(f *testing.F) {
	for _, s := range []string{"2026-11-27T14:30", "2026-11-27T14:30:59", "2026-11-27 14:30", "", "0000-01-01T00:00", "9999-12-31T23:59", "2026-13-01T00:00", "now"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := parseLocalTime(v, time.UTC, "at")
		if err != nil {
			if got != nil || shieldwall.ErrorCode(err) != shieldwall.EINVALID || shieldwall.ErrorField(err) != "at" {
				t.Fatalf("parseLocalTime(%q) = %v, %v; want nil and an invalid-input error about at", v, got, err)
			}
			return
		}
		if got == nil {
			return
		}
		// What was read prints back as a value the form accepts, meaning the same moment.
		again, err := parseLocalTime(got.Format("2006-01-02T15:04:05"), time.UTC, "at")
		if err != nil || again == nil || !again.Equal(*got) {
			t.Fatalf("parseLocalTime(%q) = %v; read back as %v, %v", v, got, again, err)
		}
	})
}

func TestMeasure(t *testing.T) {
	secs := func(n int64) *shieldwall.Seconds { s := shieldwall.Seconds(n); return &s }
	for _, tc := range []struct {
		in   *shieldwall.Seconds
		want string
	}{
		{nil, "not yet"},
		{secs(30), "under a minute"},
		{secs(25 * 60), "25 min"},
		{secs(3 * 3600), "3 h"},
		{secs(3*3600 + 20*60), "3 h 20 min"},
		{secs(5 * 24 * 3600), "5 days"},
	} {
		if got := measure(tc.in); got != tc.want {
			t.Errorf("measure(%v) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestLoadZone: a zone is loaded once and then shared; a name that is not a
// zone is refused every time and not remembered.
func TestLoadZone(t *testing.T) {
	first, err := loadZone("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	again, err := loadZone("Europe/Berlin")
	if err != nil || again != first {
		t.Errorf("loadZone(Europe/Berlin) again = %p, %v; want the same %p", again, err, first)
	}
	if got := formatTimeIn(time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC), again); got != "12 Jan 2027, 10:00 CET" {
		t.Errorf("09:00 UTC in Berlin = %q; want 12 Jan 2027, 10:00 CET", got)
	}
	for range 2 {
		if loc, err := loadZone("Mars/Olympus_Mons"); err == nil {
			t.Errorf("loadZone(Mars/Olympus_Mons) = %v; want an error", loc)
		}
	}
	if _, ok := zones.Load("Mars/Olympus_Mons"); ok {
		t.Error("a name that is not a zone was remembered")
	}
}

// BenchmarkViewerZone compares loading a zone from the tz database on
// every page with the remembered one.
func BenchmarkViewerZone(b *testing.B) {
	b.Run("LoadLocation", func(b *testing.B) {
		for b.Loop() {
			if _, err := time.LoadLocation("Europe/Berlin"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("loadZone", func(b *testing.B) {
		for b.Loop() {
			if _, err := loadZone("Europe/Berlin"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
