package clocks

import "time"

// Date is a day on a calendar, without a time or a location.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Calendar says which local days are business days, for rules counted in business days.
type Calendar struct {
	// Location is where a day is a day; nil means UTC. For SEC it is
	// America/New_York, where EDGAR keeps its hours.
	Location *time.Location
	// Holidays are non-business days besides Saturday and Sunday, as dates
	// in Location. For SEC these are the U.S. federal holidays: 17 CFR 232.11
	// defines a business day as any day other than Saturday, Sunday or a
	// federal holiday.
	Holidays []Date
}

// IsBusinessDay reports whether the given date is neither a Saturday, a Sunday nor a configured holiday.
func (c Calendar) IsBusinessDay(d Date) bool {
	switch time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	for _, h := range c.Holidays {
		if h == d {
			return false
		}
	}
	return true
}

func (c Calendar) location() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// Due returns the instant by which a clock started at start must be satisfied under def.Rule.
//
// Due applies def.Rule only; Evaluate also applies def.Cap, which needs a
// second event. cal matters only for BusinessDays rules.
func Due(def Clock, start time.Time, cal Calendar) time.Time {
	return dueBy(def.Rule, start, cal)
}

func dueBy(r Rule, start time.Time, cal Calendar) time.Time {
	start = start.UTC()
	switch r.Unit {
	case CalendarDays:
		// 45 CFR 164.404(b) counts calendar days after discovery. We keep the
		// time of day of the start in UTC, which is never later than the end
		// of the 60th day, so the clock errs early rather than late.
		return start.AddDate(0, 0, r.N)
	case CalendarMonths:
		return addMonths(start, r.N)
	case BusinessDays:
		return addBusinessDays(start, r.N, r.CutOff, cal)
	default:
		// Hours are elapsed time between instants: 72 hours across a DST
		// change are 72 real hours, whatever the wall clock shows.
		return start.Add(time.Duration(r.N) * time.Hour)
	}
}

// addMonths adds n calendar months in UTC, keeping the time of day and clamping to the last day of the target month.
//
// Regulation (EEC, Euratom) No 1182/71 art. 3(2)(c): a period in months
// ends on the same date of the last month or, when that month has no such
// date, on its last day — so 31 January + 1 month is 28 (or 29) February.
// That regulation ends the period at the end of the day; we keep the start's
// time of day, which is earlier and so never makes a filing late.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := daysIn(first.Year(), first.Month()); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// addBusinessDays counts n business days after the local date of start and returns the cut-off on the last of them.
//
// Form 8-K General Instruction B.1: "within four business days after
// occurrence of the event" — the day of the determination is day 0, whatever
// its hour, and only business days in cal's location are counted. The
// deadline is built from the local date with time.Date, so it is the right
// wall-clock time on either side of a DST change.
func addBusinessDays(start time.Time, n int, cutOff time.Duration, cal Calendar) time.Time {
	loc := cal.location()
	y, m, d := start.In(loc).Date()
	for counted := 0; counted < n; {
		d++
		// Normalise through time.Date so month and year roll over.
		y, m, d = time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Date()
		if cal.IsBusinessDay(Date{y, m, d}) {
			counted++
		}
	}
	if cutOff <= 0 {
		return time.Date(y, m, d+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond).UTC()
	}
	h := int(cutOff / time.Hour)
	mi := int(cutOff % time.Hour / time.Minute)
	s := int(cutOff % time.Minute / time.Second)
	return time.Date(y, m, d, h, mi, s, 0, loc).UTC()
}

// Nominal returns the length of a rule's period for thresholds, counting a day as 24 hours and a month as 30 days.
func Nominal(r Rule) time.Duration {
	switch r.Unit {
	case CalendarDays, BusinessDays:
		return time.Duration(r.N) * 24 * time.Hour
	case CalendarMonths:
		return time.Duration(r.N) * 30 * 24 * time.Hour
	default:
		return time.Duration(r.N) * time.Hour
	}
}

// DueSoon returns how long before its due time a running clock turns due-soon and escalates.
//
// The threshold is a quarter of the nominal period, but never less than one
// hour: 18 h for the 72-hour GDPR clock, 6 h for the 24-hour NIS2 early
// warning, 1 h for the 4-hour DORA initial notification, 24 h for the SEC
// four business days, 7.5 days for a one-month final report.
func DueSoon(def Clock) time.Duration {
	return max(Nominal(def.Rule)/4, time.Hour)
}
