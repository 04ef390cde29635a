package playbook

import (
	"slices"
	"time"
)

// CaseFacts are the facts of a case that playbook rules look at.
type CaseFacts struct {
	Type        string   // the case type, e.g. bec
	Severity    string   // SEV1 … SEV4
	Affected    []string // Affected flags, e.g. personal-data
	Description string
	Start       time.Time // tasks fall due relative to this; give it in UTC
}

// Plan is who a case engages and what they must do, as a playbook says
// for the case's current facts.
type Plan struct {
	Playbook     string        `json:"playbook"`
	Confidential bool          `json:"confidential"`
	Roles        []PlannedRole `json:"roles"` // in the playbook's order
	Tasks        []PlannedTask `json:"tasks"` // by due time, then the playbook's order
}

// PlannedRole is a role the case engages.
type PlannedRole struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Department  string `json:"department"`
	Description string `json:"description,omitempty"`
}

// PlannedTask is a task the case needs, with its absolute due time.
type PlannedTask struct {
	ID          string    `json:"id"`
	Role        string    `json:"role"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	DueAt       time.Time `json:"due_at"`
}

// Evaluate works out the plan for a case. It does not check c.Type
// against pb.ID: choosing the playbook is the caller's job (see Find).
// The same inputs always give the same plan.
func Evaluate(pb *Playbook, c CaseFacts) Plan {
	plan := Plan{Roles: []PlannedRole{}, Tasks: []PlannedTask{}}
	if pb == nil {
		return plan
	}
	plan.Playbook, plan.Confidential = pb.ID, pb.Confidential

	engaged := map[string]bool{}
	create := map[string]bool{}
	gated := map[string]bool{}
	for _, r := range pb.Rules {
		for _, id := range r.Tasks {
			gated[id] = true
		}
		if !r.When.Matches(c) {
			continue
		}
		for _, id := range r.Engage {
			engaged[id] = true
		}
		for _, id := range r.Tasks {
			create[id] = true
		}
	}
	for _, t := range pb.Tasks {
		if t.When != nil && t.When.Matches(c) {
			create[t.ID] = true
		}
	}
	// A gated task engages its role, so that someone owns it; the role's
	// ungated tasks then follow, as for any engaged role.
	for _, t := range pb.Tasks {
		if create[t.ID] {
			engaged[t.Role] = true
		}
	}
	for _, t := range pb.Tasks {
		if t.When == nil && !gated[t.ID] && engaged[t.Role] {
			create[t.ID] = true
		}
	}

	for _, r := range pb.Roles {
		if engaged[r.ID] {
			plan.Roles = append(plan.Roles, PlannedRole{ID: r.ID, Name: r.Name, Department: r.Department, Description: r.Description})
		}
	}
	for _, t := range pb.Tasks {
		if create[t.ID] {
			plan.Tasks = append(plan.Tasks, PlannedTask{ID: t.ID, Role: t.Role, Title: t.Title, Description: t.Description, DueAt: c.Start.Add(t.Due)})
		}
	}
	slices.SortStableFunc(plan.Tasks, func(a, b PlannedTask) int { return a.DueAt.Compare(b.DueAt) })
	return plan
}

// Change is what a re-evaluated plan adds to the previous one.
type Change struct {
	Roles []PlannedRole `json:"roles"` // newly engaged
	Tasks []PlannedTask `json:"tasks"` // newly needed
}

// Empty reports whether the change adds nothing.
func (ch Change) Empty() bool { return len(ch.Roles) == 0 && len(ch.Tasks) == 0 }

// Diff returns the roles and tasks in next that are not in prev, matched by
// id, in next's order. It never reports removals: a task once created stays
// on the case even when the facts that called for it change, and a role
// once engaged stays engaged. Ids are compared whatever the playbook, so a
// case that changes type keeps a task both playbooks name alike.
func Diff(prev, next Plan) Change {
	ch := Change{Roles: []PlannedRole{}, Tasks: []PlannedTask{}}
	for _, r := range next.Roles {
		if !slices.ContainsFunc(prev.Roles, func(p PlannedRole) bool { return p.ID == r.ID }) {
			ch.Roles = append(ch.Roles, r)
		}
	}
	for _, t := range next.Tasks {
		if !slices.ContainsFunc(prev.Tasks, func(p PlannedTask) bool { return p.ID == t.ID }) {
			ch.Tasks = append(ch.Tasks, t)
		}
	}
	return ch
}
