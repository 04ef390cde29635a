package httpx_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

// input is a request body with the kinds of fields the API decodes.
type input struct {
	Name   string   `json:"name"`
	Count  int      `json:"count"`
	Active *bool    `json:"active"`
	Tags   []string `json:"tags"`
	Inner  struct {
		Level int `json:"level"`
	} `json:"inner"`
}

// decode runs DecodeJSON over body sent with contentType ("" for none).
func decode(body, contentType string) (input, error) {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/things", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	var in input
	err := httpx.DecodeJSON(httptest.NewRecorder(), r, &in)
	return in, err
}

// shieldwallError returns err as a *shieldwall.Error, or fails the test.
func shieldwallError(t *testing.T, err error) *shieldwall.Error {
	t.Helper()
	var e *shieldwall.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %#v; want a *shieldwall.Error", err)
	}
	return e
}

func TestDecodeJSON(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		in, err := decode(`{"name":"Finance","count":3,"active":true,"tags":["a"],"inner":{"level":2}}`+"\n", "application/json; charset=utf-8")
		if err != nil {
			t.Fatalf("DecodeJSON() = %v; want nil", err)
		}
		if in.Name != "Finance" || in.Count != 3 || in.Active == nil || !*in.Active || len(in.Tags) != 1 || in.Inner.Level != 2 {
			t.Errorf("decoded %+v; want every field set", in)
		}
	})
	t.Run("OKWithoutContentType", func(t *testing.T) {
		if _, err := decode(`{"name":"x"}`, ""); err != nil {
			t.Errorf("DecodeJSON(no Content-Type) = %v; want nil", err)
		}
	})
	t.Run("OKProblemPlusJSON", func(t *testing.T) {
		if _, err := decode(`{"name":"x"}`, "application/merge-patch+json"); err != nil {
			t.Errorf("DecodeJSON(+json) = %v; want nil", err)
		}
	})

	for _, tc := range []struct {
		name, body, contentType string
		code, field             string
		detail                  []string // each must appear in the message
	}{
		{name: "ErrUnknownField", body: `{"name":"x","colour":"red"}`,
			code: shieldwall.EINVALID, field: "colour", detail: []string{`"colour"`, "Unknown field"}},
		{name: "ErrTrailingData", body: `{"name":"x"} {"name":"y"}`,
			code: shieldwall.EINVALID, detail: []string{"exactly one JSON object"}},
		{name: "ErrTrailingGarbage", body: `{"name":"x"}}`,
			code: shieldwall.EINVALID, detail: []string{"exactly one JSON object"}},
		{name: "ErrWrongTypeString", body: `{"name":42}`,
			code: shieldwall.EINVALID, field: "name", detail: []string{`"name"`, "a string", "number"}},
		{name: "ErrWrongTypeNumber", body: `{"count":"three"}`,
			code: shieldwall.EINVALID, field: "count", detail: []string{`"count"`, "a number", "string"}},
		{name: "ErrWrongTypeBool", body: `{"active":"yes"}`,
			code: shieldwall.EINVALID, field: "active", detail: []string{`"active"`, "true or false"}},
		{name: "ErrWrongTypeArray", body: `{"tags":"a"}`,
			code: shieldwall.EINVALID, field: "tags", detail: []string{`"tags"`, "an array"}},
		{name: "ErrWrongTypeNested", body: `{"inner":{"level":"high"}}`,
			code: shieldwall.EINVALID, field: "inner.level", detail: []string{`"inner.level"`, "a number"}},
		{name: "ErrNumberTooBig", body: `{"count":1e400}`,
			code: shieldwall.EINVALID, field: "count", detail: []string{`"count"`}},
		{name: "ErrNotAnObject", body: `["name"]`,
			code: shieldwall.EINVALID, detail: []string{"a JSON object", "array"}},
		{name: "ErrBareString", body: `"name"`,
			code: shieldwall.EINVALID, detail: []string{"a JSON object", "string"}},
		{name: "ErrEmptyBody", body: ``,
			code: shieldwall.EINVALID, detail: []string{"empty"}},
		{name: "ErrWhitespaceBody", body: " \n\t ",
			code: shieldwall.EINVALID, detail: []string{"empty"}},
		{name: "ErrTruncated", body: `{"name":"x`,
			code: shieldwall.EINVALID, detail: []string{"ends too early"}},
		{name: "ErrSyntax", body: `{"name":'x'}`,
			code: shieldwall.EINVALID, detail: []string{"not valid JSON", "byte 9"}},
		{name: "ErrNotJSONContentType", body: `{"name":"x"}`, contentType: "text/plain",
			code: shieldwall.EINVALID, detail: []string{"Content-Type: application/json"}},
		{name: "ErrFormContentType", body: `name=x`, contentType: "application/x-www-form-urlencoded",
			code: shieldwall.EINVALID, detail: []string{"must be JSON"}},
		{name: "ErrBadContentType", body: `{"name":"x"}`, contentType: "application/json; =",
			code: shieldwall.EINVALID, detail: []string{"must be JSON"}},
		{name: "ErrTooLarge", body: `{"name":"` + strings.Repeat("a", httpx.MaxJSONBody) + `"}`,
			code: shieldwall.ETOOLARGE, detail: []string{"larger than 1048576 bytes"}},
		{name: "ErrTooLargeAfterObject", body: `{"name":"x"}` + strings.Repeat(" ", httpx.MaxJSONBody),
			code: shieldwall.ETOOLARGE, detail: []string{"larger than"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decode(tc.body, tc.contentType)
			if err == nil {
				t.Fatalf("DecodeJSON(%.60q) = nil; want an error", tc.body)
			}
			e := shieldwallError(t, err)
			if e.Code != tc.code {
				t.Errorf("code = %q; want %q (message %q)", e.Code, tc.code, e.Message)
			}
			if e.Field != tc.field {
				t.Errorf("field = %q; want %q", e.Field, tc.field)
			}
			for _, want := range tc.detail {
				if !strings.Contains(e.Message, want) {
					t.Errorf("message = %q; want it to contain %q", e.Message, want)
				}
			}
			// Messages speak of the input, never of Go.
			for _, leak := range []string{"Go struct", "Go value", "httpx_test", "input", "json:"} {
				if strings.Contains(e.Message, leak) {
					t.Errorf("message = %q; it mentions %q", e.Message, leak)
				}
			}
		})
	}
}

func TestDecodeJSONExactlyAtLimit(t *testing.T) {
	// MaxJSONBody bytes are allowed; one more is not.
	pad := httpx.MaxJSONBody - len(`{"name":""}`)
	if _, err := decode(`{"name":"`+strings.Repeat("a", pad)+`"}`, "application/json"); err != nil {
		t.Errorf("DecodeJSON(%d bytes) = %v; want nil", httpx.MaxJSONBody, err)
	}
	_, err := decode(`{"name":"`+strings.Repeat("a", pad+1)+`"}`, "application/json")
	if got := shieldwall.ErrorCode(err); got != shieldwall.ETOOLARGE {
		t.Errorf("DecodeJSON(%d bytes) code = %q; want %q", httpx.MaxJSONBody+1, got, shieldwall.ETOOLARGE)
	}
}

// FuzzDecodeJSON sends arbitrary bodies: DecodeJSON must never panic, and
// every error must be a *shieldwall.Error with a client (4xx) code.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"Finance","count":3,"active":true,"tags":["a","b"],"inner":{"level":2}}`,
		`{}`, `null`, `[]`, `""`, `0`, `{"name":null}`, `{"count":-1}`, `{"count":1.5}`, `{"count":1e400}`,
		`{"tags":[1]}`, `{"inner":[]}`, `{"colour":"red"}`, `{"name":"x"}{}`, `{"name":"x"`, `{`, `}`,
		`{"name":"\ud800"}`, "{\"name\":\"\xff\"}", `{"NAME":"x"}`, `{"name":"x","name":"y"}`,
		"\ufeff{}", " ", `{"a":{"b":{"c":[[[[[]]]]]}}}`,
	} {
		f.Add(s, "application/json")
	}
	f.Add(`{}`, "")
	f.Add(`{}`, "text/plain")
	f.Add(`{}`, "application/json; charset=\"")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		var in input
		err := httpx.DecodeJSON(httptest.NewRecorder(), r, &in)
		if err == nil {
			return
		}
		var e *shieldwall.Error
		if !errors.As(err, &e) {
			t.Fatalf("DecodeJSON(%q) = %#v; want a *shieldwall.Error", body, err)
		}
		if s := httpx.Status(err); s < 400 || s > 499 {
			t.Fatalf("DecodeJSON(%q) = %q (%d); want a 4xx code", body, e.Code, s)
		}
		if e.Message == "" {
			t.Fatalf("DecodeJSON(%q) gave an empty message", body)
		}
	})
}

func TestPageFrom(t *testing.T) {
	for _, tc := range []struct {
		query         string
		limit, offset int
	}{
		{"", shieldwall.DefaultLimit, 0},
		{"limit=1", 1, 0},
		{"limit=1000", 1000, 0},
		{"offset=20", shieldwall.DefaultLimit, 20},
		{"limit=10&offset=30", 10, 30},
		{"limit=&offset=", shieldwall.DefaultLimit, 0},
		{"q=x", shieldwall.DefaultLimit, 0},
	} {
		t.Run("OK/"+tc.query, func(t *testing.T) {
			p, err := httpx.PageFrom(httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil))
			if err != nil || p.Limit != tc.limit || p.Offset != tc.offset {
				t.Errorf("PageFrom(%q) = %+v, %v; want {Limit:%d Offset:%d}, nil", tc.query, p, err, tc.limit, tc.offset)
			}
		})
	}
	for _, tc := range []struct {
		query, field, detail string
	}{
		{"limit=1001", "limit", "at most 1000"},
		{"limit=abc", "limit", "whole number"},
		{"limit=0", "limit", "at least 1"},
		{"limit=-1", "limit", "whole number"},
		{"limit=1.5", "limit", "whole number"},
		{"limit=99999999999999999999", "limit", "whole number"},
		{"offset=-5", "offset", "whole number"},
		{"offset=x", "offset", "whole number"},
	} {
		t.Run("Err/"+tc.query, func(t *testing.T) {
			_, err := httpx.PageFrom(httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil))
			e := shieldwallError(t, err)
			if e.Code != shieldwall.EINVALID || e.Field != tc.field || !strings.Contains(e.Message, tc.detail) {
				t.Errorf("PageFrom(%q) = {%s %s %q}; want {%s %s …%q…}", tc.query, e.Code, e.Field, e.Message, shieldwall.EINVALID, tc.field, tc.detail)
			}
		})
	}
}

// FuzzPageFrom reads arbitrary query strings: no panic; either a 400 about
// limit or offset, or a page within the limits.
func FuzzPageFrom(f *testing.F) {
	for _, s := range []string{"", "limit=10", "limit=1001", "limit=abc", "offset=-1", "limit=0", "limit=+5",
		"limit=10&limit=20", "offset=9223372036854775807", "limit=%zz", "limit=1;offset=2", "limit=%20%31", "limit=\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = raw
		p, err := httpx.PageFrom(r)
		if err != nil {
			var e *shieldwall.Error
			if !errors.As(err, &e) || e.Code != shieldwall.EINVALID || (e.Field != "limit" && e.Field != "offset") {
				t.Fatalf("PageFrom(%q) = %#v; want an EINVALID error about limit or offset", raw, err)
			}
			return
		}
		if p.Limit < 1 || p.Limit > shieldwall.MaxLimit || p.Offset < 0 {
			t.Fatalf("PageFrom(%q) = %+v; want 1 ≤ Limit ≤ %d and Offset ≥ 0", raw, p, shieldwall.MaxLimit)
		}
		q, _ := url.ParseQuery(raw)
		if q.Get("limit") == "" && p.Limit != shieldwall.DefaultLimit {
			t.Fatalf("PageFrom(%q).Limit = %d; want the default %d", raw, p.Limit, shieldwall.DefaultLimit)
		}
	})
}
