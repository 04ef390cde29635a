package shieldwall

import "time"

// Control implementation statuses.
const (
	ControlNotStarted    = "not-started"
	ControlPartial       = "partial"
	ControlImplemented   = "implemented"
	ControlNotApplicable = "not-applicable"
)

// ControlStatuses lists the implementation statuses.
var ControlStatuses = []string{ControlNotStarted, ControlPartial, ControlImplemented, ControlNotApplicable}

// Control is one of the organisation's own controls, owned by a department
// and mapped to framework requirements.
type Control struct {
	ID                  string           `json:"id"`
	Title               string           `json:"title"`
	Description         string           `json:"description"`
	OwnerDepartmentID   string           `json:"owner_department_id"`
	OwnerDepartmentName string           `json:"owner_department_name"`
	Status              string           `json:"status"`
	Justification       string           `json:"justification"` // why it is not applicable, for the SoA
	Mappings            []ControlMapping `json:"mappings"`
	EvidenceCount       int              `json:"evidence_count"`
	CreatedBy           string           `json:"created_by,omitempty"`
	CreatedAt           time.Time        `json:"created_at"`
	UpdatedAt           time.Time        `json:"updated_at"`
}

// ControlMapping says a control satisfies one requirement of a framework.
type ControlMapping struct {
	FrameworkID   string `json:"framework_id"`
	RequirementID string `json:"requirement_id"`
}

// ControlInput creates a control; on PATCH, nil fields keep their value.
type ControlInput struct {
	Title           *string           `json:"title"`
	Description     *string           `json:"description"`
	OwnerDepartment *string           `json:"owner_department"`
	Status          *string           `json:"status"`
	Justification   *string           `json:"justification"`
	Mappings        *[]ControlMapping `json:"mappings"`
}

// ControlFilter narrows the list of controls.
type ControlFilter struct {
	DepartmentID string
	FrameworkID  string
	Status       string
	Page
}

// Evidence shows a control works: a link or a small file, valid until a date.
type Evidence struct {
	ID          string    `json:"id"`
	ControlID   string    `json:"control_id"`
	Title       string    `json:"title"`
	URL         string    `json:"url,omitempty"`
	Filename    string    `json:"filename,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int64     `json:"size"`
	ValidUntil  string    `json:"valid_until"` // YYYY-MM-DD; empty: does not expire
	AddedBy     string    `json:"added_by"`
	AddedByName string    `json:"added_by_name"`
	CreatedAt   time.Time `json:"created_at"`
	// ControlTitle and OwnerDepartmentID are filled in lists of expiring evidence.
	ControlTitle      string `json:"control_title,omitempty"`
	OwnerDepartmentID string `json:"owner_department_id,omitempty"`
}

// EvidenceInput adds evidence: a link, or a file (base64 in JSON).
type EvidenceInput struct {
	Title       string `json:"title"`
	URL         string `json:"url"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"` // base64 in JSON
	ValidUntil  string `json:"valid_until"`
}
