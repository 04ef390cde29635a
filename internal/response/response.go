// Package response runs cases: it opens them, engages departments in their
// playbook roles, keeps the regulatory clocks, the timeline and the
// post-incident review. Every decision about who may see or change a case
// is the policy's; a case the person may not see answers exactly as one
// that does not exist.
package response

import (
	"context"
	"slices"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/clocks"
	"github.com/shieldwall/shieldwall/internal/playbook"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Config is how the organisation responds.
type Config struct {
	// Playbooks are the built-in library plus any loaded from a folder;
	// nil means the built-in library.
	Playbooks []*playbook.Playbook
	// Holidays are extra non-business days for clocks counted in business days.
	Holidays []clocks.Date
	// Now returns the current time; nil means the store's clock, which
	// also dates every transaction. Tests move the store's clock.
	Now func() time.Time
}

// Service is the response capability.
type Service struct {
	store     *store.Store
	playbooks []*playbook.Playbook
	holidays  []clocks.Date
	now       func() time.Time
	hub       *Hub
}

// New returns the service over st.
func New(st *store.Store, cfg Config) *Service {
	s := &Service{store: st, playbooks: cfg.Playbooks, holidays: cfg.Holidays, now: cfg.Now, hub: NewHub()}
	if s.playbooks == nil {
		s.playbooks = playbook.Library()
	}
	if s.now == nil {
		s.now = func() time.Time { return st.Now() }
	}
	return s
}

// Hub is where live timeline entries are published.
func (s *Service) Hub() *Hub { return s.hub }

// Store returns the store, for read-only lookups by handlers.
func (s *Service) Store() *store.Store { return s.store }

// Playbooks returns the playbooks cases can follow, by id.
func (s *Service) Playbooks() []*playbook.Playbook { return s.playbooks }

// errNotFound is the one answer for a case that does not exist and for one
// the person may not see: same code, same words.
func errNotFound() error { return shieldwall.Errorf(shieldwall.ENOTFOUND, "Case not found.") }

// access works out how actor is involved in the case.
func (s *Service) access(ctx context.Context, actor shieldwall.Actor, c shieldwall.Case, roles []shieldwall.CaseRole) (shieldwall.CaseAccess, error) {
	a := shieldwall.CaseAccess{Confidential: c.Confidential}
	if actor.UserID == "" {
		return a, nil
	}
	var err error
	if a.Participant, err = s.store.IsCaseParticipant(ctx, c.ID, actor.UserID); err != nil {
		return a, err
	}
	for _, r := range roles {
		if actor.DepartmentID != "" && r.DepartmentID == actor.DepartmentID {
			a.DepartmentEngaged = true
		}
		if r.Role == "incident-commander" && r.UserID == actor.UserID {
			a.Commander = true
		}
	}
	return a, nil
}

// load finds a case and checks act against it. A case actor may not see
// answers as not found; one they see but may not act on, as forbidden.
func (s *Service) load(ctx context.Context, actor shieldwall.Actor, id string, act policy.Action) (shieldwall.Case, shieldwall.CaseAccess, []shieldwall.CaseRole, error) {
	c, err := s.store.FindCase(ctx, id)
	if err != nil {
		if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
			return c, shieldwall.CaseAccess{}, nil, errNotFound()
		}
		return c, shieldwall.CaseAccess{}, nil, err
	}
	roles, err := s.store.CaseRoles(ctx, c.ID)
	if err != nil {
		return c, shieldwall.CaseAccess{}, nil, err
	}
	a, err := s.access(ctx, actor, c, roles)
	if err != nil {
		return c, a, nil, err
	}
	if !policy.Can(actor, policy.CaseView, a) {
		return shieldwall.Case{}, a, nil, errNotFound()
	}
	if act != policy.CaseView {
		if err := policy.Authorize(actor, act, a); err != nil {
			return c, a, roles, err
		}
	}
	return c, a, roles, nil
}

// CanSee reports whether actor may learn that the case exists.
func (s *Service) CanSee(ctx context.Context, actor shieldwall.Actor, caseID string) bool {
	_, _, _, err := s.load(ctx, actor, caseID, policy.CaseView)
	return err == nil
}

// List returns the cases actor may see that match f.
func (s *Service) List(ctx context.Context, actor shieldwall.Actor, f shieldwall.CaseFilter) ([]shieldwall.Case, int, error) {
	if err := policy.Authorize(actor, policy.CaseList, nil); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, 0, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "Status must be one of triage, investigating, contained, eradicated, recovered, closed.")
	}
	if f.Severity != "" && !f.Severity.Valid() {
		return nil, 0, shieldwall.FieldErrorf(shieldwall.EINVALID, "severity", "Severity must be SEV1, SEV2, SEV3 or SEV4.")
	}
	return s.store.ListCases(ctx, f, policy.CaseListScope(actor))
}

// Get returns one case with its roles, tasks, clocks, participants,
// linked reports and measures, and how it concerns actor.
func (s *Service) Get(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Case, error) {
	c, a, roles, err := s.load(ctx, actor, id, policy.CaseView)
	if err != nil {
		return c, err
	}
	now := s.now().UTC()
	c.Roles = roles
	if c.Tasks, err = s.store.CaseTasks(ctx, id); err != nil {
		return c, err
	}
	if c.Participants, err = s.store.CaseParticipants(ctx, id); err != nil {
		return c, err
	}
	if c.ReportIDs, err = s.store.CaseReportIDs(ctx, id); err != nil {
		return c, err
	}
	events, err := s.store.CaseEvents(ctx, id)
	if err != nil {
		return c, err
	}
	c.Clocks = s.evaluateClocks(c, events, now)
	c.Measures = measures(c, now)
	you := &shieldwall.CaseViewerContext{Roles: []string{}, Participant: a.Participant, CanManage: policy.Can(actor, policy.CaseManage, a)}
	for _, r := range roles {
		if r.UserID == actor.UserID && actor.UserID != "" {
			you.Roles = append(you.Roles, r.Role)
		}
	}
	c.You = you
	return c, nil
}

// Timeline returns a case's history, newest first.
func (s *Service) Timeline(ctx context.Context, actor shieldwall.Actor, id string, page shieldwall.Page) ([]shieldwall.TimelineEntry, int, error) {
	if _, _, _, err := s.load(ctx, actor, id, policy.CaseView); err != nil {
		return nil, 0, err
	}
	return s.store.Timeline(ctx, id, page)
}

// measures are the response times of a case as of now.
func measures(c shieldwall.Case, now time.Time) *shieldwall.CaseMeasures {
	since := func(from time.Time, to *time.Time) *shieldwall.Seconds {
		if to == nil {
			return nil
		}
		v := shieldwall.Seconds(to.Sub(from) / time.Second)
		return &v
	}
	m := &shieldwall.CaseMeasures{Departments: []shieldwall.DepartmentTasks{}}
	if c.FirstReportAt != nil {
		created := c.CreatedAt
		m.ReportToCase = since(*c.FirstReportAt, &created)
	}
	// Response times run from the first report when there was one (the
	// moment someone outside security saw it), else from awareness.
	from := c.AwareAt
	if c.FirstReportAt != nil && c.FirstReportAt.Before(from) {
		from = *c.FirstReportAt
	}
	m.ToAcknowledgement = since(from, c.AcknowledgedAt)
	m.ToContainment = since(from, c.ContainedAt)
	m.ToClosure = since(from, c.ClosedAt)
	byDept := map[string]*shieldwall.DepartmentTasks{}
	var order []string
	for _, t := range c.Tasks {
		key := t.DepartmentID
		d := byDept[key]
		if d == nil {
			d = &shieldwall.DepartmentTasks{DepartmentID: t.DepartmentID, DepartmentName: t.DepartmentName}
			byDept[key] = d
			order = append(order, key)
		}
		switch {
		case t.Status == shieldwall.TaskOpen:
			d.Open++
			if t.Late(now) {
				d.Late++
			}
		case t.Late(now):
			d.Late++
		default:
			d.OnTime++
		}
	}
	slices.Sort(order)
	for _, k := range order {
		m.Departments = append(m.Departments, *byDept[k])
	}
	return m
}
