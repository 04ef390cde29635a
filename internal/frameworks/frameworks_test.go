package frameworks

import (
	"encoding/csv"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
)

func TestNISTCSF2(t *testing.T) {
	f := NISTCSF2()
	if f.ID != "nist-csf-2.0" {
		t.Errorf("ID = %q; want %q", f.ID, "nist-csf-2.0")
	}
	if f.Title != "Electronic Version of NIST Cybersecurity Framework 2.0" || f.Version != "1.2.0" {
		t.Errorf("Title, Version = %q, %q; want the catalog's metadata", f.Title, f.Version)
	}

	t.Run("Counts", func(t *testing.T) {
		for _, tt := range []struct {
			class         string
			active, total int
		}{
			{"function", 6, 6},
			{"category", 22, 34},
			{"subcategory", 106, 185},
		} {
			if got := f.Count(tt.class, false); got != tt.active {
				t.Errorf("Count(%q, false) = %d; want %d", tt.class, got, tt.active)
			}
			if got := f.Count(tt.class, true); got != tt.total {
				t.Errorf("Count(%q, true) = %d; want %d", tt.class, got, tt.total)
			}
		}
		if got, want := len(f.Active()), 6+22+106; got != want {
			t.Errorf("len(Active()) = %d; want %d", got, want)
		}
		if got, want := len(f.Requirements), 6+34+185; got != want {
			t.Errorf("len(Requirements) = %d; want %d", got, want)
		}
	})

	t.Run("Requirements", func(t *testing.T) {
		for _, tt := range []struct {
			id   string
			want Requirement
		}{
			{"GV", Requirement{ID: "GV", Label: "GOVERN (GV)", Title: "GOVERN", Class: "function"}},
			{"PR.AA", Requirement{ID: "PR.AA", Label: "Identity Management, Authentication, and Access Control (PR.AA)",
				Title: "Identity Management, Authentication, and Access Control", Class: "category", Parent: "PR", Depth: 1}},
			{"GV.OC-01", Requirement{ID: "GV.OC-01", Label: "GV.OC-01", Title: "GV.OC-01", Class: "subcategory",
				Statement: "The organizational mission is understood and informs cybersecurity risk management", Parent: "GV.OC", Depth: 2}},
			{"ID.BE", Requirement{ID: "ID.BE", Label: "Business Environment (ID.BE)", Title: "Business Environment",
				Class: "category", Parent: "ID", Depth: 1, Withdrawn: true}},
			{"ID.BE-01", Requirement{ID: "ID.BE-01", Label: "ID.BE-01", Title: "ID.BE-01", Class: "subcategory",
				Statement: "The organization\u2019s role in the supply chain is identified and communicated", Parent: "ID.BE", Depth: 2, Withdrawn: true}},
		} {
			got, ok := f.Find(tt.id)
			if !ok {
				t.Errorf("Find(%q) found nothing", tt.id)
				continue
			}
			if got.Statement != tt.want.Statement && tt.want.Statement == "" {
				tt.want.Statement = got.Statement // categories: checked elsewhere
			}
			if got != tt.want {
				t.Errorf("Find(%q) = %+v; want %+v", tt.id, got, tt.want)
			}
		}
		if r, _ := f.Find("PR.AA-01"); r.Statement == "" {
			t.Errorf("PR.AA-01 has an empty statement")
		}
	})

	t.Run("DocumentOrder", func(t *testing.T) {
		seen := map[string]bool{}
		var functions []string
		for _, r := range f.Requirements {
			if r.Parent != "" && !seen[r.Parent] {
				t.Errorf("%s comes before its parent %s", r.ID, r.Parent)
			}
			seen[r.ID] = true
			if r.Class == "function" {
				functions = append(functions, r.ID)
			}
		}
		if got, want := strings.Join(functions, ","), "GV,ID,PR,DE,RS,RC"; got != want {
			t.Errorf("functions = %s; want %s", got, want)
		}
	})

	t.Run("AgreesWithCSV", func(t *testing.T) {
		fh, err := os.Open("testdata/nist-csf-2.0.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		rows, err := csv.NewReader(fh).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(rows[0], ","), "function_id,function_title,category_id,category_title,subcategory_id,statement"; got != want {
			t.Fatalf("CSV header = %s; want %s", got, want)
		}
		var want []string
		for _, row := range rows[1:] {
			want = append(want, row[4])
			r, ok := f.Find(row[4])
			if !ok {
				t.Errorf("subcategory %s in the CSV is not in the catalog", row[4])
				continue
			}
			if r.Statement != row[5] {
				t.Errorf("%s statement = %q; want %q", row[4], r.Statement, row[5])
			}
			if r.Parent != row[2] || r.Withdrawn {
				t.Errorf("%s parent, withdrawn = %s, %v; want %s, false", row[4], r.Parent, r.Withdrawn, row[2])
			}
			if c, _ := f.Find(row[2]); c.Title != row[3] || c.Parent != row[0] {
				t.Errorf("%s title, parent = %q, %s; want %q, %s", row[2], c.Title, c.Parent, row[3], row[0])
			}
		}
		var got []string
		for _, r := range f.Active() {
			if r.Class == "subcategory" {
				got = append(got, r.ID)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("active subcategories = %v; want the CSV's %v", got, want)
		}
	})

	t.Run("Copy", func(t *testing.T) {
		f.Requirements[0].Title = "changed"
		if NISTCSF2().Requirements[0].Title == "changed" {
			t.Errorf("NISTCSF2() shares its requirements with callers")
		}
	})
}

func TestISO27001AnnexA(t *testing.T) {
	f := ISO27001AnnexA()
	if f.ID != "iso27001-2022" {
		t.Errorf("ID = %q; want %q", f.ID, "iso27001-2022")
	}
	if got := f.Count("theme", true); got != 4 {
		t.Errorf("Count(theme) = %d; want 4", got)
	}
	if got := f.Count("control", true); got != 93 {
		t.Errorf("Count(control) = %d; want 93", got)
	}
	perTheme := map[string]int{}
	ids := map[string]bool{}
	for _, r := range f.Requirements {
		if ids[r.ID] {
			t.Errorf("duplicate ID %s", r.ID)
		}
		ids[r.ID] = true
		if r.Class != "control" {
			continue
		}
		perTheme[r.Parent]++
		if r.ID != "A."+r.Label || !strings.HasPrefix(r.ID, r.Parent+".") {
			t.Errorf("%s: label %q, parent %q do not match", r.ID, r.Label, r.Parent)
		}
		if r.Title == "" || r.Statement == "" || r.Depth != 1 || r.Withdrawn {
			t.Errorf("%s = %+v; want a title, a statement, depth 1, not withdrawn", r.ID, r)
		}
		// Descriptions are ours and short: one plain line.
		if len(r.Statement) > 120 || strings.Contains(r.Statement, "\n") {
			t.Errorf("%s statement is %d bytes; want one line of at most 120", r.ID, len(r.Statement))
		}
	}
	for theme, want := range map[string]int{"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34} {
		if got := perTheme[theme]; got != want {
			t.Errorf("controls in %s = %d; want %d", theme, got, want)
		}
		for i := 1; i <= want; i++ {
			id := theme + "." + itoa(i)
			if !ids[id] {
				t.Errorf("%s is missing", id)
			}
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"A.5.1", "A.5.1"}, {"5.1", "A.5.1"}, {"8.34", "A.8.34"}, {"A.7", "A.7"},
	} {
		if r, ok := f.Find(tt.in); !ok || r.ID != tt.want {
			t.Errorf("Find(%q) = %q, %v; want %q, true", tt.in, r.ID, ok, tt.want)
		}
	}
	if _, ok := f.Find("5.38"); ok {
		t.Errorf("Find(%q) found a control; want none", "5.38")
	}
}

func TestAll(t *testing.T) {
	var got []string
	for _, f := range All() {
		got = append(got, f.ID)
	}
	if strings.Join(got, ",") != "nist-csf-2.0,iso27001-2022" {
		t.Errorf("All() = %v; want [nist-csf-2.0 iso27001-2022]", got)
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// errMessage returns the user-facing message and code of an error from
// ParseOSCAL, which must be a *shieldwall.Error.
func errMessage(t *testing.T, err error) (code, msg string) {
	t.Helper()
	var e *shieldwall.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is a %T; want *shieldwall.Error", err, err)
	}
	return e.Code, e.Message
}
