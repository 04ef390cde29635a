package shieldwall

import "time"

// CommitteeMember sits on the security committee for a department.
type CommitteeMember struct {
	UserID         string    `json:"user_id"`
	UserName       string    `json:"user_name"`
	Email          string    `json:"email"`
	DepartmentID   string    `json:"department_id"`
	DepartmentName string    `json:"department_name"`
	CreatedAt      time.Time `json:"created_at"`
}

// Meeting is one security committee meeting.
type Meeting struct {
	ID              string          `json:"id"`
	Title           string          `json:"title"`
	StartsAt        time.Time       `json:"starts_at"`
	DurationMinutes int             `json:"duration_minutes"`
	Location        string          `json:"location"`
	Minutes         string          `json:"minutes"`
	Sequence        int             `json:"sequence"`
	Items           []MeetingItem   `json:"items"`     // free agenda items
	Decisions       []Decision      `json:"decisions"` // what it decided
	Agenda          []AgendaSection `json:"agenda,omitempty"`
	ActionItems     []ActionItem    `json:"action_items,omitempty"`
	CreatedBy       string          `json:"created_by,omitempty"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

// MeetingInput creates a meeting or changes it (nil fields keep their value).
type MeetingInput struct {
	Title           *string    `json:"title"`
	StartsAt        *time.Time `json:"starts_at"`
	DurationMinutes *int       `json:"duration_minutes"`
	Location        *string    `json:"location"`
	Minutes         *string    `json:"minutes"`
}

// MeetingItem is a free agenda item.
type MeetingItem struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
}

// Decision is one entry of the decisions register, linked to what it decided on.
type Decision struct {
	ID           string    `json:"id"`
	MeetingID    string    `json:"meeting_id"`
	MeetingTitle string    `json:"meeting_title,omitempty"`
	Text         string    `json:"text"`
	ObjectType   string    `json:"object_type"`
	ObjectID     string    `json:"object_id"`
	CreatedBy    string    `json:"created_by,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// AgendaSection is one generated part of a meeting's agenda.
type AgendaSection struct {
	Key   string       `json:"key"`
	Title string       `json:"title"`
	Items []AgendaItem `json:"items"`
}

// AgendaItem is one thing to discuss, linked to its object.
type AgendaItem struct {
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Title      string `json:"title"`
	Detail     string `json:"detail"`
	Link       string `json:"link"`
}
