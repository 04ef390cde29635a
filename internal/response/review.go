package response

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// ReviewInput changes a review; nil fields keep their value.
type ReviewInput struct {
	WhatHappened        *string `json:"what_happened"`
	Timeline            *string `json:"timeline"`
	WentWell            *string `json:"went_well"`
	WasHard             *string `json:"was_hard"`
	ContributingFactors *string `json:"contributing_factors"`
	Changes             *string `json:"changes"`
	Publish             bool    `json:"publish"`
}

// ActionItemInput is a change someone commits to, owned by a department.
type ActionItemInput struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Department  string `json:"owner_department"` // id, slug or name
	OwnerUserID string `json:"owner_user_id"`
	DueOn       string `json:"due_on"` // YYYY-MM-DD
}

// ActionItemPatch changes an action item; nil fields keep their value.
type ActionItemPatch struct {
	Status      *shieldwall.ActionItemStatus `json:"status"`
	DueOn       *string                      `json:"due_on"`
	OwnerUserID *string                      `json:"owner_user_id"`
	Title       *string                      `json:"title"`
}

// Review returns a case's review with its action items.
func (s *Service) Review(ctx context.Context, actor shieldwall.Actor, caseID string) (shieldwall.Review, error) {
	if _, _, _, err := s.load(ctx, actor, caseID, policy.CaseView); err != nil {
		return shieldwall.Review{}, err
	}
	r, err := s.store.FindReview(ctx, caseID)
	if err != nil {
		return r, err
	}
	items, _, err := s.store.ListActionItems(ctx, shieldwall.ActionItemFilter{CaseID: caseID, SourceType: shieldwall.ActionSourceReview, Page: shieldwall.Page{Limit: 1000}})
	r.ActionItems = items
	return r, err
}

// SaveReview writes the review's sections; with Publish it is shared as final.
func (s *Service) SaveReview(ctx context.Context, actor shieldwall.Actor, caseID string, in ReviewInput) (shieldwall.Review, error) {
	if _, _, _, err := s.load(ctx, actor, caseID, policy.CaseContribute); err != nil {
		return shieldwall.Review{}, err
	}
	fields := []struct {
		name string
		v    *string
	}{{"what_happened", in.WhatHappened}, {"timeline", in.Timeline}, {"went_well", in.WentWell}, {"was_hard", in.WasHard},
		{"contributing_factors", in.ContributingFactors}, {"changes", in.Changes}}
	for _, f := range fields {
		if f.v != nil {
			if err := validateText(f.name, *f.v, 0, maxSummary); err != nil {
				return shieldwall.Review{}, err
			}
		}
	}
	err := s.write(ctx, func(tx *store.Tx, p *pending) error {
		r, err := tx.FindReview(ctx, caseID)
		if err != nil {
			return err
		}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&r.WhatHappened, in.WhatHappened)
		set(&r.Timeline, in.Timeline)
		set(&r.WentWell, in.WentWell)
		set(&r.WasHard, in.WasHard)
		set(&r.ContributingFactors, in.ContributingFactors)
		set(&r.Changes, in.Changes)
		r.UpdatedAt = tx.Now
		msg := "Updated the post-incident review."
		if in.Publish && r.Status != "published" {
			if strings.TrimSpace(r.WhatHappened) == "" {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "what_happened", "Say what happened before publishing the review.")
			}
			now := tx.Now
			r.Status, r.PublishedAt = "published", &now
			msg = "Published the post-incident review."
		}
		if err := tx.SaveReview(ctx, &r); err != nil {
			return err
		}
		if err := note(ctx, tx, p, actor, caseID, shieldwall.TimelineReview, msg); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "case.review", "case", caseID, strings.ToLower(strings.TrimSuffix(msg, ".")))
	})
	if err != nil {
		return shieldwall.Review{}, err
	}
	return s.Review(ctx, actor, caseID)
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func validateDueOn(v string) error {
	if v == "" {
		return nil
	}
	if !datePattern.MatchString(v) {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "due_on", "Give the due date as YYYY-MM-DD.")
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "due_on", "%s is not a date.", v)
	}
	return nil
}

// AddReviewAction turns a change the review decided into an action item
// owned by a department, tracked on the organisation's action list.
func (s *Service) AddReviewAction(ctx context.Context, actor shieldwall.Actor, caseID string, in ActionItemInput) (shieldwall.ActionItem, error) {
	if _, _, _, err := s.load(ctx, actor, caseID, policy.CaseContribute); err != nil {
		return shieldwall.ActionItem{}, err
	}
	in.Title = strings.TrimSpace(in.Title)
	if err := validateText("title", in.Title, 1, maxTitle); err != nil {
		return shieldwall.ActionItem{}, err
	}
	if err := validateText("description", in.Description, 0, maxEntry); err != nil {
		return shieldwall.ActionItem{}, err
	}
	if err := validateDueOn(in.DueOn); err != nil {
		return shieldwall.ActionItem{}, err
	}
	if strings.TrimSpace(in.Department) == "" {
		return shieldwall.ActionItem{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_department", "Choose the department that owns this change.")
	}
	var item shieldwall.ActionItem
	err := s.write(ctx, func(tx *store.Tx, p *pending) error {
		if _, err := tx.FindReview(ctx, caseID); err != nil {
			return err
		}
		d, err := tx.FindDepartment(ctx, in.Department)
		if err != nil {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_department", "No department %q.", in.Department)
		}
		item = shieldwall.ActionItem{Title: in.Title, Description: in.Description, SourceType: shieldwall.ActionSourceReview,
			SourceID: caseID, CaseID: caseID, OwnerDepartmentID: d.ID, DueOn: in.DueOn, CreatedBy: actorName(actor)}
		if in.OwnerUserID != "" {
			u, err := tx.FindUser(ctx, in.OwnerUserID)
			if err != nil || !u.Active {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_user_id", "No active person with that id.")
			}
			item.OwnerUserID = u.ID
		}
		if err := tx.AddActionItem(ctx, &item); err != nil {
			return err
		}
		if item.OwnerUserID != "" {
			n := shieldwall.Notification{UserID: item.OwnerUserID, Kind: shieldwall.NotifyActionItem,
				Title: "An action item is yours: " + item.Title, Body: "From a post-incident review. Due " + orNoDate(item.DueOn) + ".",
				Link: "/actions", ObjectType: "action_item", ObjectID: item.ID}
			if err := tx.AddNotification(ctx, &n); err != nil {
				return err
			}
		}
		if err := note(ctx, tx, p, actor, caseID, shieldwall.TimelineReview, "Action item for "+d.Name+": "+item.Title+" (due "+orNoDate(item.DueOn)+")."); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "action_item.create", "action_item", item.ID, "from a case review, owned by "+d.Name)
	})
	if err != nil {
		return item, err
	}
	return s.store.FindActionItem(ctx, item.ID)
}

func orNoDate(d string) string {
	if d == "" {
		return "no date set"
	}
	return d
}

// ActionItems lists the organisation's action items; those of confidential
// cases the person may not see are left out, from the count too.
func (s *Service) ActionItems(ctx context.Context, actor shieldwall.Actor, f shieldwall.ActionItemFilter) ([]shieldwall.ActionItem, int, error) {
	if err := policy.Authorize(actor, policy.ActionItemList, nil); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && f.Status != shieldwall.ActionOpen && f.Status != shieldwall.ActionDone {
		return nil, 0, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "Status must be open or done.")
	}
	scope := policy.CaseListScope(actor)
	f.CaseScope = &scope
	return s.store.ListActionItems(ctx, f)
}

// UpdateActionItem changes an action item: its owner department closes it.
func (s *Service) UpdateActionItem(ctx context.Context, actor shieldwall.Actor, id string, in ActionItemPatch) (shieldwall.ActionItem, error) {
	a, err := s.store.FindActionItem(ctx, id)
	if err != nil {
		return a, err
	}
	if a.CaseID != "" && !s.CanSee(ctx, actor, a.CaseID) {
		return shieldwall.ActionItem{}, shieldwall.Errorf(shieldwall.ENOTFOUND, "Action item not found.")
	}
	if err := policy.Authorize(actor, policy.ActionItemUpdate, a); err != nil {
		return shieldwall.ActionItem{}, err
	}
	if in.Title != nil || in.DueOn != nil || in.OwnerUserID != nil {
		if err := policy.Authorize(actor, policy.ActionItemReplan, a); err != nil {
			return shieldwall.ActionItem{}, err
		}
	}
	if in.Status != nil && *in.Status != shieldwall.ActionOpen && *in.Status != shieldwall.ActionDone {
		return shieldwall.ActionItem{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "Status must be open or done.")
	}
	if in.DueOn != nil {
		if err := validateDueOn(*in.DueOn); err != nil {
			return shieldwall.ActionItem{}, err
		}
	}
	if in.Title != nil {
		*in.Title = strings.TrimSpace(*in.Title)
		if err := validateText("title", *in.Title, 1, maxTitle); err != nil {
			return shieldwall.ActionItem{}, err
		}
	}
	err = s.write(ctx, func(tx *store.Tx, p *pending) error {
		a, err := tx.FindActionItem(ctx, id)
		if err != nil {
			return err
		}
		if in.Status != nil {
			a.Status = *in.Status
		}
		if in.DueOn != nil {
			a.DueOn = *in.DueOn
		}
		if in.Title != nil {
			a.Title = *in.Title
		}
		if in.OwnerUserID != nil {
			a.OwnerUserID = *in.OwnerUserID
			if a.OwnerUserID != "" {
				if u, err := tx.FindUser(ctx, a.OwnerUserID); err != nil || !u.Active {
					return shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_user_id", "No active person with that id.")
				}
			}
		}
		if err := tx.UpdateActionItem(ctx, &a); err != nil {
			return err
		}
		if a.CaseID != "" && in.Status != nil {
			if err := note(ctx, tx, p, actor, a.CaseID, shieldwall.TimelineReview, "Action item "+string(a.Status)+": "+a.Title+"."); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actor, "action_item.update", "action_item", a.ID, "status "+string(a.Status))
	})
	if err != nil {
		return shieldwall.ActionItem{}, err
	}
	return s.store.FindActionItem(ctx, id)
}

var roleIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// DutyInput names who fills a role for a department.
type DutyInput struct {
	UserID       string `json:"user_id"`
	BackupUserID string `json:"backup_user_id"`
}

// Duties returns a department's duty directory.
func (s *Service) Duties(ctx context.Context, actor shieldwall.Actor, department string) (shieldwall.Department, []shieldwall.Duty, error) {
	if err := policy.Authorize(actor, policy.DutyView, nil); err != nil {
		return shieldwall.Department{}, nil, err
	}
	d, err := s.store.FindDepartment(ctx, department)
	if err != nil {
		return d, nil, err
	}
	duties, err := s.store.Duties(ctx, d.ID)
	return d, duties, err
}

// SetDuty names the primary and backup holder of a role for a department;
// both empty removes the duty.
func (s *Service) SetDuty(ctx context.Context, actor shieldwall.Actor, department, role string, in DutyInput) (shieldwall.Duty, error) {
	d, err := s.store.FindDepartment(ctx, department)
	if err != nil {
		return shieldwall.Duty{}, err
	}
	duty := shieldwall.Duty{DepartmentID: d.ID, Role: role, UserID: in.UserID, BackupUserID: in.BackupUserID}
	if err := policy.Authorize(actor, policy.DutyManage, duty); err != nil {
		return duty, err
	}
	if len(role) > 64 || !roleIDPattern.MatchString(role) {
		return duty, shieldwall.FieldErrorf(shieldwall.EINVALID, "role", "A role is a lowercase identifier such as legal-counsel.")
	}
	if in.UserID != "" && in.UserID == in.BackupUserID {
		return duty, shieldwall.FieldErrorf(shieldwall.EINVALID, "backup_user_id", "The backup must be someone other than the primary.")
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		for field, id := range map[string]string{"user_id": in.UserID, "backup_user_id": in.BackupUserID} {
			if id == "" {
				continue
			}
			if u, err := tx.FindUser(ctx, id); err != nil || !u.Active {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, field, "No active person with that id.")
			}
		}
		if in.UserID == "" && in.BackupUserID == "" {
			if err := tx.DeleteDuty(ctx, d.ID, role); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, actor, "duty.delete", "department", d.ID, "cleared duty "+role)
		}
		if err := tx.SetDuty(ctx, duty); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "duty.set", "department", d.ID, "set duty "+role)
	})
	if err != nil {
		return duty, err
	}
	duties, err := s.store.Duties(ctx, d.ID)
	if err != nil {
		return duty, err
	}
	for _, x := range duties {
		if x.Role == role {
			return x, nil
		}
	}
	return shieldwall.Duty{DepartmentID: d.ID, Role: role}, nil
}

// Roles lists every role the playbooks name, with the department that fills it by default.
func (s *Service) Roles() []shieldwall.CaseRole {
	seen := map[string]bool{}
	var out []shieldwall.CaseRole
	for _, pb := range s.playbooks {
		for _, r := range pb.Roles {
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, shieldwall.CaseRole{Role: r.ID, Name: r.Name, Description: r.Description, DepartmentName: r.Department})
			}
		}
	}
	return out
}
