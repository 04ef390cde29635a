package govern

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Notification kinds of security reviews.
const (
	NotifyReviewRequested = "review.requested" // a sign-off waits for the person's department
	NotifyReviewDecided   = "review.decided"   // the requester's review reached its result
)

// FinanceReviewCost returns the configured cost above which Finance signs off.
func (s *Service) FinanceReviewCost(ctx context.Context) int64 {
	return int64(s.intSetting(ctx, SettingFinanceReviewCost, DefaultFinanceReviewCost))
}

// dutiesOf returns the duties the actor may decide: every duty for the
// security team; for a champion, the duty their department speaks for.
func (s *Service) dutiesOf(ctx context.Context, actor shieldwall.Actor) ([]string, error) {
	if actor.System || actor.Role == shieldwall.RoleAdmin || actor.Role == shieldwall.RoleSecurity {
		return []string{shieldwall.DutySecurity, shieldwall.DutyLegal, shieldwall.DutyHR, shieldwall.DutyFinance, shieldwall.DutyIT}, nil
	}
	if actor.Role != shieldwall.RoleChampion || actor.DepartmentID == "" {
		return nil, nil
	}
	d, err := s.store.FindDepartment(ctx, actor.DepartmentID)
	if err != nil {
		return nil, err
	}
	var out []string
	for duty, name := range DutyDepartments {
		if strings.EqualFold(name, d.Name) {
			out = append(out, duty)
		}
	}
	return out, nil
}

// RequestReview files a security review of a new project, vendor or SaaS
// tool, computes its sign-offs and notifies each signing department.
func (s *Service) RequestReview(ctx context.Context, actor shieldwall.Actor, in shieldwall.ProjectReviewInput) (shieldwall.ProjectReview, error) {
	if err := policy.Authorize(actor, policy.ProjectReviewCreate, nil); err != nil {
		return shieldwall.ProjectReview{}, err
	}
	var err error
	p := shieldwall.ProjectReview{Status: shieldwall.ReviewPending, RequesterID: actor.UserID, Integrations: in.Integrations, SSO: in.SSO, NewContract: in.NewContract,
		Data: []string{}, Departments: []string{}}
	if p.Title, err = text("title", in.Title, 200, true); err != nil {
		return p, err
	}
	if p.Description, err = text("description", in.Description, 10000, false); err != nil {
		return p, err
	}
	if p.Vendor, err = text("vendor", in.Vendor, 200, false); err != nil {
		return p, err
	}
	if p.AppName, err = text("app_name", in.AppName, 100, false); err != nil {
		return p, err
	}
	if in.Cost < 0 || in.Cost > 1e12 {
		return p, shieldwall.FieldErrorf(shieldwall.EINVALID, "cost", "The yearly cost must be a whole amount from 0.")
	}
	p.Cost = in.Cost
	for _, d := range in.Data {
		if err := oneOf("data", d, shieldwall.DataKinds); err != nil {
			return p, err
		}
		if !slices.Contains(p.Data, d) {
			p.Data = append(p.Data, d)
		}
	}
	for _, ref := range in.Departments {
		d, err := s.store.FindDepartment(ctx, ref)
		if err != nil {
			return p, shieldwall.FieldErrorf(shieldwall.EINVALID, "departments", "There is no department %q.", ref)
		}
		if !slices.Contains(p.Departments, d.ID) {
			p.Departments = append(p.Departments, d.ID)
		}
	}
	p.RequiredSignoff = RequiredSignoffs(SignoffAnswers{Data: p.Data, Cost: p.Cost, Integrations: p.Integrations, SSO: p.SSO, NewContract: p.NewContract}, s.FinanceReviewCost(ctx))
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateProjectReview(ctx, &p); err != nil {
			return err
		}
		if err := s.notifyDuties(ctx, tx, p, p.RequiredSignoff); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "review.request", "project-review", p.ID, fmt.Sprintf("%s: sign-offs %s", p.Title, strings.Join(p.RequiredSignoff, ", ")))
	})
	if err != nil {
		return shieldwall.ProjectReview{}, err
	}
	return s.GetReview(ctx, actor, p.ID)
}

// notifyDuties tells the people who decide each duty that a review waits
// for them: the champions of the duty's department, and for Security the
// security team.
func (s *Service) notifyDuties(ctx context.Context, tx *store.Tx, p shieldwall.ProjectReview, duties []string) error {
	told := map[string]bool{}
	for _, duty := range duties {
		f := shieldwall.UserFilter{Role: shieldwall.RoleChampion, Page: shieldwall.Page{Limit: 100}}
		if duty == shieldwall.DutySecurity {
			f.Role = shieldwall.RoleSecurity
		} else {
			d, err := tx.FindDepartment(ctx, DutyDepartments[duty])
			if err != nil {
				continue // no such department: the security team decides this duty
			}
			f.DepartmentID = d.ID
		}
		users, _, err := s.store.ListUsers(ctx, f)
		if err != nil {
			return err
		}
		for _, u := range users {
			if told[u.ID] || !u.Active {
				continue
			}
			told[u.ID] = true
			if err := tx.AddNotification(ctx, &shieldwall.Notification{UserID: u.ID, Kind: NotifyReviewRequested,
				Title: "Your sign-off is needed: " + p.Title, Body: "A security review needs the " + duty + " sign-off.",
				Link: "/project-reviews/" + p.ID, ObjectType: "project-review", ObjectID: p.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}

// reviewView trims a review to what the actor must see: the security team
// and the requester see everything; a reviewer sees the questionnaire and
// only the sign-offs they decide.
func (s *Service) reviewView(actor shieldwall.Actor, p shieldwall.ProjectReview, duties []string) (shieldwall.ProjectReview, bool) {
	if policy.SeesWholeRegister(actor) || p.RequesterID == actor.UserID {
		return p, true
	}
	var mine []shieldwall.ReviewSignoff
	for _, so := range p.Signoffs {
		if slices.Contains(duties, so.Duty) {
			mine = append(mine, so)
		}
	}
	if len(mine) == 0 {
		return shieldwall.ProjectReview{}, false
	}
	p.Signoffs = mine
	return p, true
}

// GetReview returns one review as the actor may see it.
func (s *Service) GetReview(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.ProjectReview, error) {
	if err := policy.Authorize(actor, policy.ProjectReviewList, nil); err != nil {
		return shieldwall.ProjectReview{}, err
	}
	p, err := s.store.FindProjectReview(ctx, id)
	if err != nil {
		return p, err
	}
	duties, err := s.dutiesOf(ctx, actor)
	if err != nil {
		return p, err
	}
	v, ok := s.reviewView(actor, p, duties)
	if !ok {
		return shieldwall.ProjectReview{}, shieldwall.Errorf(shieldwall.ENOTFOUND, "Review not found.")
	}
	return v, nil
}

// ListReviews lists the reviews the actor may see: all for the security
// team and auditors; one's own requests and those waiting for one's department otherwise.
func (s *Service) ListReviews(ctx context.Context, actor shieldwall.Actor, status string, page shieldwall.Page) ([]shieldwall.ProjectReview, int, error) {
	if err := policy.Authorize(actor, policy.ProjectReviewList, nil); err != nil {
		return nil, 0, err
	}
	if status != "" {
		if err := oneOf("status", status, []string{shieldwall.ReviewPending, shieldwall.ReviewApproved, shieldwall.ReviewApprovedWithConditions, shieldwall.ReviewRejected}); err != nil {
			return nil, 0, err
		}
	}
	duties, err := s.dutiesOf(ctx, actor)
	if err != nil {
		return nil, 0, err
	}
	f := store.ReviewFilter{Status: status, RequesterID: actor.UserID, Duties: duties, All: policy.SeesWholeRegister(actor), Page: page}
	items, total, err := s.store.ListProjectReviews(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	for i := range items {
		items[i], _ = s.reviewView(actor, items[i], duties)
	}
	return items, total, nil
}

// Decide records one sign-off. When the last one is in (or one rejects),
// the review reaches its result, the requester is told, and an approved
// review's app joins the catalogue as approved.
func (s *Service) Decide(ctx context.Context, actor shieldwall.Actor, id string, in shieldwall.ReviewDecisionInput) (shieldwall.ProjectReview, error) {
	if err := policy.Authorize(actor, policy.ProjectReviewDecide, nil); err != nil {
		return shieldwall.ProjectReview{}, err
	}
	if err := oneOf("decision", in.Decision, []string{shieldwall.DecisionApprove, shieldwall.DecisionApproveWithConditions, shieldwall.DecisionReject}); err != nil {
		return shieldwall.ProjectReview{}, err
	}
	conditions, err := text("conditions", in.Conditions, 5000, in.Decision != shieldwall.DecisionApprove)
	if err != nil {
		return shieldwall.ProjectReview{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "conditions", "Say what the conditions are, or why it is rejected (up to 5,000 characters).")
	}
	duties, err := s.dutiesOf(ctx, actor)
	if err != nil {
		return shieldwall.ProjectReview{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		p, err := tx.FindProjectReview(ctx, id)
		if err != nil {
			return err
		}
		if _, ok := s.reviewView(actor, p, duties); !ok {
			return shieldwall.Errorf(shieldwall.ENOTFOUND, "Review not found.")
		}
		duty := in.Duty
		if duty == "" && len(duties) > 0 {
			// A champion speaks for one duty; the security team must say which.
			for _, so := range p.Signoffs {
				if slices.Contains(duties, so.Duty) && so.Decision == "" && (len(duties) == 1 || so.Duty == shieldwall.DutySecurity) {
					duty = so.Duty
					break
				}
			}
		}
		if !slices.Contains(duties, duty) {
			return shieldwall.FieldErrorf(shieldwall.EFORBIDDEN, "duty", "You do not decide the %s sign-off.", or(duty, "requested"))
		}
		if p.Status != shieldwall.ReviewPending {
			return shieldwall.Errorf(shieldwall.ECONFLICT, "This review is already %s.", strings.ReplaceAll(p.Status, "-", " "))
		}
		so := shieldwall.ReviewSignoff{Duty: duty, Decision: in.Decision, Conditions: conditions, DecidedBy: actor.UserID, DecidedByName: or(actor.Name, actor.Label())}
		if err := tx.DecideSignoff(ctx, p.ID, so); err != nil {
			return err
		}
		for i := range p.Signoffs {
			if p.Signoffs[i].Duty == duty {
				p.Signoffs[i] = so
			}
		}
		if err := tx.AppendAudit(ctx, actor, "review.decide", "project-review", p.ID, fmt.Sprintf("%s: %s %s", p.Title, duty, in.Decision)); err != nil {
			return err
		}
		result := Outcome(p.Signoffs)
		if result == shieldwall.ReviewPending {
			return nil
		}
		if err := tx.SetReviewStatus(ctx, p.ID, result); err != nil {
			return err
		}
		if p.RequesterID != "" {
			if err := tx.AddNotification(ctx, &shieldwall.Notification{UserID: p.RequesterID, Kind: NotifyReviewDecided,
				Title: "Your review is " + strings.ReplaceAll(result, "-", " ") + ": " + p.Title, Link: "/project-reviews/" + p.ID,
				ObjectType: "project-review", ObjectID: p.ID}); err != nil {
				return err
			}
		}
		if p.AppName != "" && result != shieldwall.ReviewRejected {
			var conds []string
			for _, so := range p.Signoffs {
				if so.Conditions != "" {
					conds = append(conds, so.Duty+": "+so.Conditions)
				}
			}
			app := shieldwall.App{Name: p.AppName, Status: shieldwall.AppApproved, Description: p.Description, ReviewID: p.ID,
				Reason: "Approved by security review" + condsText(conds)}
			if err := tx.PutApp(ctx, &app); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx, actor, "app.approve", "app", app.ID, app.Name+" approved by review "+p.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return shieldwall.ProjectReview{}, err
	}
	return s.GetReview(ctx, actor, id)
}

func condsText(conds []string) string {
	if len(conds) == 0 {
		return "."
	}
	return " with conditions: " + strings.Join(conds, "; ")
}

// Duties returns the sign-off duties the actor decides.
func (s *Service) Duties(ctx context.Context, actor shieldwall.Actor) ([]string, error) {
	return s.dutiesOf(ctx, actor)
}
