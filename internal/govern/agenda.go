package govern

import (
	"fmt"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// AgendaWindow is what an agenda is built for: what changed since the
// previous meeting (Since; zero when there was none) until this meeting
// starts (Until), which is also the day overdue and expiring are judged on.
type AgendaWindow struct {
	Since, Until time.Time
}

// AgendaFacts is everything an agenda may draw on, read by
// Service.gatherAgendaFacts. The builders below choose from it by the
// window, so they are pure and tested with a controllable clock.
//
// To add a section (cases since the last meeting, say): add a field here,
// fill it in gatherAgendaFacts, and append a builder to agendaSections.
type AgendaFacts struct {
	Risks       []store.AgendaRisk         // high risks and those pending acceptance
	Evidence    []shieldwall.Evidence      // evidence with an end date
	Reviews     []shieldwall.ProjectReview // pending project reviews
	ActionItems []shieldwall.ActionItem    // open action items
	Cases       []shieldwall.Case          // recently changed cases the viewer may see
}

// agendaSection builds one section from the facts; empty sections are left out.
type agendaSection func(AgendaFacts, AgendaWindow) shieldwall.AgendaSection

// agendaSections are the generated parts of every agenda, in order.
var agendaSections = []agendaSection{
	incidentsSection,
	newHighRisksSection,
	pendingAcceptancesSection,
	pendingReviewsSection,
	overdueActionsSection,
	expiringEvidenceSection,
}

// BuildAgenda assembles the generated agenda of a meeting from the facts:
// every section of agendaSections that has something to discuss.
func BuildAgenda(f AgendaFacts, w AgendaWindow) []shieldwall.AgendaSection {
	out := []shieldwall.AgendaSection{}
	for _, build := range agendaSections {
		if s := build(f, w); len(s.Items) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// HighRiskScore is the lowest score the agenda calls high (the high band).
const HighRiskScore = 10

func newHighRisksSection(f AgendaFacts, w AgendaWindow) shieldwall.AgendaSection {
	s := shieldwall.AgendaSection{Key: "new-high-risks", Title: "New high risks since the last meeting", Items: []shieldwall.AgendaItem{}}
	for _, r := range f.Risks {
		if r.Score >= HighRiskScore && !r.CreatedAt.Before(w.Since) && r.CreatedAt.Before(w.Until) {
			s.Items = append(s.Items, shieldwall.AgendaItem{ObjectType: "risk", ObjectID: r.ID, Title: r.Title,
				Detail: fmt.Sprintf("%s, score %d (%s)", r.Department, r.Score, LevelOf(r.Score)), Link: "/risks/" + r.ID})
		}
	}
	return s
}

// incidentsSection lists the cases opened since the last meeting, with
// their review's open action items counted.
func incidentsSection(f AgendaFacts, w AgendaWindow) shieldwall.AgendaSection {
	s := shieldwall.AgendaSection{Key: "incidents", Title: "Incidents since the last meeting", Items: []shieldwall.AgendaItem{}}
	open := map[string]int{}
	for _, a := range f.ActionItems {
		if a.CaseID != "" && a.Status == shieldwall.ActionOpen {
			open[a.CaseID]++
		}
	}
	for _, c := range f.Cases {
		if c.CreatedAt.Before(w.Since) || !c.CreatedAt.Before(w.Until) {
			continue
		}
		detail := fmt.Sprintf("%s (%s), %s", c.Severity, c.Severity.Label(), c.Status)
		if n := open[c.ID]; n > 0 {
			detail += fmt.Sprintf(", %d open action item(s) from its review", n)
		}
		s.Items = append(s.Items, shieldwall.AgendaItem{ObjectType: "case", ObjectID: c.ID, Title: c.Title, Detail: detail, Link: "/cases/" + c.ID})
	}
	return s
}

func pendingAcceptancesSection(f AgendaFacts, w AgendaWindow) shieldwall.AgendaSection {
	s := shieldwall.AgendaSection{Key: "pending-acceptances", Title: "Risk acceptances waiting for sign-off", Items: []shieldwall.AgendaItem{}}
	for _, r := range f.Risks {
		if r.Acceptance == shieldwall.AcceptancePending && r.CreatedAt.Before(w.Until) {
			s.Items = append(s.Items, shieldwall.AgendaItem{ObjectType: "risk", ObjectID: r.ID, Title: r.Title,
				Detail: fmt.Sprintf("%s accepts it at %d", r.Department, r.Score), Link: "/risks/" + r.ID})
		}
	}
	return s
}

func pendingReviewsSection(f AgendaFacts, w AgendaWindow) shieldwall.AgendaSection {
	s := shieldwall.AgendaSection{Key: "pending-reviews", Title: "Project reviews waiting for a decision", Items: []shieldwall.AgendaItem{}}
	for _, p := range f.Reviews {
		if p.Status != shieldwall.ReviewPending || !p.CreatedAt.Before(w.Until) {
			continue
		}
		var waiting []string
		for _, so := range p.Signoffs {
			if so.Decision == "" {
				waiting = append(waiting, so.Duty)
			}
		}
		s.Items = append(s.Items, shieldwall.AgendaItem{ObjectType: "project-review", ObjectID: p.ID, Title: p.Title,
			Detail: "waiting for " + strings.Join(waiting, ", "), Link: "/project-reviews/" + p.ID})
	}
	return s
}

func overdueActionsSection(f AgendaFacts, w AgendaWindow) shieldwall.AgendaSection {
	s := shieldwall.AgendaSection{Key: "overdue-actions", Title: "Overdue action items", Items: []shieldwall.AgendaItem{}}
	day := w.Until.UTC().Format(time.DateOnly)
	for _, a := range f.ActionItems {
		if a.Overdue(day) {
			s.Items = append(s.Items, shieldwall.AgendaItem{ObjectType: "action-item", ObjectID: a.ID, Title: a.Title,
				Detail: fmt.Sprintf("%s, due %s", a.OwnerDepartmentName, a.DueOn)})
		}
	}
	return s
}

func expiringEvidenceSection(f AgendaFacts, w AgendaWindow) shieldwall.AgendaSection {
	s := shieldwall.AgendaSection{Key: "expiring-evidence", Title: "Evidence expired or expiring within 30 days", Items: []shieldwall.AgendaItem{}}
	limit := w.Until.UTC().AddDate(0, 0, ExpiringWithin).Format(time.DateOnly)
	day := w.Until.UTC().Format(time.DateOnly)
	for _, e := range f.Evidence {
		if e.ValidUntil == "" || e.ValidUntil > limit {
			continue
		}
		verb := "expires on"
		if e.ValidUntil < day {
			verb = "expired on"
		}
		s.Items = append(s.Items, shieldwall.AgendaItem{ObjectType: "control", ObjectID: e.ControlID, Title: e.ControlTitle + ": " + e.Title,
			Detail: verb + " " + e.ValidUntil, Link: "/controls/" + e.ControlID})
	}
	return s
}
