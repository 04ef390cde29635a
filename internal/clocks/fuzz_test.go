package clocks

import (
	"testing"
	"time"
)

// FuzzDue checks, for every definition, any start between 1970 and 2200 and a
// holiday near the start, that the deadline is never before the start, that
// the same input always gives the same deadline, and that a business-day
// deadline falls on a business day.
func FuzzDue(f *testing.F) {
	f.Add(uint8(5), int64(1778176800), int16(1))   // SEC, Thu 2026-05-07 18:00Z
	f.Add(uint8(5), int64(1772737200), int16(3))   // SEC, spring-forward week
	f.Add(uint8(4), int64(1769850900), int16(0))   // NIS2 final, 31 Jan
	f.Add(uint8(0), int64(1774602000), int16(-1))  // GDPR 33, EU spring-forward
	f.Add(uint8(9), int64(0), int16(400))          // HIPAA, epoch
	f.Add(uint8(8), int64(7258118399), int16(-50)) // DORA final, end of 2199
	ny := mustLoad(f, "America/New_York")
	defs := Definitions()
	const span = int64(230 * 366 * 24 * 3600)
	f.Fuzz(func(t *testing.T, idx uint8, sec int64, holiday int16) {
		def := defs[int(idx)%len(defs)]
		sec %= span
		if sec < 0 {
			sec += span
		}
		start := time.Unix(sec, 0).UTC()
		h := start.AddDate(0, 0, int(holiday)%30)
		cal := Calendar{Location: ny, Holidays: []Date{{h.Year(), h.Month(), h.Day()}}}

		due := Due(def, start, cal)
		if due.Before(start) {
			t.Fatalf("Due(%s, %s) = %s; want >= start", def.ID, start, due)
		}
		if again := Due(def, start, cal); !again.Equal(due) {
			t.Fatalf("Due(%s, %s) = %s then %s; want the same", def.ID, start, due, again)
		}
		if def.Rule.Unit == BusinessDays {
			y, m, d := due.In(ny).Date()
			if !cal.IsBusinessDay(Date{y, m, d}) {
				t.Fatalf("Due(%s, %s) = %s, on %04d-%02d-%02d; want a business day", def.ID, start, due, y, m, d)
			}
		}
	})
}
