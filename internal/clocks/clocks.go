// Package clocks computes regulatory notification deadlines for incident cases.
//
// It is pure: definitions, recorded event times and "now" go in as plain
// values, deadlines and statuses come out. Hour-based clocks count elapsed
// time between UTC instants, so a 72-hour clock is 72 real hours even when a
// daylight-saving change makes the local wall clock show 71 or 73. Business
// days are counted in the Calendar's location; calendar months are added in
// UTC.
package clocks

import "time"

// Regulation names a body of law whose clocks this package knows.
type Regulation string

// Regulations with clocks, as stable identifiers.
const (
	GDPR  Regulation = "GDPR"
	NIS2  Regulation = "NIS2"
	SEC   Regulation = "SEC"
	DORA  Regulation = "DORA"
	HIPAA Regulation = "HIPAA"
)

// Event names something recorded on a case whose time can start or satisfy a clock.
type Event string

// Events that start clocks.
const (
	EventAwareness                Event = "awareness"
	EventDiscovery                Event = "discovery"
	EventHighRiskDetermination    Event = "high-risk-determination"
	EventClassificationMajor      Event = "classification-major"
	EventMaterialityDetermination Event = "materiality-determination"
)

// Events that record a filing; each satisfies one clock, and some start the next clock in a chain.
const (
	EventGDPR33Notified            Event = "gdpr-33-notified"
	EventGDPR34Notified            Event = "gdpr-34-notified"
	EventNIS2EarlyWarningSent      Event = "nis2-early-warning-submitted"
	EventNIS2NotificationSent      Event = "nis2-notification-submitted"
	EventNIS2FinalReportSent       Event = "nis2-final-report-submitted"
	EventSEC8KFiled                Event = "sec-8k-filed"
	EventDORAInitialSubmitted      Event = "dora-initial-submitted"
	EventDORAIntermediateSubmitted Event = "dora-intermediate-submitted"
	EventDORAFinalSubmitted        Event = "dora-final-submitted"
	EventHIPAAIndividualsNotified  Event = "hipaa-individuals-notified"
)

// Unit is the kind of period a Rule counts.
type Unit string

// Units a Rule can count in.
const (
	Hours          Unit = "hours"
	CalendarDays   Unit = "calendar-days"
	CalendarMonths Unit = "calendar-months"
	BusinessDays   Unit = "business-days"
)

// Rule is a period of N units counted from a start instant.
type Rule struct {
	Unit Unit
	N    int
	// CutOff is the local time of day at which a BusinessDays deadline ends,
	// as an offset from midnight; zero means the end of the day
	// (23:59:59.999999999 local). Ignored for other units.
	CutOff time.Duration
}

// Limit is a second deadline, counted from another event, that can only bring a clock's due time earlier.
type Limit struct {
	Event Event // zero means no limit
	Rule  Rule
}

// Clock defines one regulatory deadline.
type Clock struct {
	ID         string     // stable identifier, e.g. "gdpr-33"
	Regulation Regulation // the regulation the clock belongs to
	Basis      string     // regulation and article as clients rely on, e.g. "GDPR art. 33"
	Reference  string     // the finer legal text the timing comes from
	Name       string     // what must be done, in plain words
	Owner      string     // role that owns the filing, e.g. "legal-counsel"
	Recipient  string     // who receives the filing
	StartEvent Event      // the recorded event that starts the clock
	Rule       Rule       // the period from StartEvent
	Cap        Limit      // an earlier "no later than" bound, if any (DORA)
	FiledEvent Event      // the recorded event that satisfies the clock
	// Statutory is false when the law sets no fixed period and Rule is an
	// internal target the organisation may change (GDPR art. 34).
	Statutory bool
}

// EDGARCutOff is the Eastern time after which an EDGAR submission is dated the next business day.
//
// 17 CFR 232.13(a)(2) (Regulation S-T rule 13): a filing submitted after
// 5:30 p.m. Eastern is deemed filed on the next business day, so a Form 8-K
// due "within four business days" must be submitted by 17:30 New York time
// on the fourth day, not by midnight.
const EDGARCutOff = 17*time.Hour + 30*time.Minute

// GDPR34TargetHours is the default internal target for GDPR art. 34 notices, which the law does not fix.
const GDPR34TargetHours = 72

// Definitions returns every clock this package knows, in a fixed order; the slice is a fresh copy the caller may change.
func Definitions() []Clock {
	return []Clock{
		{
			ID: "gdpr-33", Regulation: GDPR, Basis: "GDPR art. 33",
			Reference: "Regulation (EU) 2016/679 art. 33(1): without undue delay and, where feasible, not later than 72 hours after having become aware of it",
			Name:      "Notify the supervisory authority of the personal-data breach",
			Owner:     "legal-counsel", Recipient: "supervisory authority",
			StartEvent: EventAwareness, Rule: Rule{Unit: Hours, N: 72},
			FiledEvent: EventGDPR33Notified, Statutory: true,
		},
		{
			ID: "gdpr-34", Regulation: GDPR, Basis: "GDPR art. 34",
			Reference: "Regulation (EU) 2016/679 art. 34(1): without undue delay when the breach is likely to result in a high risk; no fixed hours, the period is an internal target",
			Name:      "Tell the affected people about the personal-data breach",
			Owner:     "privacy-officer", Recipient: "data subjects",
			StartEvent: EventHighRiskDetermination, Rule: Rule{Unit: Hours, N: GDPR34TargetHours},
			FiledEvent: EventGDPR34Notified, Statutory: false,
		},
		{
			ID: "nis2-early-warning", Regulation: NIS2, Basis: "NIS2 art. 23(4)(a)",
			Reference: "Directive (EU) 2022/2555 art. 23(4)(a): early warning without undue delay and in any event within 24 hours of becoming aware of the significant incident",
			Name:      "Send the early warning to the CSIRT or competent authority",
			Owner:     "legal-counsel", Recipient: "CSIRT or competent authority",
			StartEvent: EventAwareness, Rule: Rule{Unit: Hours, N: 24},
			FiledEvent: EventNIS2EarlyWarningSent, Statutory: true,
		},
		{
			ID: "nis2-notification", Regulation: NIS2, Basis: "NIS2 art. 23(4)(b)",
			Reference: "Directive (EU) 2022/2555 art. 23(4)(b): incident notification without undue delay and in any event within 72 hours of becoming aware of the significant incident",
			Name:      "Send the incident notification to the CSIRT or competent authority",
			Owner:     "legal-counsel", Recipient: "CSIRT or competent authority",
			StartEvent: EventAwareness, Rule: Rule{Unit: Hours, N: 72},
			FiledEvent: EventNIS2NotificationSent, Statutory: true,
		},
		{
			ID: "nis2-final-report", Regulation: NIS2, Basis: "NIS2 art. 23(4)(d)",
			Reference: "Directive (EU) 2022/2555 art. 23(4)(d): final report not later than one month after the submission of the incident notification under point (b)",
			Name:      "Send the final report to the CSIRT or competent authority",
			Owner:     "legal-counsel", Recipient: "CSIRT or competent authority",
			StartEvent: EventNIS2NotificationSent, Rule: Rule{Unit: CalendarMonths, N: 1},
			FiledEvent: EventNIS2FinalReportSent, Statutory: true,
		},
		{
			ID: "sec-8k-1.05", Regulation: SEC, Basis: "SEC Form 8-K item 1.05",
			Reference: "Form 8-K General Instruction B.1 and Item 1.05: within four business days after the registrant determines the incident is material; 17 CFR 232.13(a)(2): EDGAR filings after 5:30 p.m. Eastern are dated the next business day",
			Name:      "File Form 8-K item 1.05 on the material cybersecurity incident",
			Owner:     "legal-counsel", Recipient: "U.S. Securities and Exchange Commission (EDGAR)",
			StartEvent: EventMaterialityDetermination, Rule: Rule{Unit: BusinessDays, N: 4, CutOff: EDGARCutOff},
			FiledEvent: EventSEC8KFiled, Statutory: true,
		},
		{
			ID: "dora-initial", Regulation: DORA, Basis: "DORA art. 19",
			Reference: "Regulation (EU) 2022/2554 art. 19(4)(a); Commission Delegated Regulation (EU) 2025/301 art. 5: initial notification within 4 hours of classification as major and no later than 24 hours after becoming aware of the incident",
			Name:      "Submit the initial notification of the major ICT-related incident",
			Owner:     "legal-counsel", Recipient: "competent authority",
			StartEvent: EventClassificationMajor, Rule: Rule{Unit: Hours, N: 4},
			Cap:        Limit{Event: EventAwareness, Rule: Rule{Unit: Hours, N: 24}},
			FiledEvent: EventDORAInitialSubmitted, Statutory: true,
		},
		{
			ID: "dora-intermediate", Regulation: DORA, Basis: "DORA art. 19",
			Reference: "Regulation (EU) 2022/2554 art. 19(4)(b); Commission Delegated Regulation (EU) 2025/301 art. 5: intermediate report within 72 hours of the submission of the initial notification",
			Name:      "Submit the intermediate report on the major ICT-related incident",
			Owner:     "legal-counsel", Recipient: "competent authority",
			StartEvent: EventDORAInitialSubmitted, Rule: Rule{Unit: Hours, N: 72},
			FiledEvent: EventDORAIntermediateSubmitted, Statutory: true,
		},
		{
			ID: "dora-final", Regulation: DORA, Basis: "DORA art. 19",
			Reference: "Regulation (EU) 2022/2554 art. 19(4)(c); Commission Delegated Regulation (EU) 2025/301 art. 5: final report within one month of the submission of the latest intermediate report",
			Name:      "Submit the final report on the major ICT-related incident",
			Owner:     "legal-counsel", Recipient: "competent authority",
			StartEvent: EventDORAIntermediateSubmitted, Rule: Rule{Unit: CalendarMonths, N: 1},
			FiledEvent: EventDORAFinalSubmitted, Statutory: true,
		},
		{
			ID: "hipaa-164.404", Regulation: HIPAA, Basis: "HIPAA 45 CFR 164.404",
			Reference: "45 CFR 164.404(b): without unreasonable delay and in no case later than 60 calendar days after discovery of a breach",
			Name:      "Notify the affected individuals of the breach of unsecured protected health information",
			Owner:     "privacy-officer", Recipient: "affected individuals",
			StartEvent: EventDiscovery, Rule: Rule{Unit: CalendarDays, N: 60},
			FiledEvent: EventHIPAAIndividualsNotified, Statutory: true,
		},
	}
}

// ForRegulations returns the definitions of the given regulations' clocks, in Definitions order.
func ForRegulations(regs ...Regulation) []Clock {
	var out []Clock
	for _, c := range Definitions() {
		for _, r := range regs {
			if c.Regulation == r {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// Lookup returns the definition with the given ID and whether it exists.
func Lookup(id string) (Clock, bool) {
	for _, c := range Definitions() {
		if c.ID == id {
			return c, true
		}
	}
	return Clock{}, false
}
