package playbook

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// garbage must never parse; FuzzParse starts from it too.
var garbage = []string{
	"\x00\x01\x02\xff",
	"{{{{",
	strings.Repeat("[", 1000), // kept short: a slow seed stalls the fuzzer while it minimises
	"id: x\n\tname: tab-indented\n",
	"just some words",
	"42",
	"!!binary aGVsbG8=",
	"id: *missing\n",
	// billion laughs: the decoder must refuse it quickly, not expand it
	"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
	"id: &i test\nname: *i\ndescription: *i\nroles: [{id: *i, name: *i, department: *i}]\nrules: [{engage: [*i], tasks: [*i]}]\n",
}

func TestParseGarbage(t *testing.T) {
	for _, g := range garbage {
		if pb, err := Parse("garbage.yaml", []byte(g)); err == nil {
			t.Errorf("Parse(%.40q) = %+v, nil; want error", g, pb)
		} else if !strings.HasPrefix(err.Error(), "garbage.yaml: ") {
			t.Errorf("Parse(%.40q) error = %v; want it to name the file", g, err)
		}
	}
}

// FuzzParse checks that Parse never panics, that every error names the
// file, and that whatever it accepts is a playbook whose references all
// resolve and which survives a round trip through YAML.
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 20s ./internal/playbook/
func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add([]byte(gating))
	for _, g := range garbage {
		f.Add([]byte(g))
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pb, err := Parse("fuzz.yaml", data)
		if err != nil {
			if pb != nil {
				t.Fatalf("Parse() = %+v, %v; want no playbook with an error", pb, err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.yaml: ") {
				t.Fatalf("Parse() error = %q; want it to start with the file name", err)
			}
			return
		}
		roles := map[string]bool{}
		for _, r := range pb.Roles {
			roles[r.ID] = true
		}
		for _, task := range pb.Tasks {
			if !roles[task.Role] || task.Due <= 0 || task.Due > MaxDue {
				t.Fatalf("accepted task %+v", task)
			}
		}
		plan := Evaluate(pb, everything(pb))
		for _, task := range plan.Tasks {
			if !slices.ContainsFunc(plan.Roles, func(r PlannedRole) bool { return r.ID == task.Role }) {
				t.Fatalf("task %s planned without its role %s", task.ID, task.Role)
			}
		}
		out, err := yaml.Marshal(pb)
		if err != nil {
			t.Fatalf("yaml.Marshal() error = %v", err)
		}
		again, err := Parse("fuzz.yaml", out)
		if err != nil {
			t.Fatalf("Parse(Marshal(pb)) error = %v\n%s", err, out)
		}
		if !reflect.DeepEqual(normal(again), normal(pb)) {
			t.Fatalf("round trip changed the playbook:\n%+v\n%+v", again, pb)
		}
	})
}

// normal makes empty and nil lists alike, which YAML does not tell apart.
func normal(pb *Playbook) *Playbook {
	c := *pb
	c.Roles = slices.Clip(append([]Role{}, pb.Roles...))
	c.Tasks = nil
	for _, t := range pb.Tasks {
		t.When = normalCond(t.When)
		c.Tasks = append(c.Tasks, t)
	}
	c.Rules = nil
	for _, r := range pb.Rules {
		r.When = normalCond(r.When)
		r.Engage = append([]string{}, r.Engage...)
		r.Tasks = append([]string{}, r.Tasks...)
		c.Rules = append(c.Rules, r)
	}
	return &c
}

func normalCond(c *Condition) *Condition {
	if c == nil {
		return nil
	}
	n := *c
	for _, l := range []*[]string{&n.TypeAny, &n.AffectedAny, &n.AffectedAll, &n.DescriptionContainsAny} {
		*l = append([]string{}, *l...)
	}
	return &n
}
