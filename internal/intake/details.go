package intake

import (
	"encoding/json"
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

// normaliseDetails checks a report's details — only the kind's own
// questions, each a short string, a number or true/false — and returns
// them in one canonical form: compact, keys sorted, each value written as
// encoding/json writes it, so the same answers are always the same bytes.
//
// It reads the object into raw values rather than into map[string]any and
// back: on the path of every report filed, that round trip cost some
// thirty allocations. FuzzNormaliseDetails holds it to the round trip's
// results, errors included.
func normaliseDetails(kind shieldwall.ReportKind, raw json.RawMessage) (json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, errDetailsNotObject
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	allowed := allowedDetails[kind]
	out := make([]byte, 0, len(raw))
	out = append(out, '{')
	for i, k := range keys {
		if !allowed[k] {
			return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "details."+k, "A %s report has no detail %q.", kind, k)
		}
		v, err := canonicalValue(k, obj[k])
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, ',')
		}
		// Allowed keys are plain ASCII names: quoting them needs no escapes.
		out = append(out, '"')
		out = append(out, k...)
		out = append(out, '"', ':')
		out = append(out, v...)
	}
	return append(out, '}'), nil
}

var errDetailsNotObject = shieldwall.FieldErrorf(shieldwall.EINVALID, "details", "The details must be a JSON object.")

// canonicalValue checks one answer and returns it as encoding/json would
// write the value it decodes to. Most answers are written that way
// already and are kept as they came; the rest are decoded and written
// again.
func canonicalValue(key string, v json.RawMessage) ([]byte, error) {
	switch v[0] {
	case '"':
		if inner := v[1 : len(v)-1]; plainJSONString(inner) {
			if utf8.RuneCount(inner) > maxDetailText(key) {
				return nil, detailTooLong(key)
			}
			return v, nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, errDetailsNotObject
		}
		if utf8.RuneCountInString(s) > maxDetailText(key) {
			return nil, detailTooLong(key)
		}
		return json.Marshal(s)
	case 't', 'f', 'n':
		return v, nil // true, false, null: already canonical
	case '{', '[':
		return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "details."+key, "%q must be text, a number or true/false.", key)
	}
	if plainJSONInteger(v) {
		return v, nil
	}
	var f float64
	if err := json.Unmarshal(v, &f); err != nil {
		return nil, errDetailsNotObject // out of float64's range, as the round trip refused it
	}
	return json.Marshal(f)
}

func detailTooLong(key string) error {
	return shieldwall.FieldErrorf(shieldwall.EINVALID, "details."+key, "%q must be at most %d characters.", key, maxDetailText(key))
}

// plainJSONString reports whether the inside of a JSON string literal is
// exactly what encoding/json writes for it: valid UTF-8 with no escapes,
// and none of the characters it escapes (<, >, &, U+2028, U+2029).
func plainJSONString(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c == '\\' || c == '<' || c == '>' || c == '&' || c < 0x20 {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// plainJSONInteger reports whether a JSON number is an integer written as
// encoding/json writes the float64 it decodes to: no sign but minus, no
// leading zero, no fraction or exponent, and few enough digits (15) to be
// exact in a float64.
func plainJSONInteger(b []byte) bool {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 15 || digits[0] == '0' && (len(digits) > 1 || len(b) > 1) {
		return false // "0" alone is plain; "-0" and "007" are not
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
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
