package response

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/clocks"
	"github.com/shieldwall/shieldwall/internal/store"
)

// sweepBatch is how many cases a sweep reads at a time, and how many due
// tasks one sweep escalates (the rest wait for the next sweep).
const sweepBatch = 500

// Sweep escalates what time has made urgent: a regulatory clock nearing or
// past its end, and a task that has fallen due. Each escalation is claimed
// in the database before it is sent, so any number of replicas may sweep
// and each escalation happens once. It returns how many it sent.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now().UTC()
	sent := 0
	// One case or task that fails is reported, and the others still run.
	var errs []error
	after := ""
	for {
		cases, err := s.store.OpenCasesWithClocks(ctx, after, sweepBatch)
		if err != nil {
			return sent, errors.Join(append(errs, err)...)
		}
		for _, c := range cases {
			after = c.ID
			events, err := s.store.CaseEvents(ctx, c.ID)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, k := range s.evaluateClocks(c, events, now) {
				if k.Status != string(clocks.StatusDueSoon) && k.Status != string(clocks.StatusOverdue) {
					continue
				}
				n, err := s.escalateClock(ctx, c, k, now)
				if err != nil {
					errs = append(errs, fmt.Errorf("case %s, clock %s: %w", c.ID, k.ID, err))
				}
				sent += n
			}
		}
		if len(cases) < sweepBatch {
			break
		}
	}
	// Tasks already escalated drop out of this query, so a batch at a time
	// reaches them all over the sweeps.
	due, err := s.store.TasksFallenDue(ctx, now, sweepBatch)
	if err != nil {
		return sent, errors.Join(append(errs, err)...)
	}
	for _, d := range due {
		n, err := s.escalateTask(ctx, d)
		if err != nil {
			errs = append(errs, fmt.Errorf("case %s, task %s: %w", d.CaseID, d.Task.ID, err))
		}
		sent += n
	}
	return sent, errors.Join(errs...)
}

// recipients are who hears of an escalation: the roles' holders and backups,
// the incident commander, and the security team when nobody holds either.
func recipients(ctx context.Context, tx *store.Tx, caseID string, roleIDs ...string) ([]string, error) {
	roles, err := tx.CaseRoles(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var out []string
	add := func(id string) {
		for _, x := range out {
			if x == id {
				return
			}
		}
		if id != "" {
			out = append(out, id)
		}
	}
	for _, role := range roleIDs {
		for _, r := range roles {
			if r.Role == role {
				add(r.UserID)
				add(r.BackupUserID)
			}
		}
	}
	for _, r := range roles {
		if r.Role == "incident-commander" {
			add(r.UserID)
		}
	}
	if len(out) == 0 {
		leads, err := tx.SecurityLeads(ctx)
		if err != nil {
			return nil, err
		}
		out = leads
	}
	return out, nil
}

func (s *Service) escalateClock(ctx context.Context, c shieldwall.Case, k shieldwall.CaseClock, now time.Time) (int, error) {
	sent := 0
	err := s.write(ctx, func(tx *store.Tx, p *pending) error {
		sent = 0
		claimed, err := tx.ClaimCaseAlert(ctx, c.ID, "clock:"+k.ID, k.Status)
		if err != nil || !claimed {
			return err
		}
		// The clock's owner; when the playbook did not engage that role (a
		// SEV3 breach has no legal counsel), Legal's other privacy role.
		to, err := recipients(ctx, tx, c.ID, k.Owner, "legal-counsel", "privacy-officer")
		if err != nil {
			return err
		}
		when := clocks.FormatRemaining(*k.DueAt, now, time.UTC)
		title := fmt.Sprintf("%s is due %s: %s", k.Basis, when, caseLabel(c))
		if k.Status == string(clocks.StatusOverdue) {
			title = fmt.Sprintf("%s is %s: %s", k.Basis, when, caseLabel(c))
		}
		for _, uid := range to {
			// Whoever is told must act, so needs to see the case.
			if _, err := tx.AddCaseParticipant(ctx, c.ID, uid, "escalation"); err != nil {
				return err
			}
			n := shieldwall.Notification{UserID: uid, Urgency: shieldwall.UrgencyCritical, Kind: shieldwall.NotifyClockEscalated,
				Title: title, Body: k.Name + ". Record the filing on the case when it is done.", Link: "/cases/" + c.ID, ObjectType: "case", ObjectID: c.ID}
			if err := tx.AddNotification(ctx, &n); err != nil {
				return err
			}
			sent++
		}
		system := shieldwall.SystemActor("clock")
		return note(ctx, tx, p, system, c.ID, shieldwall.TimelineEscalation, fmt.Sprintf("%s (%s) is %s: told %d people.", k.Basis, k.Name, k.Status, len(to)))
	})
	return sent, err
}

func (s *Service) escalateTask(ctx context.Context, d store.DueTask) (int, error) {
	sent := 0
	err := s.write(ctx, func(tx *store.Tx, p *pending) error {
		sent = 0
		claimed, err := tx.ClaimCaseAlert(ctx, d.CaseID, "task:"+d.Task.ID, "due")
		if err != nil || !claimed {
			return err
		}
		to, err := recipients(ctx, tx, d.CaseID, d.Task.Role)
		if err != nil {
			return err
		}
		for _, uid := range to {
			if _, err := tx.AddCaseParticipant(ctx, d.CaseID, uid, "escalation"); err != nil {
				return err
			}
			n := shieldwall.Notification{UserID: uid, Urgency: shieldwall.UrgencyCritical, Kind: shieldwall.NotifyTaskDue,
				Title: "A task is due now: " + d.Task.Title, Body: "On " + caseLabel(shieldwall.Case{Title: d.CaseTitle, Confidential: d.Confidential}) + ".", Link: "/cases/" + d.CaseID, ObjectType: "case", ObjectID: d.CaseID}
			if err := tx.AddNotification(ctx, &n); err != nil {
				return err
			}
			sent++
		}
		return note(ctx, tx, p, shieldwall.SystemActor("clock"), d.CaseID, shieldwall.TimelineEscalation, fmt.Sprintf("Due now and not done: %s. Told %d people.", d.Task.Title, len(to)))
	})
	return sent, err
}
