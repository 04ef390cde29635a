package govern

import (
	"context"
	"fmt"
	"slices"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// RiskList is one page of the register with the heat map of the whole
// scope (not just the page).
type RiskList struct {
	Items        []shieldwall.Risk
	Total        int
	HeatMap      [5][5]HeatCell
	DepartmentID string // the slice shown; empty for the whole register
	Appetite     int
}

// ListRisks returns the risks the actor may see: the whole register for
// security, administrators and auditors (or one department's slice when
// f.DepartmentID is set), their own department's slice for everyone else.
func (s *Service) ListRisks(ctx context.Context, actor shieldwall.Actor, f shieldwall.RiskFilter) (RiskList, error) {
	if err := policy.Authorize(actor, policy.RiskList, nil); err != nil {
		return RiskList{}, err
	}
	if !policy.SeesWholeRegister(actor) {
		f.DepartmentID = actor.DepartmentID
	}
	items, total, err := s.store.ListRisks(ctx, f)
	if err != nil {
		return RiskList{}, err
	}
	// The heat map shows the whole scope: every risk of it, whatever the page.
	all := f
	all.Page, all.Level, all.Query = shieldwall.Page{Limit: shieldwall.MaxLimit}, "", ""
	every, _, err := s.store.ListRisks(ctx, all)
	if err != nil {
		return RiskList{}, err
	}
	for i := range items {
		Score(&items[i])
	}
	return RiskList{Items: items, Total: total, HeatMap: HeatMap(every, f.DepartmentID), DepartmentID: f.DepartmentID, Appetite: s.Appetite(ctx)}, nil
}

// GetRisk returns one risk the actor may see.
func (s *Service) GetRisk(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Risk, error) {
	if err := policy.Authorize(actor, policy.RiskView, nil); err != nil {
		return shieldwall.Risk{}, err
	}
	r, err := s.store.FindRisk(ctx, id)
	if err != nil {
		return r, err
	}
	if !policy.Can(actor, policy.RiskView, r) {
		// Someone else's slice is "not found", so ids reveal nothing.
		return shieldwall.Risk{}, shieldwall.Errorf(shieldwall.ENOTFOUND, "Risk not found.")
	}
	Score(&r)
	return r, nil
}

// applyRisk copies the set fields of in onto r and validates the result.
func (s *Service) applyRisk(ctx context.Context, tx *store.Tx, r *shieldwall.Risk, in shieldwall.RiskInput) error {
	var err error
	if in.Title != nil {
		if r.Title, err = text("title", *in.Title, 200, true); err != nil {
			return err
		}
	}
	if in.Description != nil {
		if r.Description, err = text("description", *in.Description, 10000, false); err != nil {
			return err
		}
	}
	if in.Category != nil {
		r.Category = *in.Category
		if _, ok := Categories[r.Category]; !ok {
			return oneOf("category", r.Category, CategoryNames)
		}
	}
	if in.OwnerDepartment != nil {
		d, err := tx.FindDepartment(ctx, *in.OwnerDepartment)
		if err != nil {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_department", "There is no department %q.", *in.OwnerDepartment)
		}
		r.OwnerDepartmentID, r.OwnerDepartmentName = d.ID, d.Name
	}
	if in.OwnerUserID != nil {
		r.OwnerUserID = *in.OwnerUserID
		if r.OwnerUserID != "" {
			u, err := tx.FindUser(ctx, r.OwnerUserID)
			if err != nil {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_user_id", "There is no person %q.", r.OwnerUserID)
			}
			r.OwnerUserName = u.Name
		}
	}
	for _, x := range []struct {
		field string
		in    *int
		out   *int
	}{
		{"inherent_likelihood", in.InherentLikelihood, &r.InherentLikelihood},
		{"inherent_impact", in.InherentImpact, &r.InherentImpact},
		{"residual_likelihood", in.ResidualLikelihood, &r.ResidualLikelihood},
		{"residual_impact", in.ResidualImpact, &r.ResidualImpact},
	} {
		if x.in != nil {
			*x.out = *x.in
		}
		if err := scale(x.field, *x.out); err != nil {
			return err
		}
	}
	if in.Treatment != nil {
		r.Treatment = *in.Treatment
	}
	if err := oneOf("treatment", r.Treatment, shieldwall.RiskTreatments); err != nil {
		return err
	}
	if in.TreatmentPlan != nil {
		if r.TreatmentPlan, err = text("treatment_plan", *in.TreatmentPlan, 10000, false); err != nil {
			return err
		}
	}
	if in.ReviewOn != nil {
		if r.ReviewOn, err = date("review_on", *in.ReviewOn); err != nil {
			return err
		}
	}
	if in.ControlIDs != nil {
		seen := map[string]bool{}
		r.ControlIDs = []string{}
		for _, id := range *in.ControlIDs {
			if !seen[id] {
				seen[id] = true
				r.ControlIDs = append(r.ControlIDs, id)
			}
		}
	}
	return nil
}

// applyImpacts writes the departmental impacts of ins onto r (and the
// store), each allowed only to that department's champion or security.
// With prefix, errors name their field as impacts[i].name (PATCH of the
// risk); without, as name alone (one impact written on its own).
func applyImpacts(ctx context.Context, tx *store.Tx, actor shieldwall.Actor, r *shieldwall.Risk, ins []shieldwall.RiskImpactInput, prefix bool) error {
	for i, in := range ins {
		at := func(err error) error {
			if e, ok := err.(*shieldwall.Error); ok && prefix {
				return &shieldwall.Error{Code: e.Code, Field: fmt.Sprintf("impacts[%d].%s", i, e.Field), Message: fmt.Sprintf("Impact %d: %s", i+1, e.Message)}
			}
			return err
		}
		statement, err := text("statement", in.Statement, 2000, true)
		if err != nil {
			return at(err)
		}
		if err := scale("score", in.Score); err != nil {
			return at(err)
		}
		ref := in.Department
		if ref == "" {
			ref = actor.DepartmentID
		}
		d, err := tx.FindDepartment(ctx, ref)
		if err != nil {
			return at(shieldwall.FieldErrorf(shieldwall.EINVALID, "department", "There is no department %q.", in.Department))
		}
		im := shieldwall.RiskImpact{DepartmentID: d.ID, DepartmentName: d.Name, Statement: statement, Score: in.Score, UpdatedBy: actor.Label()}
		if !policy.Can(actor, policy.RiskImpactEdit, im) {
			return at(shieldwall.FieldErrorf(shieldwall.EFORBIDDEN, "department", "Only %s's champion or the security team write %s's impact.", d.Name, d.Name))
		}
		replaced := false
		for j := range r.Impacts {
			if r.Impacts[j].DepartmentID == d.ID {
				im.Concern = r.Impacts[j].Concern
				r.Impacts[j] = im
				replaced = true
			}
		}
		if !replaced {
			r.Impacts = append(r.Impacts, im)
		}
		if r.ID != "" {
			if err := tx.PutRiskImpact(ctx, r.ID, &im); err != nil {
				return err
			}
		}
	}
	return nil
}

// settleAcceptance recomputes the score and where an acceptance stands.
// A change to what was signed off (treatment, scores, impacts) withdraws
// the sign-offs: a head and a security lead accepted that risk, not this one.
func settleAcceptance(r *shieldwall.Risk, before *shieldwall.Risk, appetite int) {
	Score(r)
	changed := before == nil || before.Treatment != r.Treatment || before.Score != r.Score || before.ResidualLikelihood != r.ResidualLikelihood ||
		!sameImpacts(before.Impacts, r.Impacts)
	if changed {
		r.HeadSignoffBy, r.HeadSignoffAt, r.SecuritySignoffBy, r.SecuritySignoffAt = "", nil, "", nil
	}
	switch {
	case !NeedsSignoff(*r, appetite):
		r.Acceptance = shieldwall.AcceptanceNone
	case r.HeadSignoffAt != nil && r.SecuritySignoffAt != nil:
		r.Acceptance = shieldwall.AcceptanceApproved
	default:
		r.Acceptance = shieldwall.AcceptancePending
	}
}

// sameImpacts reports whether two lists of departmental impacts say the
// same: any department's changed impact withdraws the sign-offs, even when
// the worst one, and so the score, stays.
func sameImpacts(a, b []shieldwall.RiskImpact) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(i shieldwall.RiskImpact) string {
		return fmt.Sprintf("%s\x00%d\x00%s", i.DepartmentID, i.Score, i.Statement)
	}
	seen := map[string]int{}
	for _, i := range a {
		seen[key(i)]++
	}
	for _, i := range b {
		if seen[key(i)] == 0 {
			return false
		}
		seen[key(i)]--
	}
	return true
}

// CreateRisk adds a risk to the register and drafts an impact for each
// department its category (and in.Concerns) concern, matched by name.
func (s *Service) CreateRisk(ctx context.Context, actor shieldwall.Actor, in shieldwall.RiskInput) (shieldwall.Risk, error) {
	if err := policy.Authorize(actor, policy.RiskCreate, nil); err != nil {
		return shieldwall.Risk{}, err
	}
	r := shieldwall.Risk{Treatment: shieldwall.TreatMitigate, Category: "other", CreatedBy: actor.Label(), ControlIDs: []string{}}
	if in.Title == nil {
		return r, shieldwall.FieldErrorf(shieldwall.EINVALID, "title", "Please fill in title.")
	}
	if in.OwnerDepartment == nil {
		return r, shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_department", "Please name the owner department.")
	}
	for _, f := range []struct {
		name string
		v    *int
	}{{"inherent_likelihood", in.InherentLikelihood}, {"inherent_impact", in.InherentImpact}} {
		if f.v == nil {
			return r, shieldwall.FieldErrorf(shieldwall.EINVALID, f.name, "Please give %s (1–5).", f.name)
		}
	}
	// Without a residual score, nothing has reduced the risk yet.
	if in.ResidualLikelihood == nil {
		in.ResidualLikelihood = in.InherentLikelihood
	}
	if in.ResidualImpact == nil {
		in.ResidualImpact = in.InherentImpact
	}
	appetite := s.Appetite(ctx)
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := s.applyRisk(ctx, tx, &r, in); err != nil {
			return err
		}
		if !policy.Can(actor, policy.RiskUpdate, r) {
			return shieldwall.FieldErrorf(shieldwall.EFORBIDDEN, "owner_department", "A champion adds risks their own department owns.")
		}
		concerns, err := DraftConcerns(r.Category, in.Concerns)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, c := range concerns {
			d, err := tx.FindDepartment(ctx, c.Department)
			if err != nil || seen[d.ID] {
				continue // the organisation has no such department: nobody to speak for this concern
			}
			seen[d.ID] = true
			r.Impacts = append(r.Impacts, shieldwall.RiskImpact{
				DepartmentID: d.ID, DepartmentName: d.Name, Concern: c.Key, Statement: c.Draft,
				Score: r.ResidualImpact, UpdatedBy: actor.Label(),
			})
		}
		if err := applyImpacts(ctx, tx, actor, &r, in.Impacts, true); err != nil {
			return err
		}
		settleAcceptance(&r, nil, appetite)
		if err := tx.CreateRisk(ctx, &r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "risk.create", "risk", r.ID, fmt.Sprintf("%s (%s, score %d)", r.Title, r.OwnerDepartmentName, r.Score))
	})
	if err != nil {
		return shieldwall.Risk{}, err
	}
	return s.store.FindRisk(ctx, r.ID)
}

// UpdateRisk changes the set fields of in.
func (s *Service) UpdateRisk(ctx context.Context, actor shieldwall.Actor, id string, in shieldwall.RiskInput) (shieldwall.Risk, error) {
	if err := policy.Authorize(actor, policy.RiskUpdate, nil); err != nil {
		return shieldwall.Risk{}, err
	}
	appetite := s.Appetite(ctx)
	var r shieldwall.Risk
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.FindRisk(ctx, id); err != nil {
			return err
		}
		if !policy.Can(actor, policy.RiskView, r) {
			return shieldwall.Errorf(shieldwall.ENOTFOUND, "Risk not found.")
		}
		if !policy.Can(actor, policy.RiskUpdate, r) {
			return shieldwall.Errorf(shieldwall.EFORBIDDEN, "Only the owner department's champion or the security team change this risk; you may write your department's impact.")
		}
		Score(&r)
		before := r
		before.Impacts = slices.Clone(r.Impacts) // applyImpacts edits r's in place
		if err := s.applyRisk(ctx, tx, &r, in); err != nil {
			return err
		}
		if !policy.Can(actor, policy.RiskUpdate, r) {
			return shieldwall.FieldErrorf(shieldwall.EFORBIDDEN, "owner_department", "A champion cannot hand a risk to another department; ask the security team.")
		}
		if err := applyImpacts(ctx, tx, actor, &r, in.Impacts, true); err != nil {
			return err
		}
		settleAcceptance(&r, &before, appetite)
		if err := tx.UpdateRisk(ctx, &r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "risk.update", "risk", r.ID, fmt.Sprintf("%s (score %d, %s)", r.Title, r.Score, r.Treatment))
	})
	if err != nil {
		return shieldwall.Risk{}, err
	}
	return s.GetRisk(ctx, actor, id)
}

// PutImpact writes one department's impact statement and score; the
// department's champion or the security team may, on any risk they see.
func (s *Service) PutImpact(ctx context.Context, actor shieldwall.Actor, id string, in shieldwall.RiskImpactInput) (shieldwall.Risk, error) {
	if err := policy.Authorize(actor, policy.RiskImpactEdit, nil); err != nil {
		return shieldwall.Risk{}, err
	}
	appetite := s.Appetite(ctx)
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.FindRisk(ctx, id)
		if err != nil {
			return err
		}
		if !policy.Can(actor, policy.RiskView, r) {
			return shieldwall.Errorf(shieldwall.ENOTFOUND, "Risk not found.")
		}
		Score(&r)
		before := r
		before.Impacts = slices.Clone(r.Impacts) // applyImpacts edits r's in place
		if err := applyImpacts(ctx, tx, actor, &r, []shieldwall.RiskImpactInput{in}, false); err != nil {
			return err
		}
		settleAcceptance(&r, &before, appetite)
		if err := tx.UpdateRisk(ctx, &r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "risk.impact", "risk", r.ID, fmt.Sprintf("impact %d written for %s: %s (score now %d)", in.Score, or(in.Department, "own department"), r.Title, r.Score))
	})
	if err != nil {
		return shieldwall.Risk{}, err
	}
	r, err := s.store.FindRisk(ctx, id)
	Score(&r)
	return r, err
}

// SignOffAcceptance records the actor's sign-off on accepting a risk above
// the appetite: as the owner department's head (its champion) or as the
// security lead (security or administrator). Both make it approved.
func (s *Service) SignOffAcceptance(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Risk, error) {
	if err := policy.Authorize(actor, policy.RiskAccept, nil); err != nil {
		return shieldwall.Risk{}, err
	}
	appetite := s.Appetite(ctx)
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.FindRisk(ctx, id)
		if err != nil {
			return err
		}
		if !policy.Can(actor, policy.RiskView, r) {
			return shieldwall.Errorf(shieldwall.ENOTFOUND, "Risk not found.")
		}
		if !policy.Can(actor, policy.RiskAccept, r) {
			return shieldwall.Errorf(shieldwall.EFORBIDDEN, "Only %s's champion or a security lead signs off this acceptance.", r.OwnerDepartmentName)
		}
		Score(&r)
		if !NeedsSignoff(r, appetite) {
			return shieldwall.Errorf(shieldwall.ECONFLICT, "This risk needs no sign-off: it is not accepted above the appetite (%d).", appetite)
		}
		now := tx.Now
		as := ""
		switch actor.Role {
		case shieldwall.RoleChampion:
			r.HeadSignoffBy, r.HeadSignoffAt, as = actor.Label(), &now, "department head"
		default:
			r.SecuritySignoffBy, r.SecuritySignoffAt, as = actor.Label(), &now, "security lead"
		}
		settleAcceptance(&r, &r, appetite)
		if err := tx.UpdateRisk(ctx, &r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "risk.accept", "risk", r.ID, fmt.Sprintf("signed off as %s: %s (%s)", as, r.Title, r.Acceptance))
	})
	if err != nil {
		return shieldwall.Risk{}, err
	}
	return s.GetRisk(ctx, actor, id)
}
