package shieldwall

import (
	"encoding/json"
	"time"
)

// Severity ranks a case, SEV1 the most critical.
type Severity string

// Severities, most critical first.
const (
	SEV1 Severity = "SEV1"
	SEV2 Severity = "SEV2"
	SEV3 Severity = "SEV3"
	SEV4 Severity = "SEV4"
)

// Valid reports whether s is a severity.
func (s Severity) Valid() bool { return s == SEV1 || s == SEV2 || s == SEV3 || s == SEV4 }

// Label is the severity in plain words, for people outside security.
func (s Severity) Label() string {
	switch s {
	case SEV1:
		return "critical"
	case SEV2:
		return "high"
	case SEV3:
		return "medium"
	case SEV4:
		return "low"
	}
	return string(s)
}

// CaseStatus is where a case stands in its lifecycle.
type CaseStatus string

// The lifecycle, in order.
const (
	CaseTriage        CaseStatus = "triage"
	CaseInvestigating CaseStatus = "investigating"
	CaseContained     CaseStatus = "contained"
	CaseEradicated    CaseStatus = "eradicated"
	CaseRecovered     CaseStatus = "recovered"
	CaseClosed        CaseStatus = "closed"
)

// CaseStatuses lists the lifecycle in order.
var CaseStatuses = []CaseStatus{CaseTriage, CaseInvestigating, CaseContained, CaseEradicated, CaseRecovered, CaseClosed}

// Valid reports whether s is a lifecycle status.
func (s CaseStatus) Valid() bool {
	for _, c := range CaseStatuses {
		if s == c {
			return true
		}
	}
	return false
}

// Case is an incident the organisation responds to together.
type Case struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	Type         string     `json:"type"` // the playbook identifier
	Severity     Severity   `json:"severity"`
	Status       CaseStatus `json:"status"`
	Summary      string     `json:"summary"`
	Affected     []string   `json:"affected"` // personal-data, payment-systems, …
	Confidential bool       `json:"confidential"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// AwareAt is when the organisation became aware: regulatory clocks run from it.
	AwareAt time.Time `json:"aware_at"`

	// Measures.
	FirstReportAt  *time.Time `json:"first_report_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	ContainedAt    *time.Time `json:"contained_at"`
	RecoveredAt    *time.Time `json:"recovered_at"`
	ClosedAt       *time.Time `json:"closed_at"`

	// The details, filled in on a single GET and left out of lists.
	Roles        []CaseRole         `json:"roles,omitzero"`
	Tasks        []CaseTask         `json:"tasks,omitzero"`
	Clocks       []CaseClock        `json:"clocks,omitzero"`
	Participants []CaseParticipant  `json:"participants,omitzero"`
	ReportIDs    []string           `json:"report_ids,omitzero"`
	Measures     *CaseMeasures      `json:"measures,omitempty"`
	Plan         json.RawMessage    `json:"-"` // the playbook plan last applied, to see what a change adds
	You          *CaseViewerContext `json:"you,omitempty"`
}

// CaseRole is a duty in a case, the department that fills it and who holds it.
type CaseRole struct {
	Role           string     `json:"role"` // lowercase identifier, e.g. legal-counsel
	Name           string     `json:"name"`
	Description    string     `json:"description,omitempty"`
	DepartmentID   string     `json:"department_id"`
	DepartmentName string     `json:"department_name"`
	UserID         string     `json:"user_id"`
	UserName       string     `json:"user_name"`
	BackupUserID   string     `json:"backup_user_id"`
	BackupUserName string     `json:"backup_user_name"`
	EngagedAt      time.Time  `json:"engaged_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
}

// TaskStatus is whether a task is done.
type TaskStatus string

// Task statuses.
const (
	TaskOpen TaskStatus = "open"
	TaskDone TaskStatus = "done"
)

// CaseTask is one thing a role must do by a time.
type CaseTask struct {
	ID             string     `json:"id"`
	Key            string     `json:"key"` // the playbook's task id; empty for tasks added by hand
	Role           string     `json:"role"`
	DepartmentID   string     `json:"department_id"`
	DepartmentName string     `json:"department_name"`
	Title          string     `json:"title"`
	Description    string     `json:"description,omitempty"`
	DueAt          time.Time  `json:"due_at"`
	Status         TaskStatus `json:"status"`
	DoneAt         *time.Time `json:"done_at"`
	DoneBy         string     `json:"done_by,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Late reports whether the task was done after, or is still open past, its due time.
func (t CaseTask) Late(now time.Time) bool {
	if t.DoneAt != nil {
		return t.DoneAt.After(t.DueAt)
	}
	return now.After(t.DueAt)
}

// CaseClock is a regulatory deadline of a case as of now.
type CaseClock struct {
	ID         string     `json:"id"`    // e.g. gdpr-33
	Basis      string     `json:"basis"` // e.g. GDPR art. 33
	Regulation string     `json:"regulation"`
	Name       string     `json:"name"`
	Owner      string     `json:"owner"` // the role that files it
	Recipient  string     `json:"recipient"`
	Statutory  bool       `json:"statutory"`
	Status     string     `json:"status"` // not-started, running, due-soon, overdue, satisfied
	StartEvent string     `json:"start_event"`
	StartedAt  *time.Time `json:"started_at"`
	StartedBy  string     `json:"started_by,omitempty"`
	DueAt      *time.Time `json:"due_at"`
	Remaining  string     `json:"remaining,omitempty"` // "in 41 h (Thu 14:00 UTC)"
	FiledEvent string     `json:"filed_event"`
	FiledAt    *time.Time `json:"filed_at"`
	FiledBy    string     `json:"filed_by,omitempty"`
	Reference  string     `json:"reference,omitempty"`
	Late       bool       `json:"late"`
	CappedBy   string     `json:"capped_by,omitempty"`
}

// CaseEvent is a recorded fact that starts or satisfies regulatory clocks.
type CaseEvent struct {
	Event          string    `json:"event"` // e.g. awareness, gdpr-33-notified
	At             time.Time `json:"at"`
	Reference      string    `json:"reference,omitempty"`
	RecordedBy     string    `json:"recorded_by"`
	RecordedByName string    `json:"recorded_by_name"`
	RecordedAt     time.Time `json:"recorded_at"`
}

// CaseParticipant is a person who may see a case and why.
type CaseParticipant struct {
	UserID         string    `json:"user_id"`
	Name           string    `json:"name"`
	DepartmentName string    `json:"department_name"`
	Reason         string    `json:"reason"` // created, role:legal-counsel, added
	AddedAt        time.Time `json:"added_at"`
}

// CaseMeasures are the response times kept on every case.
type CaseMeasures struct {
	ReportToCase      *Seconds          `json:"report_to_case_seconds"`
	ToAcknowledgement *Seconds          `json:"to_acknowledgement_seconds"`
	ToContainment     *Seconds          `json:"to_containment_seconds"`
	ToClosure         *Seconds          `json:"to_closure_seconds"`
	Departments       []DepartmentTasks `json:"departments"`
}

// Seconds is a duration given to clients in whole seconds.
type Seconds int64

// DepartmentTasks counts one department's tasks on a case.
type DepartmentTasks struct {
	DepartmentID   string `json:"department_id"`
	DepartmentName string `json:"department_name"`
	OnTime         int    `json:"on_time"`
	Late           int    `json:"late"`
	Open           int    `json:"open"`
}

// CaseViewerContext is the case as it concerns the person looking at it:
// their roles, their tasks and the clocks they own, first.
type CaseViewerContext struct {
	Roles       []string `json:"roles"`
	Participant bool     `json:"participant"`
	CanManage   bool     `json:"can_manage"`
}

// Timeline entry kinds.
const (
	TimelineNote        = "note"
	TimelineDecision    = "decision"
	TimelineStatus      = "status"
	TimelineTask        = "task"
	TimelineIndicator   = "indicator"
	TimelineClock       = "clock"
	TimelineParticipant = "participant"
	TimelineEngagement  = "engagement"
	TimelineEscalation  = "escalation"
	TimelineReview      = "review"
	TimelineCase        = "case"
)

// TimelineEntry is one append-only line of a case's history.
type TimelineEntry struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Kind      string    `json:"kind"`
	Body      string    `json:"body"`
	ActorID   string    `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	CreatedAt time.Time `json:"created_at"`
}

// CaseInput opens a case.
type CaseInput struct {
	Title        string     `json:"title"`
	Type         string     `json:"type"`
	Severity     Severity   `json:"severity"`
	Summary      string     `json:"summary"`
	Affected     []string   `json:"affected"`
	Confidential *bool      `json:"confidential"` // nil: the playbook decides
	AwareAt      *time.Time `json:"aware_at"`     // nil: now
	ReportIDs    []string   `json:"report_ids"`
	CampaignID   string     `json:"campaign_id"`
}

// CasePatch changes a case; nil fields keep their value.
type CasePatch struct {
	Title        *string     `json:"title"`
	Type         *string     `json:"type"`
	Severity     *Severity   `json:"severity"`
	Status       *CaseStatus `json:"status"`
	Summary      *string     `json:"summary"`
	Affected     *[]string   `json:"affected"`
	Confidential *bool       `json:"confidential"`
}

// CaseFilter narrows the case list.
type CaseFilter struct {
	Status   CaseStatus
	Open     bool // every status but closed
	Type     string
	Severity Severity
	Query    string // words in the title
	// CreatedFrom and CreatedTo bound when cases were opened, [from, to);
	// zero leaves that end open.
	CreatedFrom, CreatedTo time.Time
	Page
}

// Review is a case's blameless post-incident review.
type Review struct {
	CaseID              string       `json:"case_id"`
	Status              string       `json:"status"` // draft, published
	WhatHappened        string       `json:"what_happened"`
	Timeline            string       `json:"timeline"`
	WentWell            string       `json:"went_well"`
	WasHard             string       `json:"was_hard"`
	ContributingFactors string       `json:"contributing_factors"`
	Changes             string       `json:"changes"`
	OpenedAt            time.Time    `json:"opened_at"`
	UpdatedAt           time.Time    `json:"updated_at"`
	PublishedAt         *time.Time   `json:"published_at"`
	ActionItems         []ActionItem `json:"action_items"`
}

// Duty is who fills a case role for a department: a primary and a backup.
type Duty struct {
	DepartmentID   string    `json:"department_id"`
	Role           string    `json:"role"`
	UserID         string    `json:"user_id"`
	UserName       string    `json:"user_name"`
	BackupUserID   string    `json:"backup_user_id"`
	BackupUserName string    `json:"backup_user_name"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// CaseAccess is what the policy needs to know about a case and the person
// asking: whether the case is confidential and how the person is involved.
type CaseAccess struct {
	Confidential      bool
	Participant       bool // the person takes part in the case
	DepartmentEngaged bool // the case engages the person's department in a role
	Commander         bool // the person holds the incident-commander role
}

// CaseScope is which cases a person may learn exist: all of them, or those
// they take part in plus every non-confidential one, or plus the
// non-confidential ones that engage one department. The policy decides it.
type CaseScope struct {
	All             bool
	ViewerID        string
	NonConfidential bool
	DepartmentID    string
}
