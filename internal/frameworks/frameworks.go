// Package frameworks holds the compliance frameworks Shieldwall ships as data
// (NIST CSF 2.0 and ISO/IEC 27001:2022 Annex A) and reads any NIST OSCAL
// catalog into the same flat shape, so that an organisation's controls can be
// mapped to requirement identifiers that never change.
//
// The package is pure: it takes bytes and returns values, and touches no
// database.
package frameworks

// Framework is a set of requirements an organisation's controls map to.
type Framework struct {
	ID           string        // stable identifier, e.g. "nist-csf-2.0"
	Title        string        // human title
	Version      string        // the framework's or the catalog's version
	Requirements []Requirement // in document order, parents before children
}

// Requirement is one function, category, theme or control of a framework.
type Requirement struct {
	ID        string // the framework's own identifier, e.g. "PR.AA-01" or "A.5.1"
	Label     string // the label shown to people; the ID when the source has none
	Title     string
	Statement string // what the requirement asks for; empty for pure groupings
	Class     string // e.g. "function", "category", "subcategory", "theme", "control"
	Parent    string // ID of the enclosing requirement; empty at the top
	Depth     int    // 0 at the top
	Withdrawn bool   // kept for traceability; not to be mapped to new controls
}

// Find returns the requirement whose ID, or failing that whose Label, is id.
// ISO 27001 controls are thus found as "A.5.1" and as "5.1".
func (f *Framework) Find(id string) (Requirement, bool) {
	for _, r := range f.Requirements {
		if r.ID == id {
			return r, true
		}
	}
	for _, r := range f.Requirements {
		if r.Label == id {
			return r, true
		}
	}
	return Requirement{}, false
}

// Active returns the requirements that are not withdrawn, in order.
func (f *Framework) Active() []Requirement {
	out := make([]Requirement, 0, len(f.Requirements))
	for _, r := range f.Requirements {
		if !r.Withdrawn {
			out = append(out, r)
		}
	}
	return out
}

// Count returns how many requirements have the given class; withdrawn ones
// are counted only when withWithdrawn is true.
func (f *Framework) Count(class string, withWithdrawn bool) int {
	n := 0
	for _, r := range f.Requirements {
		if r.Class == class && (withWithdrawn || !r.Withdrawn) {
			n++
		}
	}
	return n
}

// clone returns a deep copy so callers can never change the shipped data.
func (f *Framework) clone() *Framework {
	c := *f
	c.Requirements = append([]Requirement(nil), f.Requirements...)
	return &c
}
