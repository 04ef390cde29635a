package response

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/clocks"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

func statusIndex(s shieldwall.CaseStatus) int { return slices.Index(shieldwall.CaseStatuses, s) }

// Patch changes a case's status or classification. Every change is a
// timeline entry, and the playbook is re-evaluated for the new facts.
func (s *Service) Patch(ctx context.Context, actor shieldwall.Actor, id string, in shieldwall.CasePatch) (shieldwall.Case, error) {
	if _, _, _, err := s.load(ctx, actor, id, policy.CaseManage); err != nil {
		return shieldwall.Case{}, err
	}
	if in.Title != nil {
		*in.Title = strings.TrimSpace(*in.Title)
		if err := validateText("title", *in.Title, 1, maxTitle); err != nil {
			return shieldwall.Case{}, err
		}
	}
	if in.Summary != nil {
		if err := validateText("summary", *in.Summary, 0, maxSummary); err != nil {
			return shieldwall.Case{}, err
		}
	}
	if in.Type != nil {
		if _, err := s.validateType(*in.Type); err != nil {
			return shieldwall.Case{}, err
		}
	}
	if in.Severity != nil && !in.Severity.Valid() {
		return shieldwall.Case{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "severity", "Severity must be SEV1 (critical), SEV2 (high), SEV3 (medium) or SEV4 (low).")
	}
	if in.Status != nil && !in.Status.Valid() {
		return shieldwall.Case{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "Status must be one of triage, investigating, contained, eradicated, recovered, closed.")
	}
	var affected []string
	if in.Affected != nil {
		var err error
		if affected, err = validateAffected(*in.Affected); err != nil {
			return shieldwall.Case{}, err
		}
	}
	err := s.write(ctx, func(tx *store.Tx, p *pending) error {
		// Read again inside the transaction, so two changes at once both count.
		c, err := tx.FindCase(ctx, id)
		if err != nil {
			return err
		}
		var changes []string
		say := func(kind, body string) error {
			changes = append(changes, body)
			return note(ctx, tx, p, actor, c.ID, kind, body)
		}
		if in.Title != nil && *in.Title != c.Title {
			c.Title = *in.Title
			if err := say(shieldwall.TimelineCase, "Renamed the case."); err != nil {
				return err
			}
		}
		if in.Summary != nil && *in.Summary != c.Summary {
			c.Summary = *in.Summary
			if err := say(shieldwall.TimelineCase, "Updated the summary."); err != nil {
				return err
			}
		}
		if in.Type != nil && *in.Type != c.Type {
			if err := say(shieldwall.TimelineCase, fmt.Sprintf("Type: %s → %s.", c.Type, *in.Type)); err != nil {
				return err
			}
			c.Type = *in.Type
		}
		if in.Severity != nil && *in.Severity != c.Severity {
			if err := say(shieldwall.TimelineCase, fmt.Sprintf("Severity: %s → %s (%s).", c.Severity, *in.Severity, in.Severity.Label())); err != nil {
				return err
			}
			c.Severity = *in.Severity
		}
		if in.Affected != nil && strings.Join(affected, " ") != strings.Join(c.Affected, " ") {
			c.Affected = affected
			what := "nothing listed"
			if len(affected) > 0 {
				what = strings.Join(affected, ", ")
			}
			if err := say(shieldwall.TimelineCase, "Affected: "+what+"."); err != nil {
				return err
			}
		}
		if in.Confidential != nil && *in.Confidential != c.Confidential {
			c.Confidential = *in.Confidential
			msg := "Made the case confidential: only participants and the security team can see it."
			if !c.Confidential {
				msg = "The case is no longer confidential."
			}
			if err := say(shieldwall.TimelineCase, msg); err != nil {
				return err
			}
			// Whoever makes a case need-to-know keeps knowing it (an
			// administrator would otherwise lose sight of it at once).
			if c.Confidential && actor.UserID != "" {
				if _, err := tx.AddCaseParticipant(ctx, c.ID, actor.UserID, "made confidential"); err != nil {
					return err
				}
			}
			// Everyone watching, on every replica, must be checked again under the new rule.
			p.kicks = append(p.kicks, [2]string{c.ID, ""})
			if err := tx.AnnounceKick(ctx, c.ID, ""); err != nil {
				return err
			}
		}
		if in.Status != nil && *in.Status != c.Status {
			if err := say(shieldwall.TimelineStatus, fmt.Sprintf("Status: %s → %s.", c.Status, *in.Status)); err != nil {
				return err
			}
			if err := s.moveStatus(ctx, tx, p, actor, &c, *in.Status); err != nil {
				return err
			}
		}
		if len(changes) == 0 {
			return nil
		}
		c.UpdatedAt = tx.Now
		if err := s.engage(ctx, tx, p, actor, &c); err != nil {
			return err
		}
		if err := tx.UpdateCase(ctx, &c); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "case.update", "case", c.ID, fmt.Sprintf("%d change(s)", len(changes)))
	})
	if err != nil {
		return shieldwall.Case{}, err
	}
	return s.Get(ctx, actor, id)
}

// moveStatus sets the status and the measures it marks: acknowledged when
// the case first leaves triage, contained, recovered (which opens the
// review) and closed.
func (s *Service) moveStatus(ctx context.Context, tx *store.Tx, p *pending, actor shieldwall.Actor, c *shieldwall.Case, to shieldwall.CaseStatus) error {
	c.Status = to
	now := tx.Now
	i := statusIndex(to)
	if i > statusIndex(shieldwall.CaseTriage) && c.AcknowledgedAt == nil {
		c.AcknowledgedAt = &now
	}
	if i >= statusIndex(shieldwall.CaseContained) && c.ContainedAt == nil {
		c.ContainedAt = &now
	}
	if i >= statusIndex(shieldwall.CaseRecovered) && c.RecoveredAt == nil {
		c.RecoveredAt = &now
	}
	if to == shieldwall.CaseClosed {
		c.ClosedAt = &now
		if err := tx.StopCaseEscalations(ctx, c.ID, "the case was closed"); err != nil {
			return err
		}
	} else {
		c.ClosedAt = nil // reopened
	}
	if i >= statusIndex(shieldwall.CaseRecovered) {
		if _, err := tx.FindReview(ctx, c.ID); shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
			r := shieldwall.Review{CaseID: c.ID, Status: "draft", OpenedAt: now, UpdatedAt: now}
			if err := tx.SaveReview(ctx, &r); err != nil {
				return err
			}
			return note(ctx, tx, p, actor, c.ID, shieldwall.TimelineReview, "Opened the blameless post-incident review.")
		} else if err != nil {
			return err
		}
	}
	return nil
}

// AddEntry writes a note, a decision or an indicator on the timeline.
func (s *Service) AddEntry(ctx context.Context, actor shieldwall.Actor, id, kind, body string) (shieldwall.TimelineEntry, error) {
	if _, _, _, err := s.load(ctx, actor, id, policy.CaseContribute); err != nil {
		return shieldwall.TimelineEntry{}, err
	}
	if kind == "" {
		kind = shieldwall.TimelineNote
	}
	if kind != shieldwall.TimelineNote && kind != shieldwall.TimelineDecision && kind != shieldwall.TimelineIndicator {
		return shieldwall.TimelineEntry{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "kind", "Kind must be note, decision or indicator.")
	}
	body = strings.TrimSpace(body)
	if err := validateText("body", body, 1, maxEntry); err != nil {
		return shieldwall.TimelineEntry{}, err
	}
	var entry shieldwall.TimelineEntry
	err := s.write(ctx, func(tx *store.Tx, p *pending) error {
		if err := note(ctx, tx, p, actor, id, kind, body); err != nil {
			return err
		}
		entry = p.entries[len(p.entries)-1]
		if err := tx.TouchCase(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "case.timeline", "case", id, "added a "+kind)
	})
	return entry, err
}

// SetTask marks a task done, or open again.
func (s *Service) SetTask(ctx context.Context, actor shieldwall.Actor, caseID, taskID string, done bool) (shieldwall.CaseTask, error) {
	if _, _, _, err := s.load(ctx, actor, caseID, policy.CaseContribute); err != nil {
		return shieldwall.CaseTask{}, err
	}
	var out shieldwall.CaseTask
	err := s.write(ctx, func(tx *store.Tx, p *pending) error {
		tasks, err := tx.CaseTasks(ctx, caseID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(tasks, func(t shieldwall.CaseTask) bool { return t.ID == taskID })
		if i < 0 {
			return shieldwall.Errorf(shieldwall.ENOTFOUND, "Task not found.")
		}
		t := tasks[i]
		status := shieldwall.TaskOpen
		if done {
			status = shieldwall.TaskDone
		}
		if t.Status == status {
			out = t
			return nil
		}
		if err := tx.SetCaseTaskStatus(ctx, caseID, taskID, status, actorName(actor)); err != nil {
			return err
		}
		msg := "Reopened: " + t.Title + "."
		if done {
			when := "on time"
			if tx.Now.After(t.DueAt) {
				when = "late"
			}
			msg = fmt.Sprintf("Done: %s (%s, %s).", t.Title, orNobody(t.DepartmentName), when)
		}
		if err := note(ctx, tx, p, actor, caseID, shieldwall.TimelineTask, msg); err != nil {
			return err
		}
		if err := tx.TouchCase(ctx, caseID); err != nil {
			return err
		}
		if tasks, err = tx.CaseTasks(ctx, caseID); err != nil {
			return err
		}
		out = tasks[slices.IndexFunc(tasks, func(t shieldwall.CaseTask) bool { return t.ID == taskID })]
		return tx.AppendAudit(ctx, actor, "case.task", "case", caseID, "task "+string(status))
	})
	return out, err
}

func orNobody(s string) string {
	if s == "" {
		return "no department"
	}
	return s
}

// EventInput records something that starts or satisfies a regulatory clock.
type EventInput struct {
	Event     string     `json:"event"`
	At        *time.Time `json:"at"` // nil: now
	Reference string     `json:"reference"`
}

// RecordEvent records a clock event, such as the filing of the GDPR
// notification with its reference.
func (s *Service) RecordEvent(ctx context.Context, actor shieldwall.Actor, caseID string, in EventInput) (shieldwall.Case, error) {
	if _, _, _, err := s.load(ctx, actor, caseID, policy.CaseContribute); err != nil {
		return shieldwall.Case{}, err
	}
	meaning, ok := recordable[in.Event]
	if !ok {
		return shieldwall.Case{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "event", "Unknown event %q; see the clocks of the case for the events that start and file them.", in.Event)
	}
	if err := validateText("reference", in.Reference, 0, 500); err != nil {
		return shieldwall.Case{}, err
	}
	now := s.now().UTC()
	at := now
	if in.At != nil {
		if in.At.After(now.Add(clockSkew)) {
			return shieldwall.Case{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "at", "The time cannot be in the future.")
		}
		at = in.At.UTC()
	}
	err := s.write(ctx, func(tx *store.Tx, p *pending) error {
		c, err := tx.FindCase(ctx, caseID)
		if err != nil {
			return err
		}
		if err := tx.RecordCaseEvent(ctx, caseID, shieldwall.CaseEvent{Event: in.Event, At: at, Reference: strings.TrimSpace(in.Reference), RecordedByName: actorName(actor)}); err != nil {
			return err
		}
		if in.Event == string(clocks.EventAwareness) {
			c.AwareAt = at
		}
		c.UpdatedAt = tx.Now
		if err := tx.UpdateCase(ctx, &c); err != nil {
			return err
		}
		msg := fmt.Sprintf("Recorded that we %s, at %s.", meaning, at.Format("2 Jan 2006 15:04 MST"))
		if strings.HasPrefix(meaning, "filed: ") {
			msg = fmt.Sprintf("Recorded the filing: %s, at %s.", strings.TrimPrefix(meaning, "filed: "), at.Format("2 Jan 2006 15:04 MST"))
		}
		if in.Reference != "" {
			msg += " Reference: " + strings.TrimSpace(in.Reference) + "."
		}
		if err := note(ctx, tx, p, actor, caseID, shieldwall.TimelineClock, msg); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "case.clock", "case", caseID, "recorded "+in.Event)
	})
	if err != nil {
		return shieldwall.Case{}, err
	}
	return s.Get(ctx, actor, caseID)
}

// AddParticipant lets a person see the case and tells them.
func (s *Service) AddParticipant(ctx context.Context, actor shieldwall.Actor, caseID, userID string) ([]shieldwall.CaseParticipant, error) {
	c, _, _, err := s.load(ctx, actor, caseID, policy.CaseManage)
	if err != nil {
		return nil, err
	}
	var out []shieldwall.CaseParticipant
	err = s.write(ctx, func(tx *store.Tx, p *pending) error {
		u, err := tx.FindUser(ctx, userID)
		if err != nil || !u.Active {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "user_id", "No active person with that id.")
		}
		added, err := tx.AddCaseParticipant(ctx, caseID, u.ID, "added")
		if err != nil {
			return err
		}
		if added {
			if err := note(ctx, tx, p, actor, caseID, shieldwall.TimelineParticipant, "Added "+u.Name+" ("+u.DepartmentName+") to the case."); err != nil {
				return err
			}
			n := shieldwall.Notification{UserID: u.ID, Kind: shieldwall.NotifyCaseAdded, Title: actorName(actor) + " added you to a case: " + caseLabel(c),
				Body: caseGist(c), Link: "/cases/" + caseID, ObjectType: "case", ObjectID: caseID}
			if err := tx.AddNotification(ctx, &n); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx, actor, "case.participant.add", "case", caseID, "added participant "+u.ID); err != nil {
				return err
			}
		}
		out, err = tx.CaseParticipants(ctx, caseID)
		return err
	})
	return out, err
}

// RemoveParticipant takes a person off the case; their open streams close.
func (s *Service) RemoveParticipant(ctx context.Context, actor shieldwall.Actor, caseID, userID string) error {
	if _, _, _, err := s.load(ctx, actor, caseID, policy.CaseManage); err != nil {
		return err
	}
	return s.write(ctx, func(tx *store.Tx, p *pending) error {
		removed, err := tx.RemoveCaseParticipant(ctx, caseID, userID)
		if err != nil {
			return err
		}
		if !removed {
			return shieldwall.Errorf(shieldwall.ENOTFOUND, "That person does not take part in this case.")
		}
		// Taken off the case, they hold none of its roles either, so no
		// escalation reaches them or brings them back.
		if err := tx.ClearCaseRoleHolder(ctx, caseID, userID); err != nil {
			return err
		}
		name := userID
		if u, err := tx.FindUser(ctx, userID); err == nil {
			name = u.Name
		}
		if err := note(ctx, tx, p, actor, caseID, shieldwall.TimelineParticipant, "Removed "+name+" from the case."); err != nil {
			return err
		}
		p.kicks = append(p.kicks, [2]string{caseID, userID})
		if err := tx.AnnounceKick(ctx, caseID, userID); err != nil {
			return err
		}
		if c, err := tx.FindCase(ctx, caseID); err != nil {
			return err
		} else if c.Confidential {
			if err := tx.ForgetCaseNotifications(ctx, caseID, userID); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actor, "case.participant.remove", "case", caseID, "removed participant "+userID)
	})
}

// Acknowledge records that actor, engaged in a role, has seen the case.
func (s *Service) Acknowledge(ctx context.Context, actor shieldwall.Actor, caseID string) (shieldwall.Case, error) {
	if _, _, _, err := s.load(ctx, actor, caseID, policy.CaseContribute); err != nil {
		return shieldwall.Case{}, err
	}
	err := s.write(ctx, func(tx *store.Tx, p *pending) error {
		c, err := tx.FindCase(ctx, caseID)
		if err != nil {
			return err
		}
		roles, err := tx.CaseRoles(ctx, caseID)
		if err != nil {
			return err
		}
		var names []string
		for _, r := range roles {
			if r.UserID == actor.UserID && r.AcknowledgedAt == nil {
				now := tx.Now
				r.AcknowledgedAt = &now
				if err := tx.SetCaseRole(ctx, caseID, r); err != nil {
					return err
				}
				names = append(names, r.Name)
			}
		}
		if len(names) == 0 {
			return shieldwall.Errorf(shieldwall.ECONFLICT, "You hold no role on this case that waits for acknowledgement.")
		}
		if c.AcknowledgedAt == nil {
			now := tx.Now
			c.AcknowledgedAt = &now
		}
		c.UpdatedAt = tx.Now
		if err := tx.UpdateCase(ctx, &c); err != nil {
			return err
		}
		if err := note(ctx, tx, p, actor, caseID, shieldwall.TimelineEngagement, "Acknowledged as "+strings.Join(names, " and ")+"."); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "case.acknowledge", "case", caseID, "acknowledged")
	})
	if err != nil {
		return shieldwall.Case{}, err
	}
	return s.Get(ctx, actor, caseID)
}

// Subscribe opens a live stream of the case's new timeline entries.
func (s *Service) Subscribe(ctx context.Context, actor shieldwall.Actor, caseID string) (*Subscription, error) {
	// Subscribe before checking: a removal that commits between the two
	// then finds the stream and closes it, instead of missing it.
	sub := s.hub.subscribe(caseID, actor.UserID)
	if _, _, _, err := s.load(ctx, actor, caseID, policy.CaseView); err != nil {
		s.hub.Unsubscribe(sub)
		return nil, err
	}
	return sub, nil
}
