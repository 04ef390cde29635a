package intake

import (
	"sort"
	"unicode/utf8"

	"github.com/shieldwall/shieldwall"
)

// DetailField is one kind-specific question of the report form.
type DetailField struct {
	Name  string // the JSON key in details
	Label string // the question, in plain words
	Type  string // text, longtext, number, datetime, yesno, select
	// Options lists the answers of a select.
	Options []string
}

// DetailFields are the few extra questions each kind asks; the form shows
// them and validation accepts only them.
var DetailFields = map[shieldwall.ReportKind][]DetailField{
	shieldwall.KindPhishing: {
		{Name: "pasted_email", Label: "Paste the email here (or attach it as an .eml file)", Type: "longtext"},
		{Name: "clicked", Label: "Did you click a link, open an attachment or reply?", Type: "yesno"},
	},
	shieldwall.KindPaymentFraud: {
		{Name: "amount", Label: "Amount", Type: "number"},
		{Name: "currency", Label: "Currency", Type: "text"},
		{Name: "payee", Label: "Who is to be paid", Type: "text"},
		{Name: "what_changed", Label: "What changed (for example new bank details)", Type: "text"},
		{Name: "paid", Label: "Has anything been paid already?", Type: "yesno"},
	},
	shieldwall.KindSuspiciousBehaviour: {
		{Name: "where", Label: "Where did it happen", Type: "text"},
		{Name: "when", Label: "When", Type: "datetime"},
	},
	shieldwall.KindLostDevice: {
		{Name: "device_type", Label: "What device", Type: "select", Options: []string{"laptop", "phone", "tablet", "USB stick", "badge", "other"}},
		{Name: "when", Label: "When did you last have it", Type: "datetime"},
		{Name: "where", Label: "Where", Type: "text"},
		{Name: "data", Label: "What data was on it", Type: "text"},
	},
	shieldwall.KindShadowIT: {
		{Name: "app_name", Label: "Name of the app or service", Type: "text"},
		{Name: "used_for", Label: "What it is used for", Type: "text"},
		{Name: "url", Label: "Its web address, if you know it", Type: "text"},
	},
	shieldwall.KindDataExposure: {
		{Name: "what_data", Label: "What data", Type: "text"},
		{Name: "how_many", Label: "About how many people or records", Type: "number"},
		{Name: "where", Label: "Where it was exposed (sent to, posted on …)", Type: "text"},
	},
	shieldwall.KindMistake: {
		{Name: "when", Label: "When", Type: "datetime"},
	},
	shieldwall.KindOther: nil,
}

// maxDetailText bounds one answer; the pasted email may be long.
func maxDetailText(name string) int {
	if name == "pasted_email" {
		return 512 << 10
	}
	return 2000
}

// checkDetails accepts only the kind's own questions, each a short string,
// a number or true/false.
func checkDetails(kind shieldwall.ReportKind, obj map[string]any) error {
	allowed := allowedDetails[kind]
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowed[k] {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "details."+k, "A %s report has no detail %q.", kind, k)
		}
		switch v := obj[k].(type) {
		case string:
			if utf8.RuneCountInString(v) > maxDetailText(k) {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "details."+k, "%q must be at most %d characters.", k, maxDetailText(k))
			}
		case float64, bool, nil:
		default:
			return shieldwall.FieldErrorf(shieldwall.EINVALID, "details."+k, "%q must be text, a number or true/false.", k)
		}
	}
	return nil
}

// allowedDetails is DetailFields as a set per kind, built once rather than
// for every report filed.
var allowedDetails = func() map[shieldwall.ReportKind]map[string]bool {
	m := map[shieldwall.ReportKind]map[string]bool{}
	for kind, fields := range DetailFields {
		m[kind] = map[string]bool{}
		for _, f := range fields {
			m[kind][f.Name] = true
		}
	}
	return m
}()
