package govern

import (
	"context"
	"fmt"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// ListApps returns the app catalogue.
func (s *Service) ListApps(ctx context.Context, actor shieldwall.Actor, status string) ([]shieldwall.App, error) {
	if err := policy.Authorize(actor, policy.AppList, nil); err != nil {
		return nil, err
	}
	if status != "" {
		if err := oneOf("status", status, []string{shieldwall.AppApproved, shieldwall.AppTolerated, shieldwall.AppBanned}); err != nil {
			return nil, err
		}
	}
	return s.store.ListApps(ctx, status)
}

// PutApp adds or changes an app in the catalogue (security team). A banned
// app must name its safer approved alternative and why.
func (s *Service) PutApp(ctx context.Context, actor shieldwall.Actor, in shieldwall.App) (shieldwall.App, error) {
	if err := policy.Authorize(actor, policy.AppManage, nil); err != nil {
		return shieldwall.App{}, err
	}
	var err error
	a := shieldwall.App{Status: in.Status}
	if a.Name, err = text("name", in.Name, 100, true); err != nil {
		return a, err
	}
	if err := oneOf("status", a.Status, []string{shieldwall.AppApproved, shieldwall.AppTolerated, shieldwall.AppBanned}); err != nil {
		return a, err
	}
	if a.Description, err = text("description", in.Description, 2000, false); err != nil {
		return a, err
	}
	if a.Reason, err = text("reason", in.Reason, 2000, a.Status == shieldwall.AppBanned); err != nil {
		return a, err
	}
	if a.Alternative, err = text("alternative", in.Alternative, 100, a.Status == shieldwall.AppBanned); err != nil {
		return a, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutApp(ctx, &a); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "app.put", "app", a.ID, fmt.Sprintf("%s: %s", a.Name, a.Status))
	})
	return a, err
}

// Declaration is what an employee's "I use this app" leads to.
type Declaration struct {
	Outcome string                    `json:"outcome"` // approved, tolerated, banned, or review-opened
	Message string                    `json:"message"`
	App     *shieldwall.App           `json:"app,omitempty"`
	Review  *shieldwall.ProjectReview `json:"review,omitempty"`
}

// DeclareInput is an employee's declaration of an app they use.
type DeclareInput struct {
	Name    string `json:"name"`
	Purpose string `json:"purpose"`
}

// Declare records, without blame, that the actor uses an app: a known app
// gets its standing (a banned one with its safer alternative and why); an
// unknown one opens a light security review that the actor can follow.
func (s *Service) Declare(ctx context.Context, actor shieldwall.Actor, in DeclareInput) (Declaration, error) {
	if err := policy.Authorize(actor, policy.AppDeclare, nil); err != nil {
		return Declaration{}, err
	}
	name, err := text("name", in.Name, 100, true)
	if err != nil {
		return Declaration{}, err
	}
	purpose, err := text("purpose", in.Purpose, 2000, false)
	if err != nil {
		return Declaration{}, err
	}
	app, err := s.store.FindAppByName(ctx, name)
	switch {
	case err == nil:
		d := Declaration{Outcome: app.Status, App: &app}
		switch app.Status {
		case shieldwall.AppBanned:
			d.Message = fmt.Sprintf("Thank you for telling us. %s is not allowed here: %s Please use %s instead.", app.Name, app.Reason, app.Alternative)
		case shieldwall.AppTolerated:
			d.Message = fmt.Sprintf("Thank you. %s is tolerated: you may keep using it, but keep confidential data out of it.", app.Name)
		default:
			d.Message = fmt.Sprintf("Thank you. %s is approved: nothing more to do.", app.Name)
		}
		return d, nil
	case shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND:
		return Declaration{}, err
	}
	rev, err := s.RequestReview(ctx, actor, shieldwall.ProjectReviewInput{Title: "App in use: " + name, Description: purpose, AppName: name})
	if err != nil {
		return Declaration{}, err
	}
	return Declaration{Outcome: "review-opened", Review: &rev,
		Message: fmt.Sprintf("Thank you for telling us. %s is not in the catalogue yet, so we opened a light security review; you will hear the result here.", name)}, nil
}
