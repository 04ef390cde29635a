package clocks

import "time"

// Status is where a clock stands relative to now, as a stable identifier clients rely on.
type Status string

// Statuses a clock can have.
const (
	StatusNotStarted Status = "not-started" // its start event is not recorded
	StatusRunning    Status = "running"     // started, more than DueSoon left
	StatusDueSoon    Status = "due-soon"    // started, DueSoon or less left: escalate
	StatusOverdue    Status = "overdue"     // past due and not satisfied
	StatusSatisfied  Status = "satisfied"   // its filing event is recorded
)

// State is one clock of one case as of a given now.
type State struct {
	Clock      Clock     // the definition evaluated
	Start      time.Time // when StartEvent was recorded; zero if not started
	Due        time.Time // when the clock ends; zero if not started
	CappedBy   Event     // the Cap event when it made Due earlier than Rule alone
	Status     Status
	FiledAt    time.Time     // when FiledEvent was recorded; zero if not filed
	Late       bool          // filed after Due
	Remaining  time.Duration // Due minus now, negative when overdue; zero when not started or satisfied
	Escalating bool          // Status is due-soon or overdue
}

// Evaluate returns the state of every given clock for a case whose recorded events are events, as of now.
//
// defs are the clocks that apply to the case (for example ForRegulations(GDPR)
// for a personal-data breach); every one is returned, in order, including
// those not started yet. Chained clocks need no special handling: the filing
// event of one (DORA initial notification submitted) is the start event of
// the next (DORA intermediate report). When an event happens more than once,
// such as several DORA intermediate reports, events should hold the latest,
// since the final report runs from the latest one (RTS (EU) 2025/301 art. 5).
func Evaluate(defs []Clock, events map[Event]time.Time, now time.Time, cal Calendar) []State {
	out := make([]State, 0, len(defs))
	for _, def := range defs {
		out = append(out, evaluate(def, events, now, cal))
	}
	return out
}

func evaluate(def Clock, events map[Event]time.Time, now time.Time, cal Calendar) State {
	s := State{Clock: def, Status: StatusNotStarted}
	start, started := events[def.StartEvent]
	filed, isFiled := events[def.FiledEvent]
	if started {
		s.Start = start.UTC()
		s.Due = Due(def, start, cal)
		if def.Cap.Event != "" {
			// DORA RTS (EU) 2025/301 art. 5: 4 hours from classification
			// "and no later than 24 hours" from awareness — whichever is
			// earlier. A late classification can therefore be due at once.
			if at, ok := events[def.Cap.Event]; ok {
				if capDue := dueBy(def.Cap.Rule, at, cal); capDue.Before(s.Due) {
					s.Due = capDue
					s.CappedBy = def.Cap.Event
				}
			}
		}
		s.Remaining = Remaining(s.Due, now)
	}
	switch {
	case isFiled:
		s.Status = StatusSatisfied
		s.FiledAt = filed.UTC()
		s.Late = started && filed.After(s.Due)
		s.Remaining = 0
	case !started:
	case now.After(s.Due):
		s.Status = StatusOverdue
	case s.Remaining <= DueSoon(def):
		s.Status = StatusDueSoon
	default:
		s.Status = StatusRunning
	}
	s.Escalating = s.Status == StatusDueSoon || s.Status == StatusOverdue
	return s
}

// Remaining returns the time left from now until due, negative when overdue.
func Remaining(due, now time.Time) time.Duration {
	return due.Sub(now)
}
