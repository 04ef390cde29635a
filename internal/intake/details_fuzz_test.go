package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"unicode/utf8"

	"github.com/shieldwall/shieldwall"
)

// referenceDetails is the straightforward way to check and normalise
// details — decode into map[string]any, check, encode again — which
// normaliseDetails must match without its cost.
func referenceDetails(kind shieldwall.ReportKind, raw []byte) ([]byte, error) {
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, errDetailsNotObject
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowedDetails[kind][k] {
			return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "details."+k, "A %s report has no detail %q.", kind, k)
		}
		switch v := obj[k].(type) {
		case string:
			if utf8.RuneCountInString(v) > maxDetailText(k) {
				return nil, detailTooLong(k)
			}
		case float64, bool, nil:
		default:
			return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "details."+k, "%q must be text, a number or true/false.", k)
		}
	}
	return json.Marshal(obj)
}

// FuzzNormaliseDetails holds normaliseDetails to the reference: the same
// bytes for every accepted input, and a refusal, with the same code and
// the field's name when the reference names one, for every refused one.
// (For input the reference refuses as a whole, such as a number too large
// for a float64 beside an unknown key, the message may name another cause.)
func FuzzNormaliseDetails(f *testing.F) {
	for _, seed := range []string{
		`{"amount":48250,"currency":"EUR","payee":"Nordic Parts AB","what_changed":"new IBAN","paid":false}`,
		`{ "paid" : true , "amount" : 1.50, "currency":"\u20ac", "payee":"<b>&co</b>" }`,
		`{"amount":-0,"payee":"a\u2028b","currency":"x\ny","what_changed":null}`,
		`{"amount":12345678901234567890,"paid":false,"paid":true}`,
		`{"amount":1e400}`, `{"amount":007}`, `{"amount":0}`, `{"amount":-12}`, `{"amount":1E2}`,
		`{"payee":{"nested":1}}`, `{"payee":[1,2]}`, `{"unknown":1}`, `{"zzz":1,"payee":{}}`,
		`null`, `[]`, `"text"`, `{}`, `{"payee":"x"} trailing`, "{\"payee\":\"\xff\xfe\"}",
		`{"pa\u0079ee":"escaped key"}`, `{"payee":"` + string(bytes.Repeat([]byte("é"), 2001)) + `"}`,
	} {
		f.Add(string(shieldwall.KindPaymentFraud), seed)
	}
	f.Add(string(shieldwall.KindPhishing), `{"pasted_email":"From: a@b.example\r\nSubject: hi\r\n\r\nbody","clicked":false}`)
	f.Fuzz(func(t *testing.T, kind, raw string) {
		k := shieldwall.ReportKind(kind)
		if !k.Valid() || len(raw) == 0 || len(raw) > MaxDetails {
			return
		}
		want, wantErr := referenceDetails(k, []byte(raw))
		got, err := normaliseDetails(k, json.RawMessage(raw))
		if wantErr == nil {
			if err != nil {
				t.Fatalf("normaliseDetails(%q) refused: %v; the reference accepts it as %s", raw, err, want)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("normaliseDetails(%q) = %s; want %s", raw, got, want)
			}
			return
		}
		if err == nil {
			t.Fatalf("normaliseDetails(%q) = %s; the reference refuses it: %v", raw, got, wantErr)
		}
		var we, ge *shieldwall.Error
		if !errors.As(wantErr, &we) || !errors.As(err, &ge) || ge.Code != we.Code {
			t.Fatalf("normaliseDetails(%q) error %v; want one like %v", raw, err, wantErr)
		}
		if we != errDetailsNotObject && (ge.Field != we.Field || ge.Message != we.Message) {
			t.Fatalf("normaliseDetails(%q) error %q on %q; want %q on %q", raw, ge.Message, ge.Field, we.Message, we.Field)
		}
	})
}
