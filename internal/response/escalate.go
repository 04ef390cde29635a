package response

import (
	"context"
	"fmt"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// acknowledgeWithin is how long an engaged person of a SEV1 case has to
// acknowledge before the next person in the chain is told, unless the
// playbook sets its own (acknowledge: 10m).
const acknowledgeWithin = 15 * time.Minute

// escalationChain is who hears when a critical message about a role goes
// unacknowledged, in order: the role's backup, the department's champion
// (who stands for its head), then the security team. The person first told
// is left out.
func escalationChain(ctx context.Context, tx *store.Tx, r shieldwall.CaseRole) ([]string, error) {
	var chain []string
	add := func(id string) {
		if id == "" || id == r.UserID {
			return
		}
		for _, x := range chain {
			if x == id {
				return
			}
		}
		chain = append(chain, id)
	}
	add(r.BackupUserID)
	if r.DepartmentID != "" {
		if u, ok, err := tx.DepartmentChampion(ctx, r.DepartmentID); err != nil {
			return nil, err
		} else if ok {
			add(u.ID)
		}
	}
	leads, err := tx.SecurityLeads(ctx)
	if err != nil {
		return nil, err
	}
	if len(leads) > 0 {
		add(leads[0])
	}
	return chain, nil
}

// OnEscalate records each escalation step of a case's notification on the
// case timeline, inside the step's transaction; the notify worker calls it.
func (s *Service) OnEscalate(ctx context.Context, tx *store.Tx, n shieldwall.Notification, step int, to string) error {
	if n.ObjectType != "case" || n.ObjectID == "" {
		return nil
	}
	name := to
	if u, err := tx.FindUser(ctx, to); err == nil {
		name = u.Name
	}
	// Whoever the chain reaches must act, so needs to see the case.
	if _, err := tx.AddCaseParticipant(ctx, n.ObjectID, to, "escalation"); err != nil {
		return err
	}
	e := shieldwall.TimelineEntry{CaseID: n.ObjectID, Kind: shieldwall.TimelineEscalation,
		Body: fmt.Sprintf("Nobody acknowledged %q: step %d told %s.", n.Title, step, name), ActorName: "Shieldwall"}
	if err := tx.AppendTimeline(ctx, &e); err != nil {
		return err
	}
	if err := tx.AnnounceTimeline(ctx, e.ID); err != nil {
		return err
	}
	if !s.store.SharesTimeline() {
		// The worker commits this transaction after the hook returns; open
		// streams get the entry once it is there to read, never before.
		go s.publishWhenCommitted(e.ID)
	}
	return nil
}

func (s *Service) publishWhenCommitted(id string) {
	for range 50 {
		if e, err := s.store.TimelineEntry(context.Background(), id); err == nil {
			s.hub.publish([]shieldwall.TimelineEntry{e})
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
