package frameworks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/shieldwall/shieldwall"
)

// DefaultOSCALLimit is the size limit ParseOSCAL applies when given none:
// the full NIST SP 800-53 rev. 5 catalog is about 10 MB.
const DefaultOSCALLimit = 32 << 20

// oscalNS is the namespace of OSCAL's own props; a prop in any other
// namespace (e.g. CSF's "risk-party") never sets a label or a status.
const oscalNS = "http://csrc.nist.gov/ns/oscal"

// Catalog is an OSCAL catalog read into a flat list of requirements.
type Catalog struct {
	Title        string // metadata.title
	Version      string // metadata.version
	OSCALVersion string // metadata.oscal-version
	Requirements []Requirement
}

// Framework returns the catalog as a Framework with the given identifier.
func (c *Catalog) Framework(id string) *Framework {
	return &Framework{
		ID:           id,
		Title:        c.Title,
		Version:      c.Version,
		Requirements: append([]Requirement(nil), c.Requirements...),
	}
}

// otherModels are the OSCAL root objects that are not catalogs; naming them
// tells a user they picked the wrong kind of OSCAL file.
var otherModels = []string{
	"profile", "component-definition", "system-security-plan",
	"assessment-plan", "assessment-results", "plan-of-action-and-milestones",
	"mapping-collection",
}

type oscalProp struct {
	Name  string `json:"name"`
	NS    string `json:"ns"`
	Class string `json:"class"`
	Value string `json:"value"`
}

type oscalPart struct {
	Name  string      `json:"name"`
	Props []oscalProp `json:"props"`
	Prose string      `json:"prose"`
	Parts []oscalPart `json:"parts"`
}

// oscalNode is a group or a control: both carry the same fields we read.
type oscalNode struct {
	ID       string      `json:"id"`
	Class    string      `json:"class"`
	Title    string      `json:"title"`
	Props    []oscalProp `json:"props"`
	Parts    []oscalPart `json:"parts"`
	Groups   []oscalNode `json:"groups"`
	Controls []oscalNode `json:"controls"`
}

type oscalCatalog struct {
	Metadata *struct {
		Title        string `json:"title"`
		Version      string `json:"version"`
		OSCALVersion string `json:"oscal-version"`
	} `json:"metadata"`
	Groups   []oscalNode `json:"groups"`
	Controls []oscalNode `json:"controls"`
}

// ParseOSCAL reads an OSCAL catalog in JSON of at most limit bytes
// (DefaultOSCALLimit when limit <= 0) and returns its groups and controls as
// a flat list in document order. Groups without an id are not requirements;
// their children hang from the nearest ancestor that has one. Errors are
// *shieldwall.Error with code EINVALID, or ETOOLARGE when over the limit.
func ParseOSCAL(r io.Reader, limit int64) (*Catalog, error) {
	if limit <= 0 {
		limit = DefaultOSCALLimit
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "oscal: read catalog: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, shieldwall.Errorf(shieldwall.ETOOLARGE, "oscal: catalog is larger than %d bytes", limit)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "oscal: empty file; want an OSCAL catalog in JSON")
	}

	var root map[string]json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, jsonError(err)
	}
	raw, ok := root["catalog"]
	if !ok {
		for _, m := range otherModels {
			if _, ok := root[m]; ok {
				return nil, shieldwall.Errorf(shieldwall.EINVALID, "oscal: the file is an OSCAL %s, not a catalog", m)
			}
		}
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "oscal: not an OSCAL catalog: no top-level \"catalog\" object")
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "oscal: \"catalog\" is not an object")
	}
	// Decoding the whole document again keeps offsets and field paths
	// relative to the file the user gave.
	var doc struct {
		Catalog oscalCatalog `json:"catalog"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, jsonError(err)
	}
	oc := doc.Catalog
	if oc.Metadata == nil {
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "oscal: catalog has no metadata")
	}
	if len(oc.Groups) == 0 && len(oc.Controls) == 0 {
		return nil, shieldwall.Errorf(shieldwall.EINVALID, "oscal: catalog has no groups and no controls")
	}

	c := &Catalog{
		Title:        oc.Metadata.Title,
		Version:      oc.Metadata.Version,
		OSCALVersion: oc.Metadata.OSCALVersion,
	}
	w := walker{cat: c, seen: map[string]string{}}
	if err := w.nodes(oc.Groups, "catalog.groups", true, "", 0, false); err != nil {
		return nil, err
	}
	if err := w.nodes(oc.Controls, "catalog.controls", false, "", 0, false); err != nil {
		return nil, err
	}
	return c, nil
}

// jsonError turns an encoding/json error into a message naming the offset
// or the field.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return shieldwall.Errorf(shieldwall.EINVALID, "oscal: invalid JSON at offset %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return shieldwall.Errorf(shieldwall.EINVALID, "oscal: not an OSCAL catalog: the top level is a JSON %s, want an object", typ.Value)
		}
		return shieldwall.Errorf(shieldwall.EINVALID, "oscal: invalid JSON at offset %d: field %s is a JSON %s, want %s", typ.Offset, typ.Field, typ.Value, jsonKind(typ.Type))
	}
	return shieldwall.Errorf(shieldwall.EINVALID, "oscal: invalid JSON: %v", err)
}

// jsonKind names a Go type the way a JSON author would.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	}
	return t.String()
}

type walker struct {
	cat  *Catalog
	seen map[string]string // id → path where first seen
}

func (w *walker) nodes(ns []oscalNode, path string, groups bool, parent string, depth int, withdrawn bool) error {
	for i := range ns {
		if err := w.node(&ns[i], fmt.Sprintf("%s[%d]", path, i), groups, parent, depth, withdrawn); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) node(n *oscalNode, path string, group bool, parent string, depth int, withdrawn bool) error {
	id := strings.TrimSpace(n.ID)
	// Withdrawal is inherited: a control under a withdrawn one is gone too.
	withdrawn = withdrawn || isWithdrawn(n.Props)
	if id == "" && !group {
		return shieldwall.Errorf(shieldwall.EINVALID, "oscal: control at %s has no id", path)
	}
	if id != "" {
		if first, dup := w.seen[id]; dup {
			return shieldwall.Errorf(shieldwall.EINVALID, "oscal: id %q at %s is already used at %s", id, path, first)
		}
		w.seen[id] = path
		label := labelOf(n.Props)
		if label == "" {
			label = id
		}
		w.cat.Requirements = append(w.cat.Requirements, Requirement{
			ID:        id,
			Label:     label,
			Title:     strings.TrimSpace(n.Title),
			Statement: statementOf(n.Parts),
			Class:     n.Class,
			Parent:    parent,
			Depth:     depth,
			Withdrawn: withdrawn,
		})
		parent, depth = id, depth+1
	}
	if err := w.nodes(n.Groups, path+".groups", true, parent, depth, withdrawn); err != nil {
		return err
	}
	return w.nodes(n.Controls, path+".controls", false, parent, depth, withdrawn)
}

func oscalProps(ps []oscalProp, name string) []oscalProp {
	var out []oscalProp
	for _, p := range ps {
		if p.Name == name && (p.NS == "" || p.NS == oscalNS) {
			out = append(out, p)
		}
	}
	return out
}

func isWithdrawn(ps []oscalProp) bool {
	for _, p := range oscalProps(ps, "status") {
		if strings.EqualFold(strings.TrimSpace(p.Value), "withdrawn") {
			return true
		}
	}
	return false
}

// labelOf prefers a label without a class: SP 800-53 also carries a
// "zero-padded" label beside the plain one.
func labelOf(ps []oscalProp) string {
	labels := oscalProps(ps, "label")
	for _, p := range labels {
		if p.Class == "" && strings.TrimSpace(p.Value) != "" {
			return strings.TrimSpace(p.Value)
		}
	}
	for _, p := range labels {
		if v := strings.TrimSpace(p.Value); v != "" {
			return v
		}
	}
	return ""
}

// statementOf joins, one per line, the prose of every part named
// "statement" and of all parts nested in it (SP 800-53's items "a.", "b."),
// each nested item prefixed by its label.
func statementOf(parts []oscalPart) string {
	var lines []string
	var item func(p *oscalPart, nested bool)
	item = func(p *oscalPart, nested bool) {
		prose := strings.TrimSpace(p.Prose)
		if nested {
			if l := labelOf(p.Props); l != "" && prose != "" {
				prose = l + " " + prose
			}
		}
		if prose != "" {
			lines = append(lines, prose)
		}
		for i := range p.Parts {
			item(&p.Parts[i], true)
		}
	}
	for i := range parts {
		if parts[i].Name == "statement" {
			item(&parts[i], false)
		}
	}
	return strings.Join(lines, "\n")
}
