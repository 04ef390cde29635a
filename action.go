package shieldwall

import "time"

// ActionItemStatus is where an action item stands.
type ActionItemStatus string

// Action item statuses.
const (
	ActionOpen ActionItemStatus = "open"
	ActionDone ActionItemStatus = "done"
)

// Where action items come from. One list holds them all, so that what a
// post-incident review and the security committee decided is tracked to
// done in the same place.
const (
	ActionSourceReview  = "review"  // a case's post-incident review
	ActionSourceMeeting = "meeting" // a security committee meeting
	ActionSourceManual  = "manual"  // written by hand
)

// ActionItem is one change someone committed to, owned by a department.
type ActionItem struct {
	ID                  string           `json:"id"`
	Title               string           `json:"title"`
	Description         string           `json:"description"`
	SourceType          string           `json:"source_type"` // review, meeting or manual
	SourceID            string           `json:"source_id"`   // the review's case or the meeting; empty when manual
	CaseID              string           `json:"case_id,omitempty"`
	OwnerDepartmentID   string           `json:"owner_department_id"`
	OwnerDepartmentName string           `json:"owner_department_name"`
	OwnerUserID         string           `json:"owner_user_id,omitempty"`
	OwnerUserName       string           `json:"owner_user_name,omitempty"`
	DueOn               string           `json:"due_on"` // a calendar date, YYYY-MM-DD
	Status              ActionItemStatus `json:"status"`
	CreatedBy           string           `json:"created_by,omitempty"`
	CreatedAt           time.Time        `json:"created_at"`
	UpdatedAt           time.Time        `json:"updated_at"`
	DoneAt              *time.Time       `json:"done_at"`
}

// Overdue reports whether the item is open past its due date, as of today (YYYY-MM-DD).
func (a ActionItem) Overdue(today string) bool {
	return a.Status == ActionOpen && a.DueOn != "" && a.DueOn < today
}

// ActionItemFilter narrows the action list.
type ActionItemFilter struct {
	Status       ActionItemStatus // empty: any
	DepartmentID string           // owner department
	SourceType   string
	SourceID     string
	CaseID       string
	OverdueOn    string // YYYY-MM-DD: only items open and due before this date
	// CaseScope, when set, leaves out items of cases outside it, so that a
	// confidential case's review shows nowhere its participants do not.
	CaseScope *CaseScope
	Page
}
