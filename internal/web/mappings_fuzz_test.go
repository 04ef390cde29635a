package web

import (
	"strings"
	"testing"
)

// FuzzParseMappings checks that the mappings box of the control forms
// turns any text into pairs without empty requirement identifiers, and
// that a well-formed "framework requirement" line survives intact.
func FuzzParseMappings(f *testing.F) {
	for _, s := range []string{"iso27001-2022 A.5.1\nnist-csf-2.0 PR.AA-01", "A.5.1", "a b c", ";;,,\n", " iso27001-2022   5.1 ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range *parseMappings(s) {
			if strings.TrimSpace(m.RequirementID) == "" {
				t.Fatalf("parseMappings(%q) gave an empty requirement: %+v", s, m)
			}
			if strings.ContainsAny(m.FrameworkID, " \n,;") {
				t.Fatalf("parseMappings(%q) gave framework %q", s, m.FrameworkID)
			}
		}
	})
}

func TestParseMappings(t *testing.T) {
	got := *parseMappings("iso27001-2022 A.5.1, nist-csf-2.0 PR.AA-01\n\nA.8.5")
	if len(got) != 3 || got[0].FrameworkID != "iso27001-2022" || got[0].RequirementID != "A.5.1" || got[1].RequirementID != "PR.AA-01" || got[2].FrameworkID != "" {
		t.Errorf("parseMappings = %+v", got)
	}
}
