package playbook

import (
	"slices"
	"strings"
	"unicode"
)

// Affected flags: what a case touches. A Condition may only name these.
const (
	AffectedPersonalData          = "personal-data"
	AffectedPaymentSystems        = "payment-systems"
	AffectedCustomerFacing        = "customer-facing"
	AffectedListedCompanyMaterial = "listed-company-material"
	AffectedEUEssentialEntity     = "eu-essential-entity"
	AffectedEUImportantEntity     = "eu-important-entity"
	AffectedFinancialEntity       = "financial-entity"
	// AffectedHealthData marks protected health information, which starts
	// the HIPAA breach-notification clock.
	AffectedHealthData = "health-data"
)

var affectedFlags = map[string]bool{
	AffectedPersonalData:          true,
	AffectedPaymentSystems:        true,
	AffectedCustomerFacing:        true,
	AffectedListedCompanyMaterial: true,
	AffectedEUEssentialEntity:     true,
	AffectedEUImportantEntity:     true,
	AffectedFinancialEntity:       true,
	AffectedHealthData:            true,
}

const affectedList = "personal-data, payment-systems, customer-facing, listed-company-material, eu-essential-entity, eu-important-entity, financial-entity, health-data"

// IsAffectedFlag reports whether s is one of the Affected flags.
func IsAffectedFlag(s string) bool { return affectedFlags[s] }

// Condition holds when every field that is set holds (all-of). Severity
// compares the level number: SEV1 is the most severe, so
// severity_at_most: SEV2 matches SEV1 and SEV2, and
// severity_at_least: SEV3 matches SEV3 and SEV4.
type Condition struct {
	TypeAny                []string `yaml:"type_any"`                 // case type is one of these
	SeverityAtMost         string   `yaml:"severity_at_most"`         // SEV1 … this level
	SeverityAtLeast        string   `yaml:"severity_at_least"`        // this level … SEV4
	AffectedAny            []string `yaml:"affected_any"`             // at least one flag set
	AffectedAll            []string `yaml:"affected_all"`             // every flag set
	DescriptionContainsAny []string `yaml:"description_contains_any"` // a whole word or phrase, any case
}

func (c *Condition) empty() bool {
	return len(c.TypeAny) == 0 && c.SeverityAtMost == "" && c.SeverityAtLeast == "" &&
		len(c.AffectedAny) == 0 && len(c.AffectedAll) == 0 && len(c.DescriptionContainsAny) == 0
}

// Matches reports whether the condition holds for the case. A nil
// condition always holds. A case whose severity is not SEV1…SEV4 matches
// no severity bound.
func (c *Condition) Matches(f CaseFacts) bool {
	if c == nil {
		return true
	}
	if len(c.TypeAny) > 0 && !slices.Contains(c.TypeAny, f.Type) {
		return false
	}
	if c.SeverityAtMost != "" || c.SeverityAtLeast != "" {
		lvl := severityLevel(f.Severity)
		if lvl == 0 {
			return false
		}
		if c.SeverityAtMost != "" && lvl > severityLevel(c.SeverityAtMost) {
			return false
		}
		if c.SeverityAtLeast != "" && lvl < severityLevel(c.SeverityAtLeast) {
			return false
		}
	}
	if len(c.AffectedAny) > 0 && !slices.ContainsFunc(c.AffectedAny, func(a string) bool { return slices.Contains(f.Affected, a) }) {
		return false
	}
	for _, a := range c.AffectedAll {
		if !slices.Contains(f.Affected, a) {
			return false
		}
	}
	if len(c.DescriptionContainsAny) > 0 {
		desc := words(f.Description)
		if !slices.ContainsFunc(c.DescriptionContainsAny, func(p string) bool { return containsPhrase(desc, words(p)) }) {
			return false
		}
	}
	return true
}

// severityLevel returns 1 for SEV1 … 4 for SEV4, and 0 for anything else.
func severityLevel(s string) int {
	switch s {
	case "SEV1":
		return 1
	case "SEV2":
		return 2
	case "SEV3":
		return 3
	case "SEV4":
		return 4
	}
	return 0
}

// words splits s into lowercase runs of letters and digits, so that
// matching respects word boundaries: "ransom" is found in "Ransom note!"
// but not in "ransomware".
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// containsPhrase reports whether phrase occurs as consecutive words in text.
func containsPhrase(text, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
	for i := 0; i+len(phrase) <= len(text); i++ {
		if slices.Equal(text[i:i+len(phrase)], phrase) {
			return true
		}
	}
	return false
}

// AffectedFlags lists every Affected flag in a fixed order, for forms and documentation.
func AffectedFlags() []string {
	return []string{AffectedPersonalData, AffectedPaymentSystems, AffectedCustomerFacing, AffectedListedCompanyMaterial,
		AffectedEUEssentialEntity, AffectedEUImportantEntity, AffectedFinancialEntity, AffectedHealthData}
}
