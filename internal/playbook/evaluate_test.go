package playbook

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func mustFind(t *testing.T, id string) *Playbook {
	t.Helper()
	pb, ok := Find(Library(), id)
	if !ok {
		t.Fatalf("no built-in playbook %q", id)
	}
	return pb
}

func roleIDs(p Plan) []string {
	var ids []string
	for _, r := range p.Roles {
		ids = append(ids, r.ID)
	}
	return ids
}

func taskIDs(p Plan) []string {
	var ids []string
	for _, t := range p.Tasks {
		ids = append(ids, t.ID)
	}
	return ids
}

func TestEvaluateLibrary(t *testing.T) {
	tests := []struct {
		name      string
		facts     CaseFacts
		roles     []string                 // exactly these, in this order
		due       map[string]time.Duration // these tasks, due this long after start
		notTasks  []string
		confident bool
	}{
		{
			name:     "BECSEV1PaymentSystems",
			facts:    CaseFacts{Type: "bec", Severity: "SEV1", Affected: []string{"payment-systems"}, Description: "Supplier asked to change bank details"},
			roles:    []string{"incident-commander", "finance-controller", "it-containment", "legal-counsel", "executive-sponsor"},
			due:      map[string]time.Duration{"freeze-payments": time.Hour, "recall-payment": time.Hour, "brief-executive": 4 * time.Hour, "police-and-insurance": 24 * time.Hour},
			notTasks: []string{"assess-personal-data"},
		},
		{
			name:     "BECSEV3",
			facts:    CaseFacts{Type: "bec", Severity: "SEV3", Description: "Suspicious request for a new payee"},
			roles:    []string{"incident-commander", "finance-controller", "it-containment"},
			due:      map[string]time.Duration{"freeze-payments": time.Hour, "secure-mailbox": 2 * time.Hour},
			notTasks: []string{"police-and-insurance", "brief-executive"},
		},
		{
			name:  "BECMoneyAlreadySent",
			facts: CaseFacts{Type: "bec", Severity: "SEV3", Description: "We already PAID the invoice on Monday."},
			roles: []string{"incident-commander", "finance-controller", "it-containment", "legal-counsel"},
			due:   map[string]time.Duration{"police-and-insurance": 24 * time.Hour},
		},
		{
			name:     "PhishingSEV4",
			facts:    CaseFacts{Type: "phishing", Severity: "SEV4", Description: "Fake parcel notice, two people clicked"},
			roles:    []string{"incident-commander", "it-containment"},
			due:      map[string]time.Duration{"block-sender": time.Hour, "reset-credentials": time.Hour, "scan-devices": 4 * time.Hour},
			notTasks: []string{"warn-staff", "check-payments", "assess-personal-data"},
		},
		{
			name:  "PhishingSEV2Invoice",
			facts: CaseFacts{Type: "phishing", Severity: "SEV2", Affected: []string{"personal-data"}, Description: "Fake invoice with a login page"},
			roles: []string{"incident-commander", "it-containment", "communications-lead", "privacy-officer", "finance-controller"},
			due:   map[string]time.Duration{"warn-staff": 4 * time.Hour, "check-payments": 4 * time.Hour, "assess-personal-data": 24 * time.Hour},
		},
		{
			name:     "RansomwareSEV3NoDemand",
			facts:    CaseFacts{Type: "ransomware", Severity: "SEV3", Description: "One laptop shows encrypted files"},
			roles:    []string{"incident-commander", "scribe", "it-containment", "legal-counsel"},
			due:      map[string]time.Duration{"isolate-systems": time.Hour, "no-contact-without-legal": 2 * time.Hour},
			notTasks: []string{"decide-ransom", "nis2-early-warning", "dora-classify", "materiality", "staff-guidance"},
		},
		{
			name:     "RansomwareDemandRegulated",
			facts:    CaseFacts{Type: "ransomware", Severity: "SEV3", Affected: []string{"eu-important-entity", "financial-entity"}, Description: "Ransom note asks for bitcoin"},
			roles:    []string{"incident-commander", "scribe", "it-containment", "legal-counsel", "executive-sponsor"},
			due:      map[string]time.Duration{"decide-ransom": 24 * time.Hour, "nis2-early-warning": 24 * time.Hour, "dora-classify": 4 * time.Hour},
			notTasks: []string{"materiality", "assess-personal-data"},
		},
		{
			name:     "PersonalDataBreachStaffData",
			facts:    CaseFacts{Type: "personal-data-breach", Severity: "SEV3", Affected: []string{"personal-data"}, Description: "Payroll spreadsheet emailed to the wrong person"},
			roles:    []string{"privacy-officer", "incident-commander", "it-containment", "hr-partner"},
			due:      map[string]time.Duration{"record-awareness": time.Hour, "decide-authority-notification": 48 * time.Hour, "notify-authority": 72 * time.Hour, "staff-message": 24 * time.Hour},
			notTasks: []string{"people-notice", "brief-executive"},
		},
		{
			name:     "PersonalDataBreachSEV1Customers",
			facts:    CaseFacts{Type: "personal-data-breach", Severity: "SEV1", Affected: []string{"personal-data", "customer-facing"}, Description: "Customer database exposed"},
			roles:    []string{"privacy-officer", "legal-counsel", "incident-commander", "it-containment", "communications-lead", "executive-sponsor"},
			due:      map[string]time.Duration{"people-notice": 48 * time.Hour, "decide-people-notice": 72 * time.Hour, "check-contracts": 48 * time.Hour},
			notTasks: []string{"staff-message"},
		},
		{
			name:     "LostDeviceStolen",
			facts:    CaseFacts{Type: "lost-device", Severity: "SEV4", Description: "Laptop stolen from a car"},
			roles:    []string{"incident-commander", "it-containment"},
			due:      map[string]time.Duration{"lock-device": time.Hour, "report-theft": 24 * time.Hour},
			notTasks: []string{"assess-personal-data", "support-owner"},
		},
		{
			name:     "LostDeviceForgotten",
			facts:    CaseFacts{Type: "lost-device", Severity: "SEV4", Description: "Phone left on the train"},
			roles:    []string{"incident-commander", "it-containment"},
			notTasks: []string{"report-theft"},
		},
		{
			name:  "LostDeviceUnencrypted",
			facts: CaseFacts{Type: "lost-device", Severity: "SEV3", Description: "USB stick, not encrypted, with patient letters"},
			roles: []string{"incident-commander", "it-containment", "privacy-officer"},
			due:   map[string]time.Duration{"assess-personal-data": 24 * time.Hour},
		},
		{
			name:      "InsiderThreatConfidential",
			facts:     CaseFacts{Type: "insider-threat", Severity: "SEV3", Description: "Large download of the customer list"},
			roles:     []string{"incident-commander", "hr-partner", "legal-counsel", "it-containment"},
			due:       map[string]time.Duration{"keep-confidential": time.Hour, "lawful-monitoring": 4 * time.Hour, "legal-hold": 24 * time.Hour},
			notTasks:  []string{"review-offboarding", "review-payments"},
			confident: true,
		},
		{
			name:      "InsiderThreatLeaver",
			facts:     CaseFacts{Type: "insider-threat", Severity: "SEV2", Description: "Handed in resignation, joining a competitor"},
			roles:     []string{"incident-commander", "hr-partner", "legal-counsel", "it-containment", "executive-sponsor"},
			due:       map[string]time.Duration{"review-offboarding": 24 * time.Hour, "brief-executive": 24 * time.Hour},
			confident: true,
		},
		{
			name:  "AccountTakeoverSpam",
			facts: CaseFacts{Type: "account-takeover", Severity: "SEV3", Description: "Mailbox sent spam to all contacts"},
			// warn-contacts is gated by its own when and brings its role.
			roles:    []string{"incident-commander", "it-containment", "communications-lead"},
			due:      map[string]time.Duration{"sign-out-sessions": time.Hour, "warn-contacts": 24 * time.Hour},
			notTasks: []string{"customer-duties", "check-payments"},
		},
		{
			name:     "AccountTakeoverFinance",
			facts:    CaseFacts{Type: "account-takeover", Severity: "SEV2", Affected: []string{"payment-systems"}, Description: "Treasury admin signed in from abroad"},
			roles:    []string{"incident-commander", "it-containment", "finance-controller", "legal-counsel"},
			due:      map[string]time.Duration{"check-payments": 4 * time.Hour, "customer-duties": 48 * time.Hour},
			notTasks: []string{"warn-contacts", "brief-executive"},
		},
		{
			name:     "VendorBreachPersonalData",
			facts:    CaseFacts{Type: "vendor-breach", Severity: "SEV2", Affected: []string{"personal-data"}, Description: "Our payroll provider was hacked"},
			roles:    []string{"incident-commander", "vendor-manager", "it-containment", "legal-counsel", "privacy-officer", "executive-sponsor"},
			due:      map[string]time.Duration{"record-awareness": time.Hour, "rotate-secrets": 4 * time.Hour, "assess-personal-data": 24 * time.Hour, "decide-relationship": 72 * time.Hour},
			notTasks: []string{"payment-watch", "customer-statement"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.facts.Start = start
			plan := Evaluate(mustFind(t, tt.facts.Type), tt.facts)
			if plan.Playbook != tt.facts.Type {
				t.Errorf("Playbook = %q; want %q", plan.Playbook, tt.facts.Type)
			}
			if plan.Confidential != tt.confident {
				t.Errorf("Confidential = %v; want %v", plan.Confidential, tt.confident)
			}
			if got := roleIDs(plan); !slices.Equal(got, tt.roles) {
				t.Errorf("roles = %v; want %v", got, tt.roles)
			}
			for id, d := range tt.due {
				i := slices.IndexFunc(plan.Tasks, func(p PlannedTask) bool { return p.ID == id })
				if i < 0 {
					t.Errorf("task %s missing; tasks = %v", id, taskIDs(plan))
				} else if want := start.Add(d); !plan.Tasks[i].DueAt.Equal(want) {
					t.Errorf("task %s due %v; want %v", id, plan.Tasks[i].DueAt, want)
				}
			}
			for _, id := range tt.notTasks {
				if slices.Contains(taskIDs(plan), id) {
					t.Errorf("task %s created; want not", id)
				}
			}
			engaged := roleIDs(plan)
			for _, task := range plan.Tasks {
				if !slices.Contains(engaged, task.Role) {
					t.Errorf("task %s belongs to %s, which is not engaged", task.ID, task.Role)
				}
			}
			if !slices.IsSortedFunc(plan.Tasks, func(a, b PlannedTask) int { return a.DueAt.Compare(b.DueAt) }) {
				t.Errorf("tasks not in due order: %v", taskIDs(plan))
			}
		})
	}
}

const gating = `id: gating
name: Gating
description: Shows which tasks a rule or a when controls.
roles:
  - {id: lead, name: Lead, department: Security}
  - {id: money, name: Money, department: Finance}
tasks:
  - {id: lead-first, role: lead, title: Lead first, due: 2h}
  - {id: lead-early, role: lead, title: Lead early, due: 1h}
  - {id: money-always, role: money, title: Whenever Finance is engaged, due: 8h}
  - {id: money-when, role: money, title: Only for payments, due: 1h, when: {affected_any: [payment-systems]}}
  - {id: money-rule, role: money, title: Only for SEV1, due: 4h}
rules:
  - engage: [lead]
  - when: {severity_at_most: SEV1}
    tasks: [money-rule]
`

func TestEvaluateGating(t *testing.T) {
	pb, err := Parse("gating.yaml", []byte(gating))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		facts CaseFacts
		roles []string
		tasks []string // in plan order: by due time, then the playbook's order
	}{
		{"OnlyAlwaysRule", CaseFacts{Severity: "SEV3"}, []string{"lead"}, []string{"lead-early", "lead-first"}},
		{"TaskWhenEngagesRole", CaseFacts{Severity: "SEV3", Affected: []string{"payment-systems"}}, []string{"lead", "money"}, []string{"lead-early", "money-when", "lead-first", "money-always"}},
		{"RuleTaskEngagesRole", CaseFacts{Severity: "SEV1"}, []string{"lead", "money"}, []string{"lead-early", "lead-first", "money-rule", "money-always"}},
		{"Both", CaseFacts{Severity: "SEV1", Affected: []string{"payment-systems"}}, []string{"lead", "money"}, []string{"lead-early", "money-when", "lead-first", "money-rule", "money-always"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.facts.Start = start
			plan := Evaluate(pb, tt.facts)
			if got := roleIDs(plan); !slices.Equal(got, tt.roles) {
				t.Errorf("roles = %v; want %v", got, tt.roles)
			}
			if got := taskIDs(plan); !slices.Equal(got, tt.tasks) {
				t.Errorf("tasks = %v; want %v", got, tt.tasks)
			}
		})
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	pb := mustFind(t, "ransomware")
	a := CaseFacts{Type: "ransomware", Severity: "SEV1", Affected: []string{"personal-data", "financial-entity", "customer-facing"}, Description: "ransom", Start: start}
	b := a
	b.Affected = []string{"customer-facing", "financial-entity", "personal-data"}
	first := Evaluate(pb, a)
	for range 20 {
		if got := Evaluate(pb, b); !reflect.DeepEqual(got, first) {
			t.Fatalf("Evaluate() differs between runs:\n%+v\n%+v", got, first)
		}
	}
}

func TestEvaluateNil(t *testing.T) {
	plan := Evaluate(nil, CaseFacts{})
	if plan.Roles == nil || plan.Tasks == nil || len(plan.Roles)+len(plan.Tasks) != 0 {
		t.Errorf("Evaluate(nil) = %+v; want empty, non-nil lists", plan)
	}
}

func TestDiff(t *testing.T) {
	pb := mustFind(t, "bec")
	facts := func(sev string, affected ...string) Plan {
		return Evaluate(pb, CaseFacts{Type: "bec", Severity: sev, Affected: affected, Start: start})
	}
	tests := []struct {
		name       string
		prev, next Plan
		roles      []string
		tasks      []string
	}{
		{"FirstPlan", Plan{}, facts("SEV3"), []string{"incident-commander", "finance-controller", "it-containment"},
			[]string{"freeze-payments", "recall-payment", "secure-mailbox", "verify-bank-details", "collect-evidence", "check-other-payments"}},
		{"NoChange", facts("SEV3"), facts("SEV3"), nil, nil},
		{"Escalated", facts("SEV3"), facts("SEV1"), []string{"legal-counsel", "executive-sponsor"}, []string{"brief-executive", "police-and-insurance"}},
		{"FlagAdded", facts("SEV1"), facts("SEV1", "personal-data"), []string{"privacy-officer"}, []string{"assess-personal-data"}},
		{"DeescalatedRemovesNothing", facts("SEV1", "personal-data"), facts("SEV4"), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := Diff(tt.prev, tt.next)
			var roles, tasks []string
			for _, r := range ch.Roles {
				roles = append(roles, r.ID)
			}
			for _, task := range ch.Tasks {
				tasks = append(tasks, task.ID)
			}
			if !slices.Equal(roles, tt.roles) {
				t.Errorf("Diff() roles = %v; want %v", roles, tt.roles)
			}
			if !slices.Equal(tasks, tt.tasks) {
				t.Errorf("Diff() tasks = %v; want %v", tasks, tt.tasks)
			}
			if got, want := ch.Empty(), len(tt.roles)+len(tt.tasks) == 0; got != want {
				t.Errorf("Empty() = %v; want %v", got, want)
			}
		})
	}
}
