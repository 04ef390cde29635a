package clocks

import (
	"testing"
	"time"
)

func TestEvaluateStatus(t *testing.T) {
	gdpr := mustLookup(t, "gdpr-33")
	t0 := utc(t, "2026-05-04T10:00:00Z")
	due := t0.Add(72 * time.Hour)
	aware := map[Event]time.Time{EventAwareness: t0}
	filed := func(at time.Time) map[Event]time.Time {
		return map[Event]time.Time{EventAwareness: t0, EventGDPR33Notified: at}
	}
	tests := []struct {
		name          string
		events        map[Event]time.Time
		now           time.Time
		want          Status
		wantRemaining time.Duration
		wantLate      bool
	}{
		{name: "NotStarted", events: nil, now: t0, want: StatusNotStarted},
		{name: "NotStartedByOtherEvents", events: map[Event]time.Time{EventDiscovery: t0}, now: t0, want: StatusNotStarted},
		{name: "Running", events: aware, now: t0.Add(time.Hour), want: StatusRunning, wantRemaining: 71 * time.Hour},
		{name: "RunningJustBeforeThreshold", events: aware, now: due.Add(-18*time.Hour - time.Minute), want: StatusRunning, wantRemaining: 18*time.Hour + time.Minute},
		{name: "DueSoonAtThreshold", events: aware, now: due.Add(-18 * time.Hour), want: StatusDueSoon, wantRemaining: 18 * time.Hour},
		{name: "DueSoonAtDueInstant", events: aware, now: due, want: StatusDueSoon, wantRemaining: 0},
		{name: "OverdueJustAfter", events: aware, now: due.Add(time.Nanosecond), want: StatusOverdue, wantRemaining: -time.Nanosecond},
		{name: "Overdue", events: aware, now: due.Add(3 * time.Hour), want: StatusOverdue, wantRemaining: -3 * time.Hour},
		{name: "SatisfiedOnTime", events: filed(t0.Add(10 * time.Hour)), now: due.Add(100 * time.Hour), want: StatusSatisfied},
		{name: "SatisfiedLate", events: filed(due.Add(8 * time.Hour)), now: due.Add(100 * time.Hour), want: StatusSatisfied, wantLate: true},
		{name: "SatisfiedWithoutStart", events: map[Event]time.Time{EventGDPR33Notified: t0}, now: t0, want: StatusSatisfied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate([]Clock{gdpr}, tt.events, tt.now, Calendar{})
			if len(got) != 1 {
				t.Fatalf("len(Evaluate) = %d; want 1", len(got))
			}
			s := got[0]
			if s.Status != tt.want {
				t.Errorf("Status = %q; want %q", s.Status, tt.want)
			}
			if s.Remaining != tt.wantRemaining {
				t.Errorf("Remaining = %s; want %s", s.Remaining, tt.wantRemaining)
			}
			if s.Late != tt.wantLate {
				t.Errorf("Late = %v; want %v", s.Late, tt.wantLate)
			}
			wantEsc := tt.want == StatusDueSoon || tt.want == StatusOverdue
			if s.Escalating != wantEsc {
				t.Errorf("Escalating = %v; want %v", s.Escalating, wantEsc)
			}
			if _, started := tt.events[EventAwareness]; started && !s.Due.Equal(due) {
				t.Errorf("Due = %s; want %s", s.Due, due)
			}
		})
	}
}

func TestEvaluateDORAInitialCap(t *testing.T) {
	initial := mustLookup(t, "dora-initial")
	tests := []struct {
		name         string
		aware, class string // empty: not recorded
		now          string
		want         string
		wantCappedBy Event
		wantStatus   Status
	}{
		{name: "FourHoursEarlier", aware: "2026-05-04T08:00:00Z", class: "2026-05-04T10:00:00Z", now: "2026-05-04T11:00:00Z",
			want: "2026-05-04T14:00:00Z", wantStatus: StatusRunning},
		{name: "TwentyFourHoursEarlier", aware: "2026-05-04T08:00:00Z", class: "2026-05-05T06:00:00Z", now: "2026-05-05T07:15:00Z",
			want: "2026-05-05T08:00:00Z", wantCappedBy: EventAwareness, wantStatus: StatusDueSoon},
		{name: "EqualNotCapped", aware: "2026-05-04T08:00:00Z", class: "2026-05-05T04:00:00Z", now: "2026-05-05T04:00:00Z",
			want: "2026-05-05T08:00:00Z", wantStatus: StatusRunning},
		{name: "ClassifiedTooLateIsOverdueAtOnce", aware: "2026-05-04T08:00:00Z", class: "2026-05-05T14:00:00Z", now: "2026-05-05T14:00:00Z",
			want: "2026-05-05T08:00:00Z", wantCappedBy: EventAwareness, wantStatus: StatusOverdue},
		{name: "NoAwarenessRecorded", class: "2026-05-04T10:00:00Z", now: "2026-05-04T10:00:00Z",
			want: "2026-05-04T14:00:00Z", wantStatus: StatusRunning},
		{name: "AwarenessAloneDoesNotStart", aware: "2026-05-04T08:00:00Z", now: "2026-05-04T10:00:00Z",
			wantStatus: StatusNotStarted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := map[Event]time.Time{}
			if tt.aware != "" {
				events[EventAwareness] = utc(t, tt.aware)
			}
			if tt.class != "" {
				events[EventClassificationMajor] = utc(t, tt.class)
			}
			s := Evaluate([]Clock{initial}, events, utc(t, tt.now), Calendar{})[0]
			var want time.Time
			if tt.want != "" {
				want = utc(t, tt.want)
			}
			if !s.Due.Equal(want) {
				t.Errorf("Due = %s; want %s", s.Due, want)
			}
			if s.CappedBy != tt.wantCappedBy {
				t.Errorf("CappedBy = %q; want %q", s.CappedBy, tt.wantCappedBy)
			}
			if s.Status != tt.wantStatus {
				t.Errorf("Status = %q; want %q", s.Status, tt.wantStatus)
			}
		})
	}
}

// TestEvaluateChains walks the DORA and NIS2 chains, where the filing of one
// report starts the next clock.
func TestEvaluateChains(t *testing.T) {
	type want struct {
		id     string
		start  string // empty: zero
		due    string // empty: zero
		status Status
	}
	tests := []struct {
		name   string
		regs   []Regulation
		events map[Event]string
		now    string
		want   []want
	}{
		{
			name: "DORAFinalClampedTo28Feb",
			regs: []Regulation{DORA},
			events: map[Event]string{
				EventAwareness:                 "2026-01-28T07:00:00Z",
				EventClassificationMajor:       "2026-01-28T09:00:00Z",
				EventDORAInitialSubmitted:      "2026-01-28T12:00:00Z",
				EventDORAIntermediateSubmitted: "2026-01-31T10:00:00Z",
			},
			now: "2026-02-10T00:00:00Z",
			want: []want{
				{"dora-initial", "2026-01-28T09:00:00Z", "2026-01-28T13:00:00Z", StatusSatisfied},
				{"dora-intermediate", "2026-01-28T12:00:00Z", "2026-01-31T12:00:00Z", StatusSatisfied},
				{"dora-final", "2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z", StatusRunning},
			},
		},
		{
			name: "DORAIntermediateWaitsForInitial",
			regs: []Regulation{DORA},
			events: map[Event]string{
				EventAwareness:           "2026-01-28T07:00:00Z",
				EventClassificationMajor: "2026-01-28T09:00:00Z",
			},
			now: "2026-01-28T12:30:00Z",
			want: []want{
				{"dora-initial", "2026-01-28T09:00:00Z", "2026-01-28T13:00:00Z", StatusDueSoon},
				{"dora-intermediate", "", "", StatusNotStarted},
				{"dora-final", "", "", StatusNotStarted},
			},
		},
		{
			name: "NIS2FinalFromNotification",
			regs: []Regulation{NIS2},
			events: map[Event]string{
				EventAwareness:            "2026-03-29T08:00:00Z",
				EventNIS2NotificationSent: "2026-03-31T18:00:00Z",
			},
			now: "2026-04-24T00:00:00Z",
			want: []want{
				{"nis2-early-warning", "2026-03-29T08:00:00Z", "2026-03-30T08:00:00Z", StatusOverdue},
				{"nis2-notification", "2026-03-29T08:00:00Z", "2026-04-01T08:00:00Z", StatusSatisfied},
				{"nis2-final-report", "2026-03-31T18:00:00Z", "2026-04-30T18:00:00Z", StatusDueSoon},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := map[Event]time.Time{}
			for e, s := range tt.events {
				events[e] = utc(t, s)
			}
			got := Evaluate(ForRegulations(tt.regs...), events, utc(t, tt.now), Calendar{})
			if len(got) != len(tt.want) {
				t.Fatalf("len(Evaluate) = %d; want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				s := got[i]
				var start, due time.Time
				if w.start != "" {
					start = utc(t, w.start)
				}
				if w.due != "" {
					due = utc(t, w.due)
				}
				if s.Clock.ID != w.id || !s.Start.Equal(start) || !s.Due.Equal(due) || s.Status != w.status {
					t.Errorf("Evaluate[%d] = {%s %s %s %s}; want {%s %s %s %s}", i,
						s.Clock.ID, s.Start.Format(time.RFC3339), s.Due.Format(time.RFC3339), s.Status,
						w.id, start.Format(time.RFC3339), due.Format(time.RFC3339), w.status)
				}
			}
		})
	}
}

func TestEvaluateSECUsesCalendar(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	cal := Calendar{Location: ny, Holidays: []Date{{2026, time.May, 25}}}
	events := map[Event]time.Time{EventMaterialityDetermination: utc(t, "2026-05-21T10:00:00-04:00")}
	s := Evaluate(ForRegulations(SEC), events, utc(t, "2026-05-27T21:30:00Z"), cal)[0]
	if want := utc(t, "2026-05-28T21:30:00Z"); !s.Due.Equal(want) {
		t.Errorf("Due = %s; want %s", s.Due, want)
	}
	if s.Status != StatusDueSoon {
		t.Errorf("Status = %q; want %q", s.Status, StatusDueSoon)
	}
}
