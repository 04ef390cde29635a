// Package shieldwall holds the domain vocabulary of Shieldwall, the security
// workspace an organisation shares: its nouns, their inputs and filters, and
// the error codes. It imports nothing but the standard library; everything
// that does work lives under internal/.
package shieldwall

import "time"

// Role is what a user may do across the product; see internal/policy.
type Role string

// The roles. Every user has exactly one.
const (
	RoleAdmin    Role = "admin"    // manages departments, people, integrations
	RoleSecurity Role = "security" // the security team: triage, cases, playbooks
	RoleChampion Role = "champion" // a department's security champion
	RoleMember   Role = "member"   // any employee
	RoleAuditor  Role = "auditor"  // read-only: controls, evidence, decisions, audit log
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleSecurity, RoleChampion, RoleMember, RoleAuditor}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Department is one part of the organisation; every user belongs to one.
type Department struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	Description string    `json:"description"`
	MemberCount int       `json:"member_count"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// DepartmentInput creates or changes a department.
type DepartmentInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// User is a person in the organisation. A user without a password cannot
// sign in with one (they may still use single sign-on or API tokens later).
type User struct {
	ID             string    `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	Title          string    `json:"title"`
	Role           Role      `json:"role"`
	DepartmentID   string    `json:"department_id"`
	DepartmentName string    `json:"department_name"`
	Active         bool      `json:"active"`
	HasPassword    bool      `json:"has_password"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// UserInput creates or changes a user. Department names a department by
// id, slug or name. Password is optional and never echoed back.
type UserInput struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	Title      string `json:"title"`
	Role       Role   `json:"role"`
	Department string `json:"department"`
	Password   string `json:"password,omitempty"`
}

// UserFilter narrows a list of users.
type UserFilter struct {
	DepartmentID string
	Role         Role
	Query        string // matches name or email, case-insensitively
	Page
}

// DepartmentFilter narrows a list of departments.
type DepartmentFilter struct {
	Query string
	Page
}

// Page is the window of a list: at most Limit items after skipping Offset.
type Page struct {
	Limit  int
	Offset int
}

// Pagination limits shared by every list.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Normalize applies the default and maximum limit.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit > MaxLimit {
		p.Limit = MaxLimit
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}

// APIToken is a bearer credential for the API. Only a hash of its secret is kept.
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// AuditEvent is one entry of the tamper-evident audit chain.
type AuditEvent struct {
	ID         string    `json:"id"` // the sequence number as text, for API uniformity
	Seq        int64     `json:"seq"`
	CreatedAt  time.Time `json:"created_at"`
	ActorID    string    `json:"actor_id"`
	ActorLabel string    `json:"actor_label"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Summary    string    `json:"summary"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// AuditFilter narrows a list of audit events.
type AuditFilter struct {
	ObjectType string
	ObjectID   string
	ActorID    string
	Page
}

// Actor is who is acting: a signed-in user, an API token's user, the
// command line (System), or nobody (Anonymous).
type Actor struct {
	UserID       string
	Name         string
	Email        string
	Role         Role
	DepartmentID string
	System       bool // the operator at the command line or a background job
}

// Anonymous reports whether nobody is signed in.
func (a Actor) Anonymous() bool { return a.UserID == "" && !a.System }

// Label is how the actor appears in the audit log.
func (a Actor) Label() string {
	switch {
	case a.System:
		if a.Name != "" {
			return "system (" + a.Name + ")"
		}
		return "system"
	case a.UserID == "":
		return "anonymous"
	default:
		return a.Email
	}
}

// SystemActor is the operator at the command line.
func SystemActor(what string) Actor { return Actor{System: true, Name: what} }
