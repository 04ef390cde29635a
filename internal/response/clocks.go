package response

import (
	"slices"
	"time"
	// Clocks counted in business days need New York's calendar wherever
	// the binary runs, even on a system without a zone database.
	_ "time/tzdata"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/clocks"
	"github.com/shieldwall/shieldwall/internal/playbook"
)

// regulations returns the bodies of law whose clocks apply to a case, from
// its type and what it affects.
func regulations(c shieldwall.Case) []clocks.Regulation {
	has := func(flag string) bool { return slices.Contains(c.Affected, flag) }
	var regs []clocks.Regulation
	if c.Type == "personal-data-breach" || has(playbook.AffectedPersonalData) {
		regs = append(regs, clocks.GDPR)
	}
	if has(playbook.AffectedEUEssentialEntity) || has(playbook.AffectedEUImportantEntity) {
		regs = append(regs, clocks.NIS2)
	}
	if has(playbook.AffectedListedCompanyMaterial) {
		regs = append(regs, clocks.SEC)
	}
	if has(playbook.AffectedFinancialEntity) {
		regs = append(regs, clocks.DORA)
	}
	if has(playbook.AffectedHealthData) {
		regs = append(regs, clocks.HIPAA)
	}
	return regs
}

// secCalendar is EDGAR's: business days in New York.
var secCalendar = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic("response: embedded zone database lacks America/New_York: " + err.Error())
	}
	return loc
}()

// evaluateClocks returns the state of every clock that applies to c as of now.
func (s *Service) evaluateClocks(c shieldwall.Case, recorded []shieldwall.CaseEvent, now time.Time) []shieldwall.CaseClock {
	events := map[clocks.Event]time.Time{}
	who := map[clocks.Event]shieldwall.CaseEvent{}
	for _, e := range recorded {
		events[clocks.Event(e.Event)] = e.At
		who[clocks.Event(e.Event)] = e
	}
	out := []shieldwall.CaseClock{}
	for _, reg := range regulations(c) {
		cal := clocks.Calendar{Holidays: s.holidays}
		if reg == clocks.SEC {
			cal.Location = secCalendar
		}
		for _, st := range clocks.Evaluate(clocks.ForRegulations(reg), events, now, cal) {
			d := st.Clock
			cc := shieldwall.CaseClock{
				ID: d.ID, Basis: d.Basis, Regulation: string(d.Regulation), Name: d.Name, Owner: d.Owner, Recipient: d.Recipient,
				Statutory: d.Statutory, Status: string(st.Status), StartEvent: string(d.StartEvent), FiledEvent: string(d.FiledEvent),
				Late: st.Late, CappedBy: string(st.CappedBy),
			}
			if !st.Start.IsZero() {
				start, due := st.Start, st.Due
				cc.StartedAt, cc.DueAt = &start, &due
				cc.StartedBy = who[d.StartEvent].RecordedByName
				if st.Status != clocks.StatusSatisfied {
					cc.Remaining = clocks.FormatRemaining(due, now, time.UTC)
				}
			}
			if !st.FiledAt.IsZero() {
				filed := st.FiledAt
				cc.FiledAt = &filed
				cc.FiledBy = who[d.FiledEvent].RecordedByName
				cc.Reference = who[d.FiledEvent].Reference
			}
			out = append(out, cc)
		}
	}
	return out
}

// Events a person may record on a case: what starts clocks and what files them.
var recordable = func() map[string]string {
	m := map[string]string{
		string(clocks.EventAwareness):                "became aware of the incident",
		string(clocks.EventDiscovery):                "discovered the breach",
		string(clocks.EventHighRiskDetermination):    "decided the breach is likely to put people at high risk",
		string(clocks.EventClassificationMajor):      "classified the incident as major (DORA)",
		string(clocks.EventMaterialityDetermination): "determined the incident is material (SEC)",
	}
	for _, d := range clocks.Definitions() {
		m[string(d.FiledEvent)] = "filed: " + d.Name + " (" + d.Basis + ")"
	}
	return m
}()

// RecordableEvents lists the events a case can record and what each means.
func RecordableEvents() map[string]string { return recordable }
