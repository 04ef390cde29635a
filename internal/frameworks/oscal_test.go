package frameworks

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
)

// sp80053 is a small catalog shaped like NIST SP 800-53: nested groups,
// enhancements under controls, item parts under the statement, a
// zero-padded label beside the plain one, and a withdrawn control.
const sp80053 = `{"catalog": {
  "uuid": "x",
  "metadata": {"title": "Mini 800-53", "version": "5.1.1", "oscal-version": "1.1.2"},
  "groups": [
    {"id": "ac", "class": "family", "title": "Access Control",
     "controls": [
       {"id": "ac-1", "class": "SP800-53", "title": "Policy and Procedures",
        "props": [{"name": "label", "class": "zero-padded", "value": "AC-01"}, {"name": "label", "value": "AC-1"}],
        "parts": [
          {"id": "ac-1_smt", "name": "statement", "parts": [
            {"name": "item", "props": [{"name": "label", "value": "a."}], "prose": "Develop a policy;", "parts": [
              {"name": "item", "props": [{"name": "label", "value": "1."}], "prose": "organization-level"}]},
            {"name": "item", "props": [{"name": "label", "value": "b."}], "prose": "Designate an official."}]},
          {"name": "guidance", "prose": "Not part of the statement."}],
        "controls": [
          {"id": "ac-1.1", "class": "SP800-53-enhancement", "title": "Enhancement",
           "parts": [{"name": "statement", "prose": "Do more."}]}]},
       {"id": "ac-2", "title": "Withdrawn one",
        "props": [{"name": "status", "value": "Withdrawn"}],
        "controls": [{"id": "ac-2.1", "title": "Child of withdrawn"}]}
     ]},
    {"title": "Group without id", "groups": [
      {"id": "sub", "title": "Subgroup", "controls": [
        {"id": "x-1", "title": "Foreign props",
         "props": [{"name": "label", "ns": "https://example.com/ns", "value": "NOT-IT"},
                   {"name": "status", "ns": "https://example.com/ns", "value": "withdrawn"}]}]}]}
  ],
  "controls": [{"id": "top-1", "title": "Top-level control"}]
}}`

func TestParseOSCAL(t *testing.T) {
	c, err := ParseOSCAL(strings.NewReader(sp80053), 0)
	if err != nil {
		t.Fatalf("ParseOSCAL = %v", err)
	}
	if c.Title != "Mini 800-53" || c.Version != "5.1.1" || c.OSCALVersion != "1.1.2" {
		t.Errorf("metadata = %q, %q, %q; want Mini 800-53, 5.1.1, 1.1.2", c.Title, c.Version, c.OSCALVersion)
	}
	want := []Requirement{
		{ID: "ac", Label: "ac", Title: "Access Control", Class: "family"},
		{ID: "ac-1", Label: "AC-1", Title: "Policy and Procedures", Class: "SP800-53", Parent: "ac", Depth: 1,
			Statement: "a. Develop a policy;\n1. organization-level\nb. Designate an official."},
		{ID: "ac-1.1", Label: "ac-1.1", Title: "Enhancement", Class: "SP800-53-enhancement", Parent: "ac-1", Depth: 2, Statement: "Do more."},
		{ID: "ac-2", Label: "ac-2", Title: "Withdrawn one", Parent: "ac", Depth: 1, Withdrawn: true},
		{ID: "ac-2.1", Label: "ac-2.1", Title: "Child of withdrawn", Parent: "ac-2", Depth: 2, Withdrawn: true},
		{ID: "sub", Label: "sub", Title: "Subgroup"},
		{ID: "x-1", Label: "x-1", Title: "Foreign props", Parent: "sub", Depth: 1},
		{ID: "top-1", Label: "top-1", Title: "Top-level control"},
	}
	if len(c.Requirements) != len(want) {
		t.Fatalf("got %d requirements; want %d: %+v", len(c.Requirements), len(want), c.Requirements)
	}
	for i := range want {
		if c.Requirements[i] != want[i] {
			t.Errorf("Requirements[%d] = %+v; want %+v", i, c.Requirements[i], want[i])
		}
	}
	f := c.Framework("mini")
	if f.ID != "mini" || f.Title != "Mini 800-53" || len(f.Requirements) != len(want) {
		t.Errorf("Framework(mini) = %q %q %d; want mini, Mini 800-53, %d", f.ID, f.Title, len(f.Requirements), len(want))
	}
}

func TestParseOSCALErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		in    string
		limit int64
		code  string
		msg   string
	}{
		{"ErrEmpty", "  \n", 0, shieldwall.EINVALID,
			"oscal: empty file; want an OSCAL catalog in JSON"},
		{"ErrTooLarge", sp80053, 100, shieldwall.ETOOLARGE,
			"oscal: catalog is larger than 100 bytes"},
		{"ErrSyntax", `{"catalog": {"metadata": {]}}`, 0, shieldwall.EINVALID,
			"oscal: invalid JSON at offset 27: invalid character ']' looking for beginning of object key string"},
		{"ErrTruncated", `{"catalog": {`, 0, shieldwall.EINVALID,
			"oscal: invalid JSON at offset 13: unexpected end of JSON input"},
		{"ErrTrailing", `{"catalog": {}} x`, 0, shieldwall.EINVALID,
			"oscal: invalid JSON at offset 17: invalid character 'x' after top-level value"},
		{"ErrNotObject", `[1, 2]`, 0, shieldwall.EINVALID,
			"oscal: not an OSCAL catalog: the top level is a JSON array, want an object"},
		{"ErrNotOSCAL", `{"name": "x"}`, 0, shieldwall.EINVALID,
			`oscal: not an OSCAL catalog: no top-level "catalog" object`},
		{"ErrProfile", `{"profile": {"imports": []}}`, 0, shieldwall.EINVALID,
			"oscal: the file is an OSCAL profile, not a catalog"},
		{"ErrCatalogNotObject", `{"catalog": []}`, 0, shieldwall.EINVALID,
			`oscal: "catalog" is not an object`},
		{"ErrCatalogNull", `{"catalog": null}`, 0, shieldwall.EINVALID,
			`oscal: "catalog" is not an object`},
		{"ErrNoMetadata", `{"catalog": {"controls": [{"id": "a"}]}}`, 0, shieldwall.EINVALID,
			"oscal: catalog has no metadata"},
		{"ErrNoControls", `{"catalog": {"metadata": {"title": "t"}, "groups": []}}`, 0, shieldwall.EINVALID,
			"oscal: catalog has no groups and no controls"},
		{"ErrWrongType", `{"catalog": {"metadata": {}, "groups": [{"id": 7}]}}`, 0, shieldwall.EINVALID,
			"oscal: invalid JSON at offset 48: field catalog.groups.id is a JSON number, want a string"},
		{"ErrControlsNotArray", `{"catalog": {"metadata": {}, "controls": {}}}`, 0, shieldwall.EINVALID,
			"oscal: invalid JSON at offset 42: field catalog.controls is a JSON object, want an array"},
		{"ErrControlID", `{"catalog": {"metadata": {}, "groups": [{"id": "g", "controls": [{"id": "a"}, {"title": "no id"}]}]}}`, 0, shieldwall.EINVALID,
			"oscal: control at catalog.groups[0].controls[1] has no id"},
		{"ErrDuplicateID", `{"catalog": {"metadata": {}, "groups": [{"id": "a"}], "controls": [{"id": "a"}]}}`, 0, shieldwall.EINVALID,
			`oscal: id "a" at catalog.controls[0] is already used at catalog.groups[0]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseOSCAL(strings.NewReader(tt.in), tt.limit)
			if err == nil {
				t.Fatalf("ParseOSCAL(%s) = %+v, nil; want an error", tt.in, c)
			}
			code, msg := errMessage(t, err)
			if code != tt.code || msg != tt.msg {
				t.Errorf("ParseOSCAL(%s) error = %s %q; want %s %q", tt.in, code, msg, tt.code, tt.msg)
			}
		})
	}
}

func FuzzParseOSCAL(f *testing.F) {
	f.Add([]byte(sp80053))
	f.Add(nistCSF2JSON[:4096])
	f.Add([]byte(`{"catalog": {"metadata": {}, "controls": [{"id": "a", "controls": [{"id": "b"}]}]}}`))
	f.Add([]byte(`{"catalog": {"metadata": {}, "groups": [{"groups": [{"controls": [{"id": "c"}]}]}]}}`))
	f.Add([]byte(`{"profile": {}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseOSCAL(bytes.NewReader(data), 1<<20)
		if err != nil {
			errMessage(t, err)
			return
		}
		seen := map[string]bool{}
		for i, r := range c.Requirements {
			if r.ID == "" {
				t.Fatalf("Requirements[%d] has no id", i)
			}
			if seen[r.ID] {
				t.Fatalf("duplicate id %q", r.ID)
			}
			if r.Parent != "" && !seen[r.Parent] {
				t.Fatalf("%q comes before its parent %q", r.ID, r.Parent)
			}
			seen[r.ID] = true
		}
	})
}
