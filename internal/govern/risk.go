package govern

import (
	"strings"

	"github.com/shieldwall/shieldwall"
)

// Risk levels, from the overall residual score on the 5×5 matrix.
const (
	LevelLow      = "low"      // 1–4
	LevelMedium   = "medium"   // 5–9
	LevelHigh     = "high"     // 10–16
	LevelCritical = "critical" // 20–25
)

// Levels lists the levels, lowest first.
var Levels = []string{LevelLow, LevelMedium, LevelHigh, LevelCritical}

// LevelOf names the band a likelihood × impact score falls in.
func LevelOf(score int) string {
	switch {
	case score >= 20:
		return LevelCritical
	case score >= 10:
		return LevelHigh
	case score >= 5:
		return LevelMedium
	}
	return LevelLow
}

// OverallImpact rolls the departmental impacts up into the risk's one
// impact: the worst of them, because a risk is as grave as the harm to the
// department it hurts most (averaging would let a catastrophe for Finance
// hide behind four departments barely touched). A risk nobody has written
// departmental impacts for keeps its own residual impact.
func OverallImpact(residualImpact int, impacts []shieldwall.RiskImpact) int {
	if len(impacts) == 0 {
		return residualImpact
	}
	worst := 0
	for _, im := range impacts {
		worst = max(worst, im.Score)
	}
	return worst
}

// Score computes r.Score and r.Level from its residual likelihood and the
// rolled-up impact.
func Score(r *shieldwall.Risk) {
	r.Score = r.ResidualLikelihood * OverallImpact(r.ResidualImpact, r.Impacts)
	r.Level = LevelOf(r.Score)
}

// DepartmentScore is the risk's score in one department's terms: the
// residual likelihood times that department's impact; ok is false when the
// risk has no impact for the department.
func DepartmentScore(r shieldwall.Risk, departmentID string) (score int, ok bool) {
	for _, im := range r.Impacts {
		if im.DepartmentID == departmentID {
			return r.ResidualLikelihood * im.Score, true
		}
	}
	return 0, false
}

// NeedsSignoff reports whether accepting r needs the owner department's
// head and a security lead: only when it is accepted above the appetite.
func NeedsSignoff(r shieldwall.Risk, appetite int) bool {
	return r.Treatment == shieldwall.TreatAccept && r.Score > appetite
}

// Concern is one departmental concern of the shipped taxonomy: the
// department that speaks for it, and the opening of the statement drafted
// for it, which that department then rewrites in its own words.
type Concern struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	Department string `json:"department"` // matched to a department by name, case-insensitively
	Draft      string `json:"draft"`
}

// Concerns is the taxonomy of departmental concerns that ships with the product.
var Concerns = []Concern{
	{"employee-data", "Employee data", "HR", "Employee data exposed: whose, how many people, and which data (salary, health, reviews)?"},
	{"fraud-loss", "Fraud and loss", "Finance", "Money lost or sent to a criminal: which payments, up to what amount?"},
	{"client-trust", "Client trust", "Sales", "Clients lose trust: which accounts, what revenue is at stake?"},
	{"brand", "Brand", "Marketing", "Our name in the news or on social media: how visible, for how long?"},
	{"regulatory", "Regulatory exposure", "Legal", "Regulators and contracts: which notifications, fines or breached clauses?"},
	{"operations-downtime", "Operations downtime", "Operations", "Work stops: which services, for how long, with what knock-on effects?"},
}

// ConcernByKey returns the concern with key k.
func ConcernByKey(k string) (Concern, bool) {
	for _, c := range Concerns {
		if c.Key == k {
			return c, true
		}
	}
	return Concern{}, false
}

// Categories maps each shipped risk category to the concerns it usually
// raises; an impact is drafted for each when the risk is created.
var Categories = map[string][]string{
	"data-breach":      {"employee-data", "client-trust", "regulatory", "brand"},
	"payment-fraud":    {"fraud-loss", "regulatory"},
	"account-takeover": {"fraud-loss", "client-trust", "operations-downtime"},
	"ransomware":       {"operations-downtime", "fraud-loss", "client-trust", "regulatory"},
	"third-party":      {"operations-downtime", "regulatory", "client-trust"},
	"insider":          {"employee-data", "fraud-loss", "regulatory"},
	"reputation":       {"brand", "client-trust"},
	"compliance":       {"regulatory"},
	"other":            nil,
}

// CategoryNames lists the shipped categories in a stable order for forms.
var CategoryNames = []string{"data-breach", "payment-fraud", "account-takeover", "ransomware", "third-party", "insider", "reputation", "compliance", "other"}

// DraftConcerns returns the concern keys to draft impacts for: those of
// the category, then the extra ones asked for, each once, unknown ones
// refused.
func DraftConcerns(category string, extra []string) ([]Concern, error) {
	var out []Concern
	seen := map[string]bool{}
	add := func(k string) error {
		k = strings.TrimSpace(strings.ToLower(k))
		if seen[k] {
			return nil
		}
		c, ok := ConcernByKey(k)
		if !ok {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "concerns", "%q is not a concern; use one of employee-data, fraud-loss, client-trust, brand, regulatory, operations-downtime.", k)
		}
		seen[k] = true
		out = append(out, c)
		return nil
	}
	for _, k := range Categories[category] {
		if err := add(k); err != nil {
			return nil, err
		}
	}
	for _, k := range extra {
		if err := add(k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// HeatCell is one cell of the 5×5 heat map.
type HeatCell struct {
	Likelihood int    `json:"likelihood"`
	Impact     int    `json:"impact"`
	Count      int    `json:"count"`
	Level      string `json:"level"`
}

// HeatMap counts risks per residual likelihood and impact. With a
// department, each risk is placed by that department's own impact and
// risks that do not touch it are left out; without one, by the overall
// rolled-up impact. Rows run from impact 5 down to 1, as drawn.
func HeatMap(risks []shieldwall.Risk, departmentID string) [5][5]HeatCell {
	var m [5][5]HeatCell
	for row := 0; row < 5; row++ {
		for col := 0; col < 5; col++ {
			imp, lik := 5-row, col+1
			m[row][col] = HeatCell{Likelihood: lik, Impact: imp, Level: LevelOf(lik * imp)}
		}
	}
	for _, r := range risks {
		imp := OverallImpact(r.ResidualImpact, r.Impacts)
		if departmentID != "" {
			s, ok := DepartmentScore(r, departmentID)
			if !ok {
				if r.OwnerDepartmentID != departmentID {
					continue
				}
			} else {
				imp = s / r.ResidualLikelihood
			}
		}
		if r.ResidualLikelihood < 1 || r.ResidualLikelihood > 5 || imp < 1 || imp > 5 {
			continue
		}
		m[5-imp][r.ResidualLikelihood-1].Count++
	}
	return m
}
