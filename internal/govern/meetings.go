package govern

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// canManageCommittee: the security team always; a champion when they sit on the committee.
func (s *Service) canManageCommittee(ctx context.Context, actor shieldwall.Actor) error {
	if err := policy.Authorize(actor, policy.CommitteeManage, nil); err != nil {
		return err
	}
	if actor.System || actor.Role == shieldwall.RoleAdmin || actor.Role == shieldwall.RoleSecurity {
		return nil
	}
	ok, err := s.store.IsCommitteeMember(ctx, actor.UserID)
	if err != nil {
		return err
	}
	if !ok {
		return shieldwall.Errorf(shieldwall.EFORBIDDEN, "Only members of the security committee prepare and record its meetings.")
	}
	return nil
}

// Notification kinds of the committee.
const (
	NotifyMeetingScheduled = "meeting.scheduled"
	NotifyMeetingMinutes   = "meeting.minutes"
)

// tellMembers notifies every committee member but the actor about a meeting.
func (s *Service) tellMembers(ctx context.Context, tx *store.Tx, actor shieldwall.Actor, m shieldwall.Meeting, kind, title, body string) error {
	members, err := s.store.ListCommitteeMembers(ctx)
	if err != nil {
		return err
	}
	for _, mb := range members {
		if mb.UserID == actor.UserID {
			continue
		}
		if err := tx.AddNotification(ctx, &shieldwall.Notification{UserID: mb.UserID, Kind: kind, Title: title, Body: body,
			Link: "/committee/meetings/" + m.ID, ObjectType: "meeting", ObjectID: m.ID}); err != nil {
			return err
		}
	}
	return nil
}

// Members lists the committee.
func (s *Service) Members(ctx context.Context, actor shieldwall.Actor) ([]shieldwall.CommitteeMember, error) {
	if err := policy.Authorize(actor, policy.CommitteeView, nil); err != nil {
		return nil, err
	}
	return s.store.ListCommitteeMembers(ctx)
}

// MemberInput seats someone on the committee.
type MemberInput struct {
	UserID     string `json:"user_id"`
	Department string `json:"department"` // id, slug or name; the person's own when empty
}

// AddMember seats a person on the committee for a department (security team).
func (s *Service) AddMember(ctx context.Context, actor shieldwall.Actor, in MemberInput) ([]shieldwall.CommitteeMember, error) {
	if err := policy.Authorize(actor, policy.CommitteeManage, nil); err != nil {
		return nil, err
	}
	if !policy.SeesWholeRegister(actor) || actor.Role == shieldwall.RoleAuditor {
		return nil, shieldwall.Errorf(shieldwall.EFORBIDDEN, "The security team decides who sits on the committee.")
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.FindUser(ctx, in.UserID)
		if err != nil {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "user_id", "There is no person %q.", in.UserID)
		}
		dep := u.DepartmentID
		if in.Department != "" {
			d, err := tx.FindDepartment(ctx, in.Department)
			if err != nil {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "department", "There is no department %q.", in.Department)
			}
			dep = d.ID
		}
		if err := tx.PutCommitteeMember(ctx, u.ID, dep); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "committee.member", "user", u.ID, u.Name+" sits on the security committee")
	})
	if err != nil {
		return nil, err
	}
	return s.store.ListCommitteeMembers(ctx)
}

// ListMeetings lists meetings, latest first.
func (s *Service) ListMeetings(ctx context.Context, actor shieldwall.Actor, p shieldwall.Page) ([]shieldwall.Meeting, int, error) {
	if err := policy.Authorize(actor, policy.CommitteeView, nil); err != nil {
		return nil, 0, err
	}
	return s.store.ListMeetings(ctx, p)
}

func (s *Service) applyMeeting(m *shieldwall.Meeting, in shieldwall.MeetingInput) error {
	var err error
	if in.Title != nil {
		if m.Title, err = text("title", *in.Title, 200, true); err != nil {
			return err
		}
	}
	if in.StartsAt != nil {
		if in.StartsAt.IsZero() {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "starts_at", "Please give when the meeting starts.")
		}
		m.StartsAt = in.StartsAt.UTC().Truncate(time.Second)
	}
	if in.DurationMinutes != nil {
		m.DurationMinutes = *in.DurationMinutes
	}
	if m.DurationMinutes < 1 || m.DurationMinutes > 1440 {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, "duration_minutes", "A meeting lasts 1 to 1,440 minutes, not %d.", m.DurationMinutes)
	}
	if in.Location != nil {
		if m.Location, err = text("location", *in.Location, 500, false); err != nil {
			return err
		}
	}
	if in.Minutes != nil {
		if m.Minutes, err = text("minutes", *in.Minutes, 100000, false); err != nil {
			return err
		}
	}
	return nil
}

// CreateMeeting schedules a meeting.
func (s *Service) CreateMeeting(ctx context.Context, actor shieldwall.Actor, in shieldwall.MeetingInput) (shieldwall.Meeting, error) {
	if err := s.canManageCommittee(ctx, actor); err != nil {
		return shieldwall.Meeting{}, err
	}
	m := shieldwall.Meeting{DurationMinutes: 60, CreatedBy: actor.Label()}
	if in.Title == nil {
		return m, shieldwall.FieldErrorf(shieldwall.EINVALID, "title", "Please fill in title.")
	}
	if in.StartsAt == nil {
		return m, shieldwall.FieldErrorf(shieldwall.EINVALID, "starts_at", "Please give when the meeting starts.")
	}
	if err := s.applyMeeting(&m, in); err != nil {
		return m, err
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateMeeting(ctx, &m); err != nil {
			return err
		}
		if err := s.tellMembers(ctx, tx, actor, m, NotifyMeetingScheduled, "Committee meeting on "+m.StartsAt.UTC().Format("Mon 2 Jan 2006, 15:04 UTC")+": "+m.Title,
			"The agenda builds itself from what changed since the last meeting. Add it to your calendar from the meeting's page."); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "meeting.create", "meeting", m.ID, fmt.Sprintf("%s on %s", m.Title, m.StartsAt.Format(time.RFC3339)))
	})
	if err != nil {
		return shieldwall.Meeting{}, err
	}
	return s.GetMeeting(ctx, actor, m.ID)
}

// UpdateMeeting changes a meeting: title, time, place, minutes. A change
// of time or place bumps the calendar sequence, so calendars update the event.
func (s *Service) UpdateMeeting(ctx context.Context, actor shieldwall.Actor, id string, in shieldwall.MeetingInput) (shieldwall.Meeting, error) {
	if err := s.canManageCommittee(ctx, actor); err != nil {
		return shieldwall.Meeting{}, err
	}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		m, err := tx.FindMeeting(ctx, id)
		if err != nil {
			return err
		}
		before := m
		if err := s.applyMeeting(&m, in); err != nil {
			return err
		}
		if !m.StartsAt.Equal(before.StartsAt) || m.DurationMinutes != before.DurationMinutes || m.Location != before.Location || m.Title != before.Title {
			m.Sequence++
		}
		if err := tx.UpdateMeeting(ctx, &m); err != nil {
			return err
		}
		if before.Minutes == "" && m.Minutes != "" {
			if err := s.tellMembers(ctx, tx, actor, m, NotifyMeetingMinutes, "Minutes of "+m.Title, "The minutes, decisions and action items are on the meeting's page."); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actor, "meeting.update", "meeting", m.ID, m.Title)
	})
	if err != nil {
		return shieldwall.Meeting{}, err
	}
	return s.GetMeeting(ctx, actor, id)
}

// gatherAgendaFacts reads what the agenda builders may draw on, as the
// viewer may see it: a confidential case, and its review's action items,
// appear only on the agenda of someone who may see the case.
func (s *Service) gatherAgendaFacts(ctx context.Context, viewer shieldwall.Actor, w AgendaWindow) (AgendaFacts, error) {
	var f AgendaFacts
	var err error
	scope := policy.CaseListScope(viewer)
	// The cases opened in the meeting's window, however long ago they last changed.
	byWindow := shieldwall.CaseFilter{CreatedFrom: w.Since, CreatedTo: w.Until, Page: shieldwall.Page{Limit: 200}}
	if f.Cases, _, err = s.store.ListCases(ctx, byWindow, scope); err != nil {
		return f, err
	}
	if f.Risks, err = s.store.AgendaRisks(ctx, HighRiskScore); err != nil {
		return f, err
	}
	// Everything with an end date before far in the future: the builder picks by the window.
	if f.Evidence, err = s.store.ExpiringEvidence(ctx, "9999-12-31", "", 500); err != nil {
		return f, err
	}
	if f.Reviews, _, err = s.store.ListProjectReviews(ctx, store.ReviewFilter{Status: shieldwall.ReviewPending, All: true, Page: shieldwall.Page{Limit: 200}}); err != nil {
		return f, err
	}
	if f.ActionItems, _, err = s.store.ListActionItems(ctx, shieldwall.ActionItemFilter{Status: shieldwall.ActionOpen, CaseScope: &scope, Page: shieldwall.Page{Limit: 500}}); err != nil {
		return f, err
	}
	return f, nil
}

// GetMeeting returns a meeting with its generated agenda, free items,
// decisions and action items.
func (s *Service) GetMeeting(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Meeting, error) {
	if err := policy.Authorize(actor, policy.CommitteeView, nil); err != nil {
		return shieldwall.Meeting{}, err
	}
	m, err := s.store.FindMeeting(ctx, id)
	if err != nil {
		return m, err
	}
	w := AgendaWindow{Until: m.StartsAt}
	if prev, ok, err := s.store.PreviousMeetingStart(ctx, m.StartsAt); err != nil {
		return m, err
	} else if ok {
		w.Since = prev
	} // the first meeting has no previous one: everything is new to it
	facts, err := s.gatherAgendaFacts(ctx, actor, w)
	if err != nil {
		return m, err
	}
	m.Agenda = BuildAgenda(facts, w)
	if m.ActionItems, _, err = s.store.ListActionItems(ctx, shieldwall.ActionItemFilter{SourceType: shieldwall.ActionSourceMeeting, SourceID: m.ID, Page: shieldwall.Page{Limit: shieldwall.MaxLimit}}); err != nil {
		return m, err
	}
	return m, nil
}

// AddItem adds a free item to a meeting's agenda.
func (s *Service) AddItem(ctx context.Context, actor shieldwall.Actor, meetingID string, in shieldwall.MeetingItem) (shieldwall.Meeting, error) {
	if err := s.canManageCommittee(ctx, actor); err != nil {
		return shieldwall.Meeting{}, err
	}
	var err error
	if in.Title, err = text("title", in.Title, 200, true); err != nil {
		return shieldwall.Meeting{}, err
	}
	if in.Notes, err = text("notes", in.Notes, 5000, false); err != nil {
		return shieldwall.Meeting{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindMeeting(ctx, meetingID); err != nil {
			return err
		}
		if err := tx.AddMeetingItem(ctx, meetingID, &in, actor.Label()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "meeting.item", "meeting", meetingID, in.Title)
	})
	if err != nil {
		return shieldwall.Meeting{}, err
	}
	return s.GetMeeting(ctx, actor, meetingID)
}

// DecisionObjectTypes are what a decision may be about.
var DecisionObjectTypes = []string{"", "risk", "control", "project-review", "action-item", "agenda-item", "app"}

// AddDecision records a decision of the meeting in the register, linked to
// what it decided on (checked to exist when it is a risk, control or review).
func (s *Service) AddDecision(ctx context.Context, actor shieldwall.Actor, meetingID string, in shieldwall.Decision) (shieldwall.Decision, error) {
	if err := s.canManageCommittee(ctx, actor); err != nil {
		return shieldwall.Decision{}, err
	}
	var err error
	d := shieldwall.Decision{MeetingID: meetingID, ObjectType: strings.TrimSpace(in.ObjectType), ObjectID: strings.TrimSpace(in.ObjectID), CreatedBy: actor.Label()}
	if d.Text, err = text("text", in.Text, 5000, true); err != nil {
		return d, err
	}
	if err := oneOf("object_type", d.ObjectType, DecisionObjectTypes); err != nil {
		return d, err
	}
	if (d.ObjectType == "") != (d.ObjectID == "") {
		return d, shieldwall.FieldErrorf(shieldwall.EINVALID, "object_id", "Name both what kind of thing was decided on and which one, or neither.")
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		m, err := tx.FindMeeting(ctx, meetingID)
		if err != nil {
			return err
		}
		var lookErr error
		switch d.ObjectType {
		case "risk":
			_, lookErr = tx.FindRisk(ctx, d.ObjectID)
		case "control":
			_, lookErr = tx.FindControl(ctx, d.ObjectID)
		case "project-review":
			_, lookErr = tx.FindProjectReview(ctx, d.ObjectID)
		case "action-item":
			_, lookErr = tx.FindActionItem(ctx, d.ObjectID)
		}
		if lookErr != nil {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "object_id", "There is no %s %q.", d.ObjectType, d.ObjectID)
		}
		d.MeetingTitle = m.Title
		if err := tx.AddDecision(ctx, &d); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "meeting.decision", "meeting", meetingID, d.Text)
	})
	return d, err
}

// ActionInput is a committee action item.
type ActionInput struct {
	Title           string `json:"title"`
	Description     string `json:"description"`
	OwnerDepartment string `json:"owner_department"`
	OwnerUserID     string `json:"owner_user_id"`
	DueOn           string `json:"due_on"`
}

// AddActionItem files an action item on the shared action list, sourced
// from the meeting, owned by a department with a due date.
func (s *Service) AddActionItem(ctx context.Context, actor shieldwall.Actor, meetingID string, in ActionInput) (shieldwall.ActionItem, error) {
	if err := s.canManageCommittee(ctx, actor); err != nil {
		return shieldwall.ActionItem{}, err
	}
	var err error
	a := shieldwall.ActionItem{SourceType: shieldwall.ActionSourceMeeting, SourceID: meetingID, CreatedBy: actor.Label(), OwnerUserID: strings.TrimSpace(in.OwnerUserID)}
	if a.Title, err = text("title", in.Title, 200, true); err != nil {
		return a, err
	}
	if a.Description, err = text("description", in.Description, 5000, false); err != nil {
		return a, err
	}
	if a.DueOn, err = date("due_on", in.DueOn); err != nil {
		return a, err
	}
	if a.DueOn == "" {
		return a, shieldwall.FieldErrorf(shieldwall.EINVALID, "due_on", "Please give a due date.")
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.FindMeeting(ctx, meetingID); err != nil {
			return err
		}
		d, err := tx.FindDepartment(ctx, in.OwnerDepartment)
		if err != nil || in.OwnerDepartment == "" {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_department", "Please name the department that owns this action.")
		}
		a.OwnerDepartmentID, a.OwnerDepartmentName = d.ID, d.Name
		if a.OwnerUserID != "" {
			if _, err := tx.FindUser(ctx, a.OwnerUserID); err != nil {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "owner_user_id", "There is no person %q.", a.OwnerUserID)
			}
		}
		if err := tx.AddActionItem(ctx, &a); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "action.create", "action-item", a.ID, fmt.Sprintf("%s (%s, due %s)", a.Title, d.Name, a.DueOn))
	})
	if err != nil {
		return shieldwall.ActionItem{}, err
	}
	return s.store.FindActionItem(ctx, a.ID)
}

// Decisions returns the decisions register.
func (s *Service) Decisions(ctx context.Context, actor shieldwall.Actor, objectType, objectID string) ([]shieldwall.Decision, error) {
	if err := policy.Authorize(actor, policy.CommitteeView, nil); err != nil {
		return nil, err
	}
	return s.store.ListDecisions(ctx, objectType, objectID)
}

// MeetingICS returns the meeting as an iCalendar file; base is the site's
// address for the link back.
func (s *Service) MeetingICS(ctx context.Context, actor shieldwall.Actor, id, base string) ([]byte, error) {
	m, err := s.GetMeeting(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var desc strings.Builder
	desc.WriteString("Agenda\n")
	for _, sec := range m.Agenda {
		fmt.Fprintf(&desc, "\n%s\n", sec.Title)
		for _, it := range sec.Items {
			fmt.Fprintf(&desc, "- %s (%s)\n", it.Title, it.Detail)
		}
	}
	if len(m.Items) > 0 {
		desc.WriteString("\nOther items\n")
		for _, it := range m.Items {
			fmt.Fprintf(&desc, "- %s\n", it.Title)
		}
	}
	if m.Minutes != "" {
		fmt.Fprintf(&desc, "\nMinutes\n%s\n", m.Minutes)
	}
	return WriteICS(Event{
		UID: m.ID + "@shieldwall", Sequence: m.Sequence, Stamp: s.now(), Start: m.StartsAt,
		End: m.StartsAt.Add(time.Duration(m.DurationMinutes) * time.Minute), Summary: m.Title,
		Description: desc.String(), Location: m.Location, URL: strings.TrimSuffix(base, "/") + "/committee/meetings/" + m.ID,
	}), nil
}

// CloseActionItem marks one of a meeting's action items done (or open
// again): committee members and the security team, or the owner
// department's champion.
func (s *Service) CloseActionItem(ctx context.Context, actor shieldwall.Actor, meetingID, itemID string, done bool) (shieldwall.ActionItem, error) {
	if err := policy.Authorize(actor, policy.CommitteeManage, nil); err != nil {
		return shieldwall.ActionItem{}, err
	}
	manageErr := s.canManageCommittee(ctx, actor)
	var a shieldwall.ActionItem
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if a, err = tx.FindActionItem(ctx, itemID); err != nil {
			return err
		}
		if a.SourceType != shieldwall.ActionSourceMeeting || a.SourceID != meetingID {
			return shieldwall.Errorf(shieldwall.ENOTFOUND, "Action item not found.")
		}
		owner := actor.Role == shieldwall.RoleChampion && actor.DepartmentID == a.OwnerDepartmentID
		if manageErr != nil && !owner {
			return manageErr
		}
		a.Status = shieldwall.ActionOpen
		if done {
			a.Status = shieldwall.ActionDone
		}
		if err := tx.UpdateActionItem(ctx, &a); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "action.status", "action-item", a.ID, fmt.Sprintf("%s: %s", a.Title, a.Status))
	})
	return a, err
}
