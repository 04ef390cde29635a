package shieldwall

import "time"

// Risk treatments.
const (
	TreatMitigate = "mitigate"
	TreatTransfer = "transfer"
	TreatAvoid    = "avoid"
	TreatAccept   = "accept"
)

// RiskTreatments lists the treatments a risk may have.
var RiskTreatments = []string{TreatMitigate, TreatTransfer, TreatAvoid, TreatAccept}

// Where an acceptance above the appetite stands.
const (
	AcceptanceNone     = ""         // not accepted, or within the appetite (no sign-off needed)
	AcceptancePending  = "pending"  // accepted above the appetite; sign-offs missing
	AcceptanceApproved = "approved" // both sign-offs given
)

// Risk is one entry of the risk register, scored on a 5×5 matrix.
type Risk struct {
	ID                  string `json:"id"`
	Title               string `json:"title"`
	Description         string `json:"description"`
	Category            string `json:"category"`
	OwnerDepartmentID   string `json:"owner_department_id"`
	OwnerDepartmentName string `json:"owner_department_name"`
	OwnerUserID         string `json:"owner_user_id,omitempty"`
	OwnerUserName       string `json:"owner_user_name,omitempty"`
	InherentLikelihood  int    `json:"inherent_likelihood"`
	InherentImpact      int    `json:"inherent_impact"`
	ResidualLikelihood  int    `json:"residual_likelihood"`
	ResidualImpact      int    `json:"residual_impact"`
	Treatment           string `json:"treatment"`
	TreatmentPlan       string `json:"treatment_plan"`
	ReviewOn            string `json:"review_on"` // YYYY-MM-DD or empty
	// Level and Score are the overall residual level, rolled up from the
	// departmental impacts (see internal/govern.RollUp).
	Score int    `json:"score"`
	Level string `json:"level"`
	// Acceptance is where an acceptance above the appetite stands; the
	// two sign-offs are the owner department's head and a security lead.
	Acceptance        string       `json:"acceptance"`
	HeadSignoffBy     string       `json:"head_signoff_by,omitempty"`
	HeadSignoffAt     *time.Time   `json:"head_signoff_at"`
	SecuritySignoffBy string       `json:"security_signoff_by,omitempty"`
	SecuritySignoffAt *time.Time   `json:"security_signoff_at"`
	Impacts           []RiskImpact `json:"impacts"`
	ControlIDs        []string     `json:"control_ids"`
	CreatedBy         string       `json:"created_by,omitempty"`
	CreatedAt         time.Time    `json:"created_at"`
	UpdatedAt         time.Time    `json:"updated_at"`
}

// RiskImpact is a risk's impact in one department's own terms.
type RiskImpact struct {
	DepartmentID   string    `json:"department_id"`
	DepartmentName string    `json:"department_name"`
	Concern        string    `json:"concern"` // the taxonomy's concern it was drafted from, e.g. "fraud and loss"
	Statement      string    `json:"statement"`
	Score          int       `json:"score"` // 1–5
	UpdatedBy      string    `json:"updated_by,omitempty"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// RiskInput creates a risk; on PATCH, nil fields keep their value.
type RiskInput struct {
	Title              *string   `json:"title"`
	Description        *string   `json:"description"`
	Category           *string   `json:"category"`
	OwnerDepartment    *string   `json:"owner_department"` // id, slug or name
	OwnerUserID        *string   `json:"owner_user_id"`
	InherentLikelihood *int      `json:"inherent_likelihood"`
	InherentImpact     *int      `json:"inherent_impact"`
	ResidualLikelihood *int      `json:"residual_likelihood"`
	ResidualImpact     *int      `json:"residual_impact"`
	Treatment          *string   `json:"treatment"`
	TreatmentPlan      *string   `json:"treatment_plan"`
	ReviewOn           *string   `json:"review_on"`
	ControlIDs         *[]string `json:"control_ids"`
	// Impacts writes departments' impacts (each by its champion or the
	// security team); departments not named keep theirs.
	Impacts []RiskImpactInput `json:"impacts,omitempty"`
	// Concerns names the departmental concerns to draft impacts for, beside
	// those the category implies; only read on create.
	Concerns []string `json:"concerns,omitempty"`
}

// RiskImpactInput writes one department's impact statement.
type RiskImpactInput struct {
	Department string `json:"department"` // id, slug or name
	Statement  string `json:"statement"`
	Score      int    `json:"score"`
}

// RiskFilter narrows the register.
type RiskFilter struct {
	DepartmentID string // owned by or affecting this department
	Level        string
	Query        string
	Page
}
