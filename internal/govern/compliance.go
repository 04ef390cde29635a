package govern

import (
	"sort"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/frameworks"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Requirement statuses in a compliance computation and the Statement of Applicability.
const (
	ReqImplemented   = "implemented"
	ReqPartial       = "partial"
	ReqNotStarted    = "not-started"
	ReqNotApplicable = "not-applicable"
	ReqGap           = "gap" // no control maps to it
)

// Tally counts requirements (or controls) by status.
type Tally struct {
	Total         int     `json:"total"`
	Implemented   int     `json:"implemented"`
	Partial       int     `json:"partial"`
	NotStarted    int     `json:"not_started"`
	Gap           int     `json:"gap"`
	NotApplicable int     `json:"not_applicable"`
	Percent       float64 `json:"percent"` // (implemented + partial/2) of the applicable ones
}

func (t *Tally) add(status string) {
	t.Total++
	switch status {
	case ReqImplemented:
		t.Implemented++
	case ReqPartial:
		t.Partial++
	case ReqNotStarted:
		t.NotStarted++
	case ReqNotApplicable:
		t.NotApplicable++
	default:
		t.Gap++
	}
}

func (t *Tally) finish() {
	if applicable := t.Total - t.NotApplicable; applicable > 0 {
		t.Percent = float64(int((float64(t.Implemented)+float64(t.Partial)/2)/float64(applicable)*1000+0.5)) / 10
	}
}

// FrameworkCompliance is one framework's compliance, overall and per
// department (over the requirements each department's controls map to).
type FrameworkCompliance struct {
	FrameworkID  string              `json:"framework_id"`
	Title        string              `json:"title"`
	Overall      Tally               `json:"overall"`
	ByDepartment []DepartmentTally   `json:"by_department"`
	Requirements []RequirementStatus `json:"-"` // for the Statement of Applicability
}

// DepartmentTally is one department's share.
type DepartmentTally struct {
	DepartmentID   string `json:"department_id"`
	DepartmentName string `json:"department_name"`
	Tally
}

// RequirementStatus is one line of the Statement of Applicability.
type RequirementStatus struct {
	Requirement frameworks.Requirement
	Status      string
	Controls    []store.ControlFact
}

// effectiveStatus is a control's status as compliance counts it: an
// implemented control with no evidence valid today is only partial, because
// nobody can show it works.
func effectiveStatus(c store.ControlFact) string {
	if c.Status == shieldwall.ControlImplemented && !c.CurrentEvidence {
		return ReqPartial
	}
	return c.Status
}

var statusRank = map[string]int{ReqImplemented: 4, ReqPartial: 3, ReqNotStarted: 2, ReqNotApplicable: 1}

// requirementStatus is the best status among the controls mapped to a
// requirement: one implemented control satisfies it. A requirement is not
// applicable only when every control mapped to it says so.
func requirementStatus(cs []store.ControlFact) string {
	best := ReqGap
	for _, c := range cs {
		if s := effectiveStatus(c); statusRank[s] > statusRank[best] {
			best = s
		}
	}
	return best
}

// Assessable returns the requirements compliance is counted on: the
// leaves of the framework (NIST CSF subcategories, ISO 27001 controls),
// not withdrawn.
func Assessable(fw *frameworks.Framework) []frameworks.Requirement {
	parents := map[string]bool{}
	for _, r := range fw.Requirements {
		if r.Parent != "" {
			parents[r.Parent] = true
		}
	}
	var out []frameworks.Requirement
	for _, r := range fw.Requirements {
		if !r.Withdrawn && !parents[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// Compliance computes a framework's compliance from the controls and their
// mappings: each assessable requirement takes the best status of the
// controls mapped to it (a gap when none is). Per department, only the
// requirements that department's controls map to count.
func Compliance(fw *frameworks.Framework, controls []store.ControlFact, mappings []store.MappingFact) FrameworkCompliance {
	byID := make(map[string]store.ControlFact, len(controls))
	for _, c := range controls {
		byID[c.ID] = c
	}
	mapped := map[string][]store.ControlFact{}
	for _, m := range mappings {
		if m.FrameworkID != fw.ID {
			continue
		}
		if c, ok := byID[m.ControlID]; ok {
			mapped[m.RequirementID] = append(mapped[m.RequirementID], c)
		}
	}
	fc := FrameworkCompliance{FrameworkID: fw.ID, Title: fw.Title}
	depts := map[string]*DepartmentTally{}
	for _, req := range Assessable(fw) {
		cs := mapped[req.ID]
		if len(cs) == 0 && req.Label != req.ID {
			cs = mapped[req.Label] // mapped as "5.1" rather than "A.5.1"
		}
		st := requirementStatus(cs)
		fc.Overall.add(st)
		fc.Requirements = append(fc.Requirements, RequirementStatus{Requirement: req, Status: st, Controls: cs})
		seen := map[string]bool{}
		for _, c := range cs {
			if seen[c.DepartmentID] {
				continue
			}
			seen[c.DepartmentID] = true
			d := depts[c.DepartmentID]
			if d == nil {
				d = &DepartmentTally{DepartmentID: c.DepartmentID, DepartmentName: c.DepartmentName}
				depts[c.DepartmentID] = d
			}
			// The department's own controls for this requirement decide its share.
			var own []store.ControlFact
			for _, o := range cs {
				if o.DepartmentID == c.DepartmentID {
					own = append(own, o)
				}
			}
			d.add(requirementStatus(own))
		}
	}
	fc.Overall.finish()
	for _, d := range depts {
		d.finish()
		fc.ByDepartment = append(fc.ByDepartment, *d)
	}
	sort.Slice(fc.ByDepartment, func(i, j int) bool { return fc.ByDepartment[i].DepartmentName < fc.ByDepartment[j].DepartmentName })
	if fc.ByDepartment == nil {
		fc.ByDepartment = []DepartmentTally{}
	}
	return fc
}
