package clocks

import (
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v.UTC()
}

func mustLookup(t testing.TB, id string) Clock {
	t.Helper()
	c, ok := Lookup(id)
	if !ok {
		t.Fatalf("Lookup(%q): not found", id)
	}
	return c
}

func TestDefinitions(t *testing.T) {
	// Bases are names clients rely on (issue 4, Interface): they must not drift.
	tests := []struct {
		id, basis, owner string
		start            Event
		rule             Rule
		statutory        bool
	}{
		{"gdpr-33", "GDPR art. 33", "legal-counsel", EventAwareness, Rule{Unit: Hours, N: 72}, true},
		{"gdpr-34", "GDPR art. 34", "privacy-officer", EventHighRiskDetermination, Rule{Unit: Hours, N: 72}, false},
		{"nis2-early-warning", "NIS2 art. 23(4)(a)", "legal-counsel", EventAwareness, Rule{Unit: Hours, N: 24}, true},
		{"nis2-notification", "NIS2 art. 23(4)(b)", "legal-counsel", EventAwareness, Rule{Unit: Hours, N: 72}, true},
		{"nis2-final-report", "NIS2 art. 23(4)(d)", "legal-counsel", EventNIS2NotificationSent, Rule{Unit: CalendarMonths, N: 1}, true},
		{"sec-8k-1.05", "SEC Form 8-K item 1.05", "legal-counsel", EventMaterialityDetermination, Rule{Unit: BusinessDays, N: 4, CutOff: 17*time.Hour + 30*time.Minute}, true},
		{"dora-initial", "DORA art. 19", "legal-counsel", EventClassificationMajor, Rule{Unit: Hours, N: 4}, true},
		{"dora-intermediate", "DORA art. 19", "legal-counsel", EventDORAInitialSubmitted, Rule{Unit: Hours, N: 72}, true},
		{"dora-final", "DORA art. 19", "legal-counsel", EventDORAIntermediateSubmitted, Rule{Unit: CalendarMonths, N: 1}, true},
		{"hipaa-164.404", "HIPAA 45 CFR 164.404", "privacy-officer", EventDiscovery, Rule{Unit: CalendarDays, N: 60}, true},
	}
	defs := Definitions()
	if len(defs) != len(tests) {
		t.Fatalf("len(Definitions()) = %d; want %d", len(defs), len(tests))
	}
	for i, tt := range tests {
		c := defs[i]
		if c.ID != tt.id || c.Basis != tt.basis || c.Owner != tt.owner || c.StartEvent != tt.start || c.Rule != tt.rule || c.Statutory != tt.statutory {
			t.Errorf("Definitions()[%d] = {%q %q %q %q %+v %v}; want {%q %q %q %q %+v %v}", i,
				c.ID, c.Basis, c.Owner, c.StartEvent, c.Rule, c.Statutory,
				tt.id, tt.basis, tt.owner, tt.start, tt.rule, tt.statutory)
		}
		if c.Name == "" || c.Reference == "" || c.Recipient == "" || c.FiledEvent == "" || c.Regulation == "" {
			t.Errorf("Definitions()[%d] (%s) has an empty Name, Reference, Recipient, FiledEvent or Regulation", i, c.ID)
		}
	}
	if cap := mustLookup(t, "dora-initial").Cap; cap != (Limit{Event: EventAwareness, Rule: Rule{Unit: Hours, N: 24}}) {
		t.Errorf("dora-initial Cap = %+v; want awareness + 24 h", cap)
	}

	// Definitions returns a copy: changing it must not change the next call.
	defs[0].Rule.N = 1
	if got := Definitions()[0].Rule.N; got != 72 {
		t.Errorf("Definitions()[0].Rule.N after caller change = %d; want 72", got)
	}
}

func TestForRegulations(t *testing.T) {
	tests := []struct {
		regs []Regulation
		want []string
	}{
		{[]Regulation{GDPR}, []string{"gdpr-33", "gdpr-34"}},
		{[]Regulation{NIS2}, []string{"nis2-early-warning", "nis2-notification", "nis2-final-report"}},
		{[]Regulation{DORA, SEC}, []string{"sec-8k-1.05", "dora-initial", "dora-intermediate", "dora-final"}},
		{[]Regulation{HIPAA}, []string{"hipaa-164.404"}},
		{nil, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range ForRegulations(tt.regs...) {
			got = append(got, c.ID)
		}
		if len(got) != len(tt.want) {
			t.Errorf("ForRegulations(%v) = %v; want %v", tt.regs, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("ForRegulations(%v) = %v; want %v", tt.regs, got, tt.want)
				break
			}
		}
	}
	if _, ok := Lookup("no-such-clock"); ok {
		t.Errorf("Lookup(%q) found; want not found", "no-such-clock")
	}
}

func TestDue(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	us := Calendar{Location: ny, Holidays: []Date{
		{2026, time.May, 25},    // Memorial Day
		{2026, time.July, 3},    // Independence Day, observed (4 July is a Saturday)
		{2027, time.January, 1}, // New Year's Day
	}}
	endOfDay := mustLookup(t, "sec-8k-1.05")
	endOfDay.Rule.CutOff = 0

	tests := []struct {
		name  string
		id    string
		def   *Clock // overrides id
		cal   Calendar
		start string
		want  string
	}{
		// Hours: elapsed time in UTC.
		{name: "GDPR33_72h", id: "gdpr-33", start: "2026-05-04T10:00:00Z", want: "2026-05-07T10:00:00Z"},
		{name: "GDPR34_DefaultTarget", id: "gdpr-34", start: "2026-05-04T10:00:00Z", want: "2026-05-07T10:00:00Z"},
		{name: "NIS2EarlyWarning_24h", id: "nis2-early-warning", start: "2026-05-04T10:00:00Z", want: "2026-05-05T10:00:00Z"},
		{name: "NIS2Notification_72h", id: "nis2-notification", start: "2026-05-04T10:00:00+02:00", want: "2026-05-07T08:00:00Z"},
		{name: "DORAInitial_4hWithoutCap", id: "dora-initial", start: "2026-05-04T22:30:00Z", want: "2026-05-05T02:30:00Z"},
		{name: "DORAIntermediate_72h", id: "dora-intermediate", start: "2026-05-04T22:30:00Z", want: "2026-05-07T22:30:00Z"},

		// Calendar months: same date and time in UTC, clamped to the month's last day.
		{name: "NIS2Final_31JanClampsTo28Feb", id: "nis2-final-report", start: "2026-01-31T09:15:00Z", want: "2026-02-28T09:15:00Z"},
		{name: "NIS2Final_LeapYear29Feb", id: "nis2-final-report", start: "2028-01-31T09:15:00Z", want: "2028-02-29T09:15:00Z"},
		{name: "NIS2Final_31MarClampsTo30Apr", id: "nis2-final-report", start: "2026-03-31T18:00:00Z", want: "2026-04-30T18:00:00Z"},
		{name: "NIS2Final_YearRollover", id: "nis2-final-report", start: "2026-12-31T23:59:00Z", want: "2027-01-31T23:59:00Z"},
		{name: "NIS2Final_CountedInUTCNotLocal", id: "nis2-final-report", start: "2026-02-01T00:30:00+01:00", want: "2026-02-28T23:30:00Z"},
		{name: "DORAFinal_30JanClampsTo28Feb", id: "dora-final", start: "2026-01-30T10:00:00Z", want: "2026-02-28T10:00:00Z"},
		{name: "DORAFinal_31AugTo30Sep", id: "dora-final", start: "2026-08-31T16:00:00Z", want: "2026-09-30T16:00:00Z"},
		{name: "DORAFinal_MidMonth", id: "dora-final", start: "2026-06-15T07:00:00Z", want: "2026-07-15T07:00:00Z"},

		// Calendar days.
		{name: "HIPAA_60Days", id: "hipaa-164.404", start: "2026-01-10T15:00:00Z", want: "2026-03-11T15:00:00Z"},
		{name: "HIPAA_AcrossLeapDay", id: "hipaa-164.404", start: "2028-01-10T15:00:00Z", want: "2028-03-10T15:00:00Z"},

		// Business days in New York, due 17:30 local on the fourth.
		{name: "SEC_ThursdayToWednesday", id: "sec-8k-1.05", cal: us, start: "2026-05-07T14:00:00-04:00", want: "2026-05-13T21:30:00Z"},
		{name: "SEC_LateThursdayInNewYorkIsFridayInUTC", id: "sec-8k-1.05", cal: us, start: "2026-05-07T23:30:00-04:00", want: "2026-05-13T21:30:00Z"},
		{name: "SEC_MondayToFriday", id: "sec-8k-1.05", cal: us, start: "2026-05-11T09:00:00-04:00", want: "2026-05-15T21:30:00Z"},
		{name: "SEC_SaturdayCountsFromMonday", id: "sec-8k-1.05", cal: us, start: "2026-05-09T12:00:00-04:00", want: "2026-05-14T21:30:00Z"},
		{name: "SEC_MemorialDayPushesToThursday", id: "sec-8k-1.05", cal: us, start: "2026-05-21T10:00:00-04:00", want: "2026-05-28T21:30:00Z"},
		{name: "SEC_WithoutHolidaysWednesday", id: "sec-8k-1.05", cal: Calendar{Location: ny}, start: "2026-05-21T10:00:00-04:00", want: "2026-05-27T21:30:00Z"},
		{name: "SEC_ObservedIndependenceDay", id: "sec-8k-1.05", cal: us, start: "2026-07-01T10:00:00-04:00", want: "2026-07-08T21:30:00Z"},
		{name: "SEC_NewYearAcrossYearEnd", id: "sec-8k-1.05", cal: us, start: "2026-12-31T10:00:00-05:00", want: "2027-01-07T22:30:00Z"},
		{name: "SEC_SpringForward", id: "sec-8k-1.05", cal: us, start: "2026-03-05T14:00:00-05:00", want: "2026-03-11T21:30:00Z"}, // EST start, EDT due
		{name: "SEC_FallBack", id: "sec-8k-1.05", cal: us, start: "2026-10-29T14:00:00-04:00", want: "2026-11-04T22:30:00Z"},      // EDT start, EST due
		{name: "SEC_EndOfDayConvention", def: &endOfDay, cal: us, start: "2026-05-07T14:00:00-04:00", want: "2026-05-14T03:59:59.999999999Z"},
		{name: "SEC_NilLocationCountsInUTC", id: "sec-8k-1.05", cal: Calendar{}, start: "2026-05-08T03:30:00Z", want: "2026-05-14T17:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var def Clock
			if tt.def != nil {
				def = *tt.def
			} else {
				def = mustLookup(t, tt.id)
			}
			start, want := utc(t, tt.start), utc(t, tt.want)
			if got := Due(def, start, tt.cal); !got.Equal(want) {
				t.Errorf("Due(%s, %s) = %s; want %s", def.ID, start.Format(time.RFC3339), got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
			}
		})
	}
}

// TestDueDSTElapsed checks that hour clocks count elapsed time across the EU
// daylight-saving changes: 72 real hours, 73 or 71 on the Berlin wall clock.
func TestDueDSTElapsed(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	gdpr := mustLookup(t, "gdpr-33")
	tests := []struct {
		name      string
		start     string
		wantLocal string
		wantWall  time.Duration
	}{
		{"SpringForward", "2026-03-27T10:00:00+01:00", "Mon 30 Mar 11:00 CEST", 73 * time.Hour},
		{"FallBack", "2026-10-23T10:00:00+02:00", "Mon 26 Oct 09:00 CET", 71 * time.Hour},
		{"NoChange", "2026-05-04T10:00:00+02:00", "Thu 7 May 10:00 CEST", 72 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := utc(t, tt.start)
			due := Due(gdpr, start, Calendar{})
			if got := due.Sub(start); got != 72*time.Hour {
				t.Errorf("elapsed = %s; want 72h0m0s", got)
			}
			if got := due.In(berlin).Format("Mon 2 Jan 15:04 MST"); got != tt.wantLocal {
				t.Errorf("due in Berlin = %q; want %q", got, tt.wantLocal)
			}
			if got := wall(due, berlin).Sub(wall(start, berlin)); got != tt.wantWall {
				t.Errorf("wall-clock difference = %s; want %s", got, tt.wantWall)
			}
		})
	}
}

// wall returns t's local wall-clock reading in loc as if it were UTC, so wall readings can be subtracted.
func wall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

func TestIsBusinessDay(t *testing.T) {
	cal := Calendar{Holidays: []Date{{2026, time.November, 26}}}
	tests := []struct {
		d    Date
		want bool
	}{
		{Date{2026, time.November, 25}, true},  // Wednesday
		{Date{2026, time.November, 26}, false}, // Thanksgiving
		{Date{2026, time.November, 28}, false}, // Saturday
		{Date{2026, time.November, 29}, false}, // Sunday
		{Date{2026, time.November, 30}, true},  // Monday
	}
	for _, tt := range tests {
		if got := cal.IsBusinessDay(tt.d); got != tt.want {
			t.Errorf("IsBusinessDay(%v) = %v; want %v", tt.d, got, tt.want)
		}
	}
}

func TestDueSoon(t *testing.T) {
	short := mustLookup(t, "dora-initial")
	short.Rule.N = 2
	tests := []struct {
		def  Clock
		want time.Duration
	}{
		{mustLookup(t, "gdpr-33"), 18 * time.Hour},
		{mustLookup(t, "gdpr-34"), 18 * time.Hour},
		{mustLookup(t, "nis2-early-warning"), 6 * time.Hour},
		{mustLookup(t, "nis2-notification"), 18 * time.Hour},
		{mustLookup(t, "nis2-final-report"), 180 * time.Hour},
		{mustLookup(t, "sec-8k-1.05"), 24 * time.Hour},
		{mustLookup(t, "dora-initial"), time.Hour},
		{mustLookup(t, "dora-intermediate"), 18 * time.Hour},
		{mustLookup(t, "dora-final"), 180 * time.Hour},
		{mustLookup(t, "hipaa-164.404"), 360 * time.Hour},
		{short, time.Hour}, // a quarter would be 30 min; the floor is 1 h
	}
	for _, tt := range tests {
		if got := DueSoon(tt.def); got != tt.want {
			t.Errorf("DueSoon(%s, %+v) = %s; want %s", tt.def.ID, tt.def.Rule, got, tt.want)
		}
	}
}
