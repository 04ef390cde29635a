package shieldwall

import (
	"encoding/json"
	"time"
)

// ReportKind is what a report is about.
type ReportKind string

// The report kinds; reports that arrive through the mailbox are phishing.
const (
	KindPhishing            ReportKind = "phishing"
	KindPaymentFraud        ReportKind = "payment-fraud"
	KindSuspiciousBehaviour ReportKind = "suspicious-behaviour"
	KindLostDevice          ReportKind = "lost-device"
	KindShadowIT            ReportKind = "shadow-it"
	KindDataExposure        ReportKind = "data-exposure"
	KindMistake             ReportKind = "mistake"
	KindOther               ReportKind = "other"
)

// ReportKinds lists every kind in the order the form offers them.
var ReportKinds = []ReportKind{KindPhishing, KindPaymentFraud, KindSuspiciousBehaviour, KindLostDevice,
	KindShadowIT, KindDataExposure, KindMistake, KindOther}

// Valid reports whether k is one of ReportKinds.
func (k ReportKind) Valid() bool {
	for _, x := range ReportKinds {
		if k == x {
			return true
		}
	}
	return false
}

// ReportStatus is where a report stands.
type ReportStatus string

// The report statuses.
const (
	StatusNew      ReportStatus = "new"
	StatusTriaging ReportStatus = "triaging"
	StatusResolved ReportStatus = "resolved"
	StatusClosed   ReportStatus = "closed"
)

// Valid reports whether s is a report status.
func (s ReportStatus) Valid() bool {
	return s == StatusNew || s == StatusTriaging || s == StatusResolved || s == StatusClosed
}

// ReportSource is how a report arrived.
type ReportSource string

// The report sources.
const (
	SourcePortal    ReportSource = "portal"
	SourceAPI       ReportSource = "api"
	SourceEmail     ReportSource = "email"
	SourceAnonymous ReportSource = "anonymous"
)

// Report is something someone saw that looked wrong.
type Report struct {
	ID          string          `json:"id"`
	Kind        ReportKind      `json:"kind"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Details     json.RawMessage `json:"details"` // the kind's own answers
	Status      ReportStatus    `json:"status"`
	Source      ReportSource    `json:"source"`
	// ReporterID and ReporterName are empty for anonymous reports and for
	// mail from senders who are not users.
	ReporterID     string   `json:"reporter_id"`
	ReporterName   string   `json:"reporter_name"`
	Anonymous      bool     `json:"anonymous"`
	DepartmentID   string   `json:"department_id"`
	DepartmentName string   `json:"department_name"`
	CampaignID     string   `json:"campaign_id"`
	DuplicateOf    string   `json:"duplicate_of"`
	AssigneeID     string   `json:"assignee_id"`
	AssigneeName   string   `json:"assignee_name"`
	CaseID         string   `json:"case_id"`
	Simulation     bool     `json:"simulation"`
	VerdictLevel   string   `json:"verdict_level"`
	VerdictScore   int      `json:"verdict_score"`
	Signals        []Signal `json:"signals"`
	// Indicators, Attachments and Messages are loaded for one report (and
	// then always present, [] when empty) but not in lists, where they are
	// left out.
	Indicators  []Indicator  `json:"indicators,omitzero"`
	Attachments []Attachment `json:"attachments,omitzero"`
	Messages    []Message    `json:"messages,omitzero"`
	Resolution  string       `json:"resolution"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// Signal is one reason behind a triage verdict.
type Signal struct {
	Code   string `json:"code"`
	Weight int    `json:"weight"`
	Reason string `json:"reason"`
}

// Indicator is an observable taken from a report: a URL, domain, IP
// address, email address, or an attachment's name or SHA-256.
type Indicator struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Note  string `json:"note,omitempty"`
}

// Attachment is a file kept with a report. Nothing in it is executed or unpacked.
type Attachment struct {
	ID          string    `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// Message is one message in a report's conversation between the reporter
// and the security team.
type Message struct {
	ID        string    `json:"id"`
	Author    string    `json:"author"` // reporter or security
	AuthorID  string    `json:"author_id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// ReportInput is a new report.
type ReportInput struct {
	Kind        ReportKind      `json:"kind"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Details     json.RawMessage `json:"details,omitempty"`
	// Anonymous keeps no identity, not even the signed-in reporter's.
	Anonymous bool `json:"anonymous,omitempty"`
}

// ReportFilter narrows a list of reports.
type ReportFilter struct {
	Status       ReportStatus
	Kind         ReportKind
	DepartmentID string
	CampaignID   string
	ReporterID   string
	// Ungrouped leaves out the reports of open campaigns: the triage
	// queue shows those as their campaign.
	Ungrouped bool
	Page
}

// Campaign is many reports of the same email.
type Campaign struct {
	ID              string     `json:"id"`
	Title           string     `json:"title"`
	SenderDomain    string     `json:"sender_domain"`
	Status          string     `json:"status"`   // open or decided
	Decision        string     `json:"decision"` // malicious, spam, safe, simulation
	DecisionNote    string     `json:"decision_note"`
	DecidedAt       *time.Time `json:"decided_at"`
	ReportCount     int        `json:"report_count"`
	FirstReportedAt time.Time  `json:"first_reported_at"`
	LastReportedAt  time.Time  `json:"last_reported_at"`
	CreatedAt       time.Time  `json:"created_at"`
	// Departments counts reporters per department (filled on the campaign page).
	Departments []DepartmentCount `json:"departments,omitempty"`
}

// DepartmentCount is how many of something one department has.
type DepartmentCount struct {
	DepartmentID   string `json:"department_id"`
	DepartmentName string `json:"department_name"`
	Count          int    `json:"count"`
}
