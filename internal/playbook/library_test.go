package playbook

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// TestLibrary proves every built-in playbook parses, is named after its
// case type, and that every reference in it resolves.
func TestLibrary(t *testing.T) {
	pbs := Library()
	var ids []string
	for _, pb := range pbs {
		ids = append(ids, pb.ID)
	}
	want := []string{"account-takeover", "bec", "insider-threat", "lost-device", "personal-data-breach", "phishing", "ransomware", "vendor-breach"}
	if !slices.Equal(ids, want) {
		t.Fatalf("Library() ids = %v; want %v", ids, want)
	}
	for _, pb := range pbs {
		t.Run(pb.ID, func(t *testing.T) {
			if pb.Source != "library/"+pb.ID+".yaml" {
				t.Errorf("Source = %q; want library/%s.yaml", pb.Source, pb.ID)
			}
			if got, want := pb.Confidential, pb.ID == "insider-threat"; got != want {
				t.Errorf("Confidential = %v; want %v", got, want)
			}
			roles := map[string]bool{}
			for _, r := range pb.Roles {
				roles[r.ID] = true
			}
			tasks := map[string]bool{}
			for _, task := range pb.Tasks {
				tasks[task.ID] = true
				if !roles[task.Role] {
					t.Errorf("task %s: role %q not declared", task.ID, task.Role)
				}
				if task.Due <= 0 {
					t.Errorf("task %s: Due = %v; want > 0", task.ID, task.Due)
				}
			}
			for i, r := range pb.Rules {
				for _, id := range r.Engage {
					if !roles[id] {
						t.Errorf("rules[%d]: role %q not declared", i, id)
					}
				}
				for _, id := range r.Tasks {
					if !tasks[id] {
						t.Errorf("rules[%d]: task %q not declared", i, id)
					}
				}
			}
			// With every flag, the highest severity and every trigger word,
			// each role and each task must be reachable; otherwise the
			// playbook carries dead text.
			plan := Evaluate(pb, everything(pb))
			if len(plan.Roles) != len(pb.Roles) {
				t.Errorf("worst case engages %d of %d roles", len(plan.Roles), len(pb.Roles))
			}
			if len(plan.Tasks) != len(pb.Tasks) {
				t.Errorf("worst case creates %d of %d tasks", len(plan.Tasks), len(pb.Tasks))
			}
		})
	}
}

// everything returns facts that satisfy every condition in pb that does
// not bound severity from below.
func everything(pb *Playbook) CaseFacts {
	var words []string
	add := func(c *Condition) {
		if c != nil {
			words = append(words, c.DescriptionContainsAny...)
		}
	}
	for _, r := range pb.Rules {
		add(r.When)
	}
	for _, task := range pb.Tasks {
		add(task.When)
	}
	return CaseFacts{
		Type:        pb.ID,
		Severity:    "SEV1",
		Affected:    slices.Sorted(maps.Keys(affectedFlags)),
		Description: strings.Join(words, ". "),
		Start:       start,
	}
}

func TestLibraryReturnsCopy(t *testing.T) {
	a := Library()
	a[0] = nil
	if Library()[0] == nil {
		t.Fatal("Library() shares its slice with callers")
	}
}

func TestLoadDir(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		pbs, err := LoadDir(filepath.Join("testdata", "dir-good"))
		if err != nil {
			t.Fatalf("LoadDir() error = %v", err)
		}
		if len(pbs) != 9 {
			t.Errorf("LoadDir() returned %d playbooks; want 8 built-in + 1 custom", len(pbs))
		}
		custom, ok := Find(pbs, "cloud-key-leak")
		if !ok || custom.Source != filepath.Join("testdata", "dir-good", "cloud-key-leak.yaml") {
			t.Errorf("Find(cloud-key-leak) = %+v, %v; want the custom file", custom, ok)
		}
		// lost-device.yaml in the folder replaces the built-in.
		lost, _ := Find(pbs, "lost-device")
		if !strings.HasPrefix(lost.Source, "testdata") || lost.Name != "Lost laptop (our version)" {
			t.Errorf("lost-device from %q named %q; want the folder's override", lost.Source, lost.Name)
		}
		if _, ok := Find(pbs, "phishing"); !ok {
			t.Error("built-in phishing missing after LoadDir")
		}
		if builtin, _ := Find(Library(), "lost-device"); builtin.Source != "library/lost-device.yaml" {
			t.Errorf("override leaked into Library(): %q", builtin.Source)
		}
	})
	t.Run("ErrBadFiles", func(t *testing.T) {
		pbs, err := LoadDir(filepath.Join("testdata", "dir-bad"))
		if err == nil {
			t.Fatalf("LoadDir() = %d playbooks, nil; want error", len(pbs))
		}
		if pbs != nil {
			t.Errorf("LoadDir() returned playbooks with an error")
		}
		for _, want := range []string{
			filepath.Join("testdata", "dir-bad", "broken.yaml") + `: tasks[0].role: role "lawyer" is not declared in roles`,
			filepath.Join("testdata", "dir-bad", "misnamed.yaml") + `: id: "something-else" does not match the file name; name the file something-else.yaml`,
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("LoadDir() error = %v\nwant it to contain %q", err, want)
			}
		}
	})
	t.Run("ErrDuplicateID", func(t *testing.T) {
		dir := t.TempDir()
		data, err := os.ReadFile(filepath.Join("testdata", "dir-good", "cloud-key-leak.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"cloud-key-leak.yaml", "cloud-key-leak.yml"} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		_, err = LoadDir(dir)
		if err == nil || !strings.Contains(err.Error(), `cloud-key-leak.yml: id: "cloud-key-leak" is already defined by `) {
			t.Errorf("LoadDir() error = %v; want duplicate id", err)
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		dir := t.TempDir()
		big := "# " + strings.Repeat("x", MaxSize) + "\n"
		if err := os.WriteFile(filepath.Join(dir, "big.yaml"), []byte(big), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadDir(dir)
		if err == nil || !strings.Contains(err.Error(), "big.yaml: file is larger than 262144 bytes") {
			t.Errorf("LoadDir() error = %v; want too large", err)
		}
	})
	t.Run("ErrNoFolder", func(t *testing.T) {
		if _, err := LoadDir(filepath.Join(t.TempDir(), "missing")); err == nil {
			t.Error("LoadDir(missing) error = nil; want error")
		}
	})
}
