package response

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/clocks"
	"github.com/shieldwall/shieldwall/internal/playbook"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Limits on what people type.
const (
	maxTitle   = 200
	maxSummary = 20000
	maxEntry   = 10000
	maxRefs    = 1000
	// clockSkew is how far in the future a recorded time may be before it
	// is refused: a browser's clock may run a little fast.
	clockSkew = 5 * time.Minute
)

// pending collects what a transaction wrote that the world learns of after
// it commits: timeline entries for live streams, streams to close.
type pending struct {
	entries []shieldwall.TimelineEntry
	kicks   [][2]string // case id, user id ("" for everyone)
}

func (p *pending) flush(h *Hub) {
	for _, k := range p.kicks {
		h.kick(k[0], k[1])
	}
	h.publish(p.entries)
}

// write runs fn in one transaction and, once it is durable, publishes what it wrote.
func (s *Service) write(ctx context.Context, fn func(tx *store.Tx, p *pending) error) error {
	var p pending
	if err := s.store.InTx(ctx, func(tx *store.Tx) error {
		p = pending{}
		if err := fn(tx, &p); err != nil {
			return err
		}
		// Known as this process's before the commit, so that PostgreSQL's
		// announcement coming back cannot deliver an entry a second time.
		s.hub.remember(p.entries)
		return nil
	}); err != nil {
		return err
	}
	p.flush(s.hub)
	return nil
}

// note appends a timeline entry by actor.
func note(ctx context.Context, tx *store.Tx, p *pending, actor shieldwall.Actor, caseID, kind, body string) error {
	e := shieldwall.TimelineEntry{CaseID: caseID, Kind: kind, Body: body, ActorID: actor.UserID, ActorName: actorName(actor)}
	if err := tx.AppendTimeline(ctx, &e); err != nil {
		return err
	}
	if err := tx.AnnounceTimeline(ctx, e.ID); err != nil {
		return err
	}
	p.entries = append(p.entries, e)
	return nil
}

func actorName(a shieldwall.Actor) string {
	if a.System {
		return "Shieldwall"
	}
	if a.Name != "" {
		return a.Name
	}
	return a.Email
}

func validateText(field, v string, min, max int) error {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	if n < min {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, field, "Please fill in the %s.", strings.ReplaceAll(field, "_", " "))
	}
	if utf8.RuneCountInString(v) > max {
		return shieldwall.FieldErrorf(shieldwall.EINVALID, field, "The %s can be at most %d characters.", strings.ReplaceAll(field, "_", " "), max)
	}
	return nil
}

func (s *Service) validateType(t string) (*playbook.Playbook, error) {
	pb, ok := playbook.Find(s.playbooks, t)
	if !ok {
		ids := make([]string, 0, len(s.playbooks))
		for _, p := range s.playbooks {
			ids = append(ids, p.ID)
		}
		return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "type", "Type must be a playbook: %s.", strings.Join(ids, ", "))
	}
	return pb, nil
}

func validateAffected(flags []string) ([]string, error) {
	out := []string{}
	for _, f := range flags {
		f = strings.TrimSpace(f)
		if !playbook.IsAffectedFlag(f) {
			return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "affected", "%q is not something a case can affect; use %s.", f, strings.Join(playbook.AffectedFlags(), ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// Create opens a case, links its reports, starts its clocks and engages
// the departments its playbook names.
func (s *Service) Create(ctx context.Context, actor shieldwall.Actor, in shieldwall.CaseInput) (shieldwall.Case, error) {
	if err := policy.Authorize(actor, policy.CaseCreate, nil); err != nil {
		return shieldwall.Case{}, err
	}
	in.Title = strings.TrimSpace(in.Title)
	if err := validateText("title", in.Title, 1, maxTitle); err != nil {
		return shieldwall.Case{}, err
	}
	if err := validateText("summary", in.Summary, 0, maxSummary); err != nil {
		return shieldwall.Case{}, err
	}
	pb, err := s.validateType(in.Type)
	if err != nil {
		return shieldwall.Case{}, err
	}
	if in.Severity == "" {
		in.Severity = shieldwall.SEV3
	}
	if !in.Severity.Valid() {
		return shieldwall.Case{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "severity", "Severity must be SEV1 (critical), SEV2 (high), SEV3 (medium) or SEV4 (low).")
	}
	affected, err := validateAffected(in.Affected)
	if err != nil {
		return shieldwall.Case{}, err
	}
	if len(in.ReportIDs) > maxRefs {
		return shieldwall.Case{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "report_ids", "At most %d reports can be linked at once.", maxRefs)
	}
	now := s.now().UTC()
	if in.AwareAt != nil && in.AwareAt.After(now.Add(clockSkew)) {
		return shieldwall.Case{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "aware_at", "The time you became aware cannot be in the future.")
	}
	var c shieldwall.Case
	err = s.write(ctx, func(tx *store.Tx, p *pending) error {
		c = shieldwall.Case{
			ID: store.NewID(), Title: in.Title, Type: pb.ID, Severity: in.Severity, Status: shieldwall.CaseTriage,
			Summary: in.Summary, Affected: affected, Confidential: pb.Confidential, CreatedBy: actorName(actor),
			CreatedAt: tx.Now, UpdatedAt: tx.Now, AwareAt: tx.Now,
		}
		if in.Confidential != nil {
			c.Confidential = *in.Confidential
		}
		if in.AwareAt != nil {
			c.AwareAt = in.AwareAt.UTC()
		}
		if err := tx.CreateCase(ctx, &c); err != nil {
			return err
		}
		linked, first, err := tx.LinkReportsToCase(ctx, c.ID, in.ReportIDs, in.CampaignID)
		if err != nil {
			return err
		}
		c.FirstReportAt = first
		if actor.UserID != "" {
			if _, err := tx.AddCaseParticipant(ctx, c.ID, actor.UserID, "created"); err != nil {
				return err
			}
		}
		// Awareness starts the GDPR, NIS2 and DORA clocks; HIPAA counts from discovery, the same moment here.
		for _, ev := range []clocks.Event{clocks.EventAwareness, clocks.EventDiscovery} {
			if err := tx.RecordCaseEvent(ctx, c.ID, shieldwall.CaseEvent{Event: string(ev), At: c.AwareAt, RecordedByName: actorName(actor)}); err != nil {
				return err
			}
		}
		opened := fmt.Sprintf("Opened the case: %s, %s (%s).", pb.Name, c.Severity, c.Severity.Label())
		if len(linked) > 0 {
			opened += fmt.Sprintf(" %d report(s) linked.", len(linked))
		}
		if c.Confidential {
			opened += " Confidential: only participants and the security team can see it."
		}
		if err := note(ctx, tx, p, actor, c.ID, shieldwall.TimelineCase, opened); err != nil {
			return err
		}
		if err := s.engage(ctx, tx, p, actor, &c); err != nil {
			return err
		}
		if err := tx.UpdateCase(ctx, &c); err != nil {
			return err
		}
		// The audit chain records that a case changed, never what it says:
		// auditors read it, and a confidential case's content is need-to-know.
		return tx.AppendAudit(ctx, actor, "case.create", "case", c.ID, "opened a "+string(c.Severity)+" case")
	})
	if err != nil {
		return shieldwall.Case{}, err
	}
	return s.Get(ctx, actor, c.ID)
}

// resolveDepartment finds the department a playbook names, by name or
// slug; "Marketing/Communications" matches either part.
func resolveDepartment(ctx context.Context, tx *store.Tx, name string) (shieldwall.Department, bool) {
	candidates := append([]string{name}, strings.Split(name, "/")...)
	for _, n := range candidates {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if d, err := tx.FindDepartment(ctx, n); err == nil {
			return d, true
		}
	}
	return shieldwall.Department{}, false
}

// engage re-evaluates the playbook for the case's current facts and adds
// the roles and tasks it now calls for, as Dispatch does on every change.
// Nothing is taken away: a task once needed stays on the case.
func (s *Service) engage(ctx context.Context, tx *store.Tx, p *pending, actor shieldwall.Actor, c *shieldwall.Case) error {
	pb, ok := playbook.Find(s.playbooks, c.Type)
	if !ok {
		return nil
	}
	var prev playbook.Plan
	if len(c.Plan) > 0 {
		// A plan that does not decode is treated as empty: at worst the
		// playbook's roles and tasks are proposed again, never lost.
		_ = json.Unmarshal(c.Plan, &prev)
	}
	next := playbook.Evaluate(pb, playbook.CaseFacts{
		Type: c.Type, Severity: string(c.Severity), Affected: c.Affected,
		Description: c.Title + "\n" + c.Summary, Start: c.CreatedAt,
	})
	ch := playbook.Diff(prev, next)
	if ch.Empty() {
		return nil
	}
	union := playbook.Plan{Playbook: next.Playbook, Confidential: next.Confidential,
		Roles: append(slices.Clone(prev.Roles), ch.Roles...), Tasks: append(slices.Clone(prev.Tasks), ch.Tasks...)}
	plan, err := json.Marshal(union)
	if err != nil {
		return fmt.Errorf("response: encode plan: %w", err)
	}
	c.Plan = plan

	type engaged struct {
		roles []string
		tasks []playbook.PlannedTask
		role  shieldwall.CaseRole // the first role, whose backup and department escalate
	}
	told := map[string]*engaged{}
	var toldOrder []string
	for _, r := range ch.Roles {
		cr := shieldwall.CaseRole{Role: r.ID, Name: r.Name, Description: r.Description, EngagedAt: tx.Now}
		dept, found := resolveDepartment(ctx, tx, r.Department)
		who := "nobody is named for it yet"
		if found {
			cr.DepartmentID, cr.DepartmentName = dept.ID, dept.Name
			duty, named, err := tx.Duty(ctx, dept.ID, r.ID)
			if err != nil {
				return err
			}
			if named {
				cr.UserID, cr.UserName, cr.BackupUserID, cr.BackupUserName = duty.UserID, duty.UserName, duty.BackupUserID, duty.BackupUserName
			}
			if cr.UserID == "" {
				// The department's champion stands in until it names someone.
				if u, ok, err := tx.DepartmentChampion(ctx, dept.ID); err != nil {
					return err
				} else if ok {
					cr.UserID, cr.UserName = u.ID, u.Name
				}
			}
			if cr.UserID != "" {
				who = cr.UserName
			} else {
				who = "nobody is named for it yet: " + dept.Name + " should name someone"
			}
		} else {
			who = fmt.Sprintf("no department called %q exists; assign someone by hand", r.Department)
		}
		if err := tx.SetCaseRole(ctx, c.ID, cr); err != nil {
			return err
		}
		if cr.UserID != "" {
			if _, err := tx.AddCaseParticipant(ctx, c.ID, cr.UserID, "role:"+r.ID); err != nil {
				return err
			}
			if told[cr.UserID] == nil {
				told[cr.UserID] = &engaged{role: cr}
				toldOrder = append(toldOrder, cr.UserID)
			}
			told[cr.UserID].roles = append(told[cr.UserID].roles, r.Name)
		}
		if err := note(ctx, tx, p, actor, c.ID, shieldwall.TimelineEngagement, fmt.Sprintf("Engaged %s (%s): %s.", r.Name, r.Department, who)); err != nil {
			return err
		}
	}

	roles, err := tx.CaseRoles(ctx, c.ID)
	if err != nil {
		return err
	}
	holder := map[string]shieldwall.CaseRole{}
	for _, r := range roles {
		holder[r.Role] = r
	}
	for _, t := range ch.Tasks {
		r := holder[t.Role]
		task := shieldwall.CaseTask{Key: t.ID, Role: t.Role, DepartmentID: r.DepartmentID, Title: t.Title, Description: t.Description, DueAt: t.DueAt}
		if err := tx.AddCaseTask(ctx, c.ID, &task); err != nil {
			return err
		}
		if e := told[r.UserID]; e != nil {
			e.tasks = append(e.tasks, t)
		}
	}
	if len(ch.Tasks) > 0 {
		if err := note(ctx, tx, p, actor, c.ID, shieldwall.TimelineTask, fmt.Sprintf("The %s playbook added %d task(s).", pb.Name, len(ch.Tasks))); err != nil {
			return err
		}
	}

	// Each engaged person hears once: their role, their first task and its deadline.
	urgency := shieldwall.UrgencyNormal
	if c.Severity == shieldwall.SEV1 {
		urgency = shieldwall.UrgencyCritical
	}
	for _, uid := range toldOrder {
		e := told[uid]
		body := caseGist(*c)
		if len(e.tasks) > 0 {
			t := e.tasks[0]
			body = strings.TrimSpace(body + "\nYour first task: " + t.Title + ", due " + clocks.FormatRemaining(t.DueAt, tx.Now, time.UTC) + ".")
		}
		n := shieldwall.Notification{
			UserID: uid, Urgency: urgency, Kind: shieldwall.NotifyCaseEngaged,
			Title: fmt.Sprintf("You are the %s on a %s case: %s", strings.Join(e.roles, " and "), c.Severity, caseLabel(*c)),
			Body:  body, Link: "/cases/" + c.ID, ObjectType: "case", ObjectID: c.ID,
		}
		if urgency == shieldwall.UrgencyCritical {
			// Unacknowledged, it walks the chain: backup, department, security.
			chain, err := escalationChain(ctx, tx, e.role)
			if err != nil {
				return err
			}
			n.EscalateTo, n.EscalateAfter = chain, acknowledgeWithin
			if pb.Acknowledge > 0 {
				n.EscalateAfter = pb.Acknowledge
			}
		}
		if err := tx.AddNotification(ctx, &n); err != nil {
			return err
		}
	}
	return nil
}

// caseLabel is how a message names a case. A message travels further than
// the case (email, webhooks to outside systems, digests, the lists of
// deliveries administrators read), so a confidential case is named in it
// by none of its content: the link leads its participants to the rest.
func caseLabel(c shieldwall.Case) string {
	if c.Confidential {
		return "a confidential case"
	}
	return c.Title
}

// caseGist is the first lines of a case's summary for a message, or
// nothing for a confidential case (see caseLabel).
func caseGist(c shieldwall.Case) string {
	if c.Confidential {
		return ""
	}
	return firstLines(c.Summary, 2)
}

// firstLines returns up to n non-empty lines of s, each cut to 200 characters.
func firstLines(s string, n int) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if r := []rune(l); len(r) > 200 {
			l = string(r[:200]) + "…"
		}
		out = append(out, l)
		if len(out) == n {
			break
		}
	}
	return strings.Join(out, "\n")
}
