// Package accounts owns departments, people, sign-in, sessions, API tokens
// and first-run set-up. Each change is one transaction that also appends
// its audit event.
package accounts

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/auth"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Session lifetimes: a session ends after IdleTimeout without use, and
// always after MaxLifetime.
const (
	IdleTimeout = 12 * time.Hour
	MaxLifetime = 7 * 24 * time.Hour
)

// Service is the accounts service.
type Service struct {
	store *store.Store
	// signInLimit counts failed sign-ins per account; clientLimit per client
	// address, more loosely, because a whole office may share one address.
	signInLimit *auth.Limiter
	clientLimit *auth.Limiter
	tokens      tokenCache
}

// New returns the accounts service over s.
func New(s *store.Store) *Service {
	return &Service{store: s, signInLimit: auth.NewLimiter(10, 15*time.Minute), clientLimit: auth.NewLimiter(50, 15*time.Minute)}
}

// Store returns the underlying store (for read-only lookups by handlers).
func (s *Service) Store() *store.Store { return s.store }

// Slug turns a name into the lower-case, dash-separated form used in URLs.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		// Letters and digits of any script stay: a department may be called
		// "Финансы"; browsers show such paths readably.
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

func validateText(field, label, v string, min, max int) error {
	n := utf8.RuneCountInString(v)
	if n < min {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s is required.", label)
	}
	if n > max {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s must be at most %d characters.", label, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, field, "%s contains a control character.", label)
		}
	}
	return nil
}

func normaliseDepartment(in *shieldwall.DepartmentInput) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	if err := validateText("name", "Name", in.Name, 1, 100); err != nil {
		return err
	}
	if Slug(in.Name) == "" {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "name", "Name needs at least one letter or digit.")
	}
	return validateText("description", "Description", in.Description, 0, 2000)
}

// CreateDepartment creates a department.
func (s *Service) CreateDepartment(ctx context.Context, actor shieldwall.Actor, in shieldwall.DepartmentInput) (shieldwall.Department, error) {
	if err := policy.Authorize(actor, policy.DepartmentCreate, nil); err != nil {
		return shieldwall.Department{}, err
	}
	if err := normaliseDepartment(&in); err != nil {
		return shieldwall.Department{}, err
	}
	var d shieldwall.Department
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		d, err = createDepartment(ctx, tx, actor, in)
		return err
	})
	return d, err
}

func createDepartment(ctx context.Context, tx *store.Tx, actor shieldwall.Actor, in shieldwall.DepartmentInput) (shieldwall.Department, error) {
	d := shieldwall.Department{ID: store.NewID(), Name: in.Name, Slug: Slug(in.Name), Description: in.Description, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	if err := tx.CreateDepartment(ctx, &d); err != nil {
		return d, err
	}
	return d, tx.AppendAudit(ctx, actor, "department.create", "department", d.ID, fmt.Sprintf("created department %q", d.Name))
}

// UpdateDepartment replaces a department's name and description (the edit form sends both).
func (s *Service) UpdateDepartment(ctx context.Context, actor shieldwall.Actor, id string, in shieldwall.DepartmentInput) (shieldwall.Department, error) {
	return s.PatchDepartment(ctx, actor, id, DepartmentPatch{Name: &in.Name, Description: &in.Description})
}

// DepartmentPatch changes the fields that are set and keeps the others.
type DepartmentPatch struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// PatchDepartment renames or re-describes a department.
func (s *Service) PatchDepartment(ctx context.Context, actor shieldwall.Actor, id string, p DepartmentPatch) (shieldwall.Department, error) {
	if err := policy.Authorize(actor, policy.DepartmentUpdate, nil); err != nil {
		return shieldwall.Department{}, err
	}
	var d shieldwall.Department
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if d, err = tx.FindDepartment(ctx, id); err != nil {
			return err
		}
		in := shieldwall.DepartmentInput{Name: d.Name, Description: d.Description}
		if p.Name != nil {
			in.Name = *p.Name
		}
		if p.Description != nil {
			in.Description = *p.Description
		}
		if err := normaliseDepartment(&in); err != nil {
			return err
		}
		var changes []string
		if d.Name != in.Name {
			changes = append(changes, fmt.Sprintf("name %q → %q", d.Name, in.Name))
		}
		if d.Description != in.Description {
			changes = append(changes, "description changed")
		}
		if len(changes) == 0 {
			return nil
		}
		d.Name, d.Slug, d.Description, d.UpdatedAt = in.Name, Slug(in.Name), in.Description, tx.Now
		if err := tx.UpdateDepartment(ctx, &d); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "department.update", "department", d.ID, strings.Join(changes, "; "))
	})
	return d, err
}

// DeleteDepartment removes a department that has nobody in it.
func (s *Service) DeleteDepartment(ctx context.Context, actor shieldwall.Actor, id string) error {
	if err := policy.Authorize(actor, policy.DepartmentDelete, nil); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		d, err := tx.FindDepartment(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteDepartment(ctx, d.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "department.delete", "department", d.ID, fmt.Sprintf("deleted department %q", d.Name))
	})
}

// normaliseEmail lower-cases an address and checks it is a bare address.
func normaliseEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", shieldwall.FieldErrorf(shieldwall.EINVALID, "email", "Email is required.")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", shieldwall.FieldErrorf(shieldwall.EINVALID, "email", "%q is not an email address like name@example.com.", email)
	}
	return email, nil
}

// ValidatePassword checks a new password against the length rules.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < auth.MinPasswordLength {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "password", "The password must be at least %d characters long.", auth.MinPasswordLength)
	}
	if len(pw) > auth.MaxPasswordLength {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "password", "The password must be at most %d bytes long.", auth.MaxPasswordLength)
	}
	return nil
}

// CreateUserOptions changes how CreateUser treats its input.
type CreateUserOptions struct {
	// CreateDepartment creates the named department when it does not exist
	// (the command line's `user add`).
	CreateDepartment bool
}

func normaliseUser(in *shieldwall.UserInput) error {
	var err error
	if in.Email, err = normaliseEmail(in.Email); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Title = strings.TrimSpace(in.Title)
	in.Department = strings.TrimSpace(in.Department)
	if err := validateText("name", "Name", in.Name, 1, 200); err != nil {
		return err
	}
	if err := validateText("title", "Title", in.Title, 0, 200); err != nil {
		return err
	}
	if in.Role == "" {
		in.Role = shieldwall.RoleMember
	}
	if !in.Role.Valid() {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "role", "%q is not a role; use one of admin, security, champion, member, auditor.", in.Role)
	}
	if err := validateText("department", "Department", in.Department, 1, 100); err != nil {
		return err
	}
	if in.Password != "" {
		return ValidatePassword(in.Password)
	}
	return nil
}

// CreateUser creates a person, with a password when one is given.
func (s *Service) CreateUser(ctx context.Context, actor shieldwall.Actor, in shieldwall.UserInput, opt CreateUserOptions) (shieldwall.User, error) {
	if err := policy.Authorize(actor, policy.UserCreate, nil); err != nil {
		return shieldwall.User{}, err
	}
	if err := normaliseUser(&in); err != nil {
		return shieldwall.User{}, err
	}
	// Hash outside the transaction: it is slow on purpose and must not hold the writer.
	var hash string
	if in.Password != "" {
		var err error
		if hash, err = auth.HashPassword(in.Password); err != nil {
			return shieldwall.User{}, fmt.Errorf("accounts: hash password: %w", err)
		}
	}
	var u shieldwall.User
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		u, err = createUser(ctx, tx, actor, in, hash, opt)
		return err
	})
	return u, err
}

func createUser(ctx context.Context, tx *store.Tx, actor shieldwall.Actor, in shieldwall.UserInput, hash string, opt CreateUserOptions) (shieldwall.User, error) {
	d, err := tx.FindDepartment(ctx, in.Department)
	if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND && opt.CreateDepartment {
		din := shieldwall.DepartmentInput{Name: in.Department}
		if err := normaliseDepartment(&din); err != nil {
			return shieldwall.User{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "department", "%s", shieldwall.ErrorMessage(err))
		}
		d, err = createDepartment(ctx, tx, actor, din)
		if err != nil {
			return shieldwall.User{}, err
		}
	} else if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
		return shieldwall.User{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "department", "There is no department %q.", in.Department)
	} else if err != nil {
		return shieldwall.User{}, err
	}
	u := shieldwall.User{
		ID: store.NewID(), Email: in.Email, Name: in.Name, Title: in.Title, Role: in.Role,
		DepartmentID: d.ID, DepartmentName: d.Name, Active: true, HasPassword: hash != "",
		CreatedAt: tx.Now, UpdatedAt: tx.Now,
	}
	if err := tx.CreateUser(ctx, &u, hash); err != nil {
		return u, err
	}
	return u, tx.AppendAudit(ctx, actor, "user.create", "user", u.ID,
		fmt.Sprintf("created %s (%s) as %s in %s", u.Email, u.Name, u.Role, d.Name))
}

// UserUpdate changes a person. Empty fields keep their value; Active is
// changed only when set.
type UserUpdate struct {
	Name       string          `json:"name"`
	Title      *string         `json:"title"`
	Role       shieldwall.Role `json:"role"`
	Department string          `json:"department"`
	Active     *bool           `json:"active"`
}

// UpdateUser changes a person's name, title, role, department or active state.
func (s *Service) UpdateUser(ctx context.Context, actor shieldwall.Actor, id string, in UserUpdate) (shieldwall.User, error) {
	if err := policy.Authorize(actor, policy.UserUpdate, nil); err != nil {
		return shieldwall.User{}, err
	}
	// A changed role, department or active state must reach API clients at once.
	defer s.tokens.clear()
	var u shieldwall.User
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.FindUser(ctx, id); err != nil {
			return err
		}
		var changes []string
		if name := strings.TrimSpace(in.Name); name != "" && name != u.Name {
			if err := validateText("name", "Name", name, 1, 200); err != nil {
				return err
			}
			changes = append(changes, fmt.Sprintf("name %q → %q", u.Name, name))
			u.Name = name
		}
		if in.Title != nil && strings.TrimSpace(*in.Title) != u.Title {
			t := strings.TrimSpace(*in.Title)
			if err := validateText("title", "Title", t, 0, 200); err != nil {
				return err
			}
			changes = append(changes, fmt.Sprintf("title %q → %q", u.Title, t))
			u.Title = t
		}
		if in.Role != "" && in.Role != u.Role {
			if !in.Role.Valid() {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "role", "%q is not a role; use one of admin, security, champion, member, auditor.", in.Role)
			}
			if u.ID == actor.UserID && u.Role == shieldwall.RoleAdmin {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "role", "You cannot remove your own administrator role; ask another administrator.")
			}
			changes = append(changes, fmt.Sprintf("role %s → %s", u.Role, in.Role))
			u.Role = in.Role
		}
		if dep := strings.TrimSpace(in.Department); dep != "" {
			if err := validateText("department", "Department", dep, 1, 100); err != nil {
				return err
			}
			d, err := tx.FindDepartment(ctx, dep)
			if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "department", "There is no department %q.", dep)
			} else if err != nil {
				return err
			}
			if d.ID != u.DepartmentID {
				changes = append(changes, fmt.Sprintf("department %s → %s", u.DepartmentName, d.Name))
				u.DepartmentID, u.DepartmentName = d.ID, d.Name
			}
		}
		if in.Active != nil && *in.Active != u.Active {
			if u.ID == actor.UserID && !*in.Active {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "active", "You cannot deactivate your own account.")
			}
			u.Active = *in.Active
			if u.Active {
				changes = append(changes, "reactivated")
			} else {
				changes = append(changes, "deactivated")
				// A deactivated person is signed out everywhere at once.
				if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
					return err
				}
			}
		}
		if len(changes) == 0 {
			return nil
		}
		u.UpdatedAt = tx.Now
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "user.update", "user", u.ID, u.Email+": "+strings.Join(changes, "; "))
	})
	return u, err
}

// ListAudit returns audit events for an actor allowed to read them.
func (s *Service) ListAudit(ctx context.Context, actor shieldwall.Actor, f shieldwall.AuditFilter) ([]shieldwall.AuditEvent, int, error) {
	if err := policy.Authorize(actor, policy.AuditList, nil); err != nil {
		return nil, 0, err
	}
	// The chain keeps every event, but a confidential case is need-to-know:
	// a reader outside it learns neither its id nor that a filter by its id
	// matches anything.
	scope := policy.CaseListScope(actor)
	if !scope.All && f.ObjectID != "" {
		hidden, err := s.store.CasesOutOfScope(ctx, []string{f.ObjectID}, scope)
		if err != nil {
			return nil, 0, err
		}
		if hidden[f.ObjectID] {
			return []shieldwall.AuditEvent{}, 0, nil
		}
	}
	events, total, err := s.store.ListAudit(ctx, f)
	if err != nil || scope.All {
		return events, total, err
	}
	var caseIDs []string
	for _, e := range events {
		if e.ObjectType == "case" {
			caseIDs = append(caseIDs, e.ObjectID)
		}
	}
	hidden, err := s.store.CasesOutOfScope(ctx, caseIDs, scope)
	if err != nil {
		return nil, 0, err
	}
	for i, e := range events {
		if e.ObjectType == "case" && hidden[e.ObjectID] {
			events[i].ObjectID, events[i].Summary = "", "(a confidential case)"
		}
	}
	return events, total, nil
}

// DepartmentFilter resolves the department a list is filtered by (an id,
// slug or name from a query string) to its id; "" means no filter.
func (s *Service) DepartmentFilter(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		return "", nil
	}
	d, err := s.store.FindDepartment(ctx, ref)
	if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
		return "", shieldwall.FieldErrorf(shieldwall.EINVALID, "department", "There is no department %q.", ref)
	}
	return d.ID, err
}
