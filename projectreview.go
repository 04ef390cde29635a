package shieldwall

import "time"

// The data a project, vendor or SaaS tool may touch.
const (
	DataPersonal       = "personal-data"
	DataEmployee       = "employee-data"
	DataPayment        = "payment-data"
	DataCustomer       = "customer-data"
	DataConfidentialIP = "confidential-ip"
)

// DataKinds lists the kinds of data a review asks about.
var DataKinds = []string{DataPersonal, DataEmployee, DataPayment, DataCustomer, DataConfidentialIP}

// The duties that sign off a security review.
const (
	DutySecurity = "security"
	DutyLegal    = "legal"
	DutyHR       = "hr"
	DutyFinance  = "finance"
	DutyIT       = "it"
)

// Review statuses and sign-off decisions.
const (
	ReviewPending                = "pending"
	ReviewApproved               = "approved"
	ReviewApprovedWithConditions = "approved-with-conditions"
	ReviewRejected               = "rejected"

	DecisionApprove               = "approve"
	DecisionApproveWithConditions = "approve-with-conditions"
	DecisionReject                = "reject"
)

// ProjectReview is a security review of a new project, vendor or SaaS tool.
type ProjectReview struct {
	ID              string          `json:"id"`
	Title           string          `json:"title"`
	Description     string          `json:"description"`
	Vendor          string          `json:"vendor"`
	Cost            int64           `json:"cost"` // yearly, whole currency units
	Data            []string        `json:"data"`
	Departments     []string        `json:"departments"` // department ids using it
	Integrations    bool            `json:"integrations"`
	SSO             bool            `json:"sso"`
	NewContract     bool            `json:"new_contract"`
	AppName         string          `json:"app_name,omitempty"`
	Status          string          `json:"status"`
	RequesterID     string          `json:"requester_id,omitempty"`
	RequesterName   string          `json:"requester_name,omitempty"`
	RequiredSignoff []string        `json:"required_signoffs"`
	Signoffs        []ReviewSignoff `json:"signoffs"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

// ReviewSignoff is one duty's decision on a review.
type ReviewSignoff struct {
	Duty          string     `json:"duty"`
	Decision      string     `json:"decision"` // empty while pending
	Conditions    string     `json:"conditions"`
	DecidedBy     string     `json:"decided_by,omitempty"`
	DecidedByName string     `json:"decided_by_name,omitempty"`
	DecidedAt     *time.Time `json:"decided_at"`
}

// ProjectReviewInput is the questionnaire.
type ProjectReviewInput struct {
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Vendor       string   `json:"vendor"`
	Cost         int64    `json:"cost"`
	Data         []string `json:"data"`
	Departments  []string `json:"departments"` // ids, slugs or names
	Integrations bool     `json:"integrations"`
	SSO          bool     `json:"sso"`
	NewContract  bool     `json:"new_contract"`
	AppName      string   `json:"app_name"`
}

// ReviewDecisionInput decides one sign-off.
type ReviewDecisionInput struct {
	Duty       string `json:"duty"`
	Decision   string `json:"decision"`
	Conditions string `json:"conditions"`
}

// App statuses in the catalogue.
const (
	AppApproved  = "approved"
	AppTolerated = "tolerated"
	AppBanned    = "banned"
)

// App is one entry of the app catalogue.
type App struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Status      string    `json:"status"`
	Description string    `json:"description"`
	Alternative string    `json:"alternative"` // for a banned app: the safer approved one
	Reason      string    `json:"reason"`
	ReviewID    string    `json:"review_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}
