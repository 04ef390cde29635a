package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/shieldwall/shieldwall"
)

// MaxJSONBody is the largest JSON body a route accepts unless it says otherwise.
const MaxJSONBody = 1 << 20

// DecodeJSON reads one JSON object from the body into v: at most MaxJSONBody
// bytes, no unknown fields, nothing after it. Errors say what is wrong in
// terms of the input, never of the Go types.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return shieldwall.Errorf(shieldwall.EINVALID, "The body must be JSON (Content-Type: application/json).")
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxJSONBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return jsonError(err)
		}
		return shieldwall.Errorf(shieldwall.EINVALID, "The body must hold exactly one JSON object.")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return shieldwall.Errorf(shieldwall.ETOOLARGE, "The body is larger than %d bytes.", mbe.Limit)
	case errors.Is(err, io.EOF):
		return shieldwall.Errorf(shieldwall.EINVALID, "The body is empty; send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return shieldwall.Errorf(shieldwall.EINVALID, "The JSON body ends too early.")
	case errors.As(err, &syn):
		return shieldwall.Errorf(shieldwall.EINVALID, "The body is not valid JSON (at byte %d).", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return shieldwall.FieldErrorf(shieldwall.EINVALID, typ.Field, "Field %q must be %s, not %s.", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return shieldwall.Errorf(shieldwall.EINVALID, "The body must be a JSON object, not %s.", typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return shieldwall.FieldErrorf(shieldwall.EINVALID, name, "Unknown field %q.", name)
	}
	return shieldwall.Errorf(shieldwall.EINVALID, "The body is not valid JSON.")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "ptr":
		return "a value"
	}
	return "a number"
}

// PageFrom reads limit and offset from the query string.
func PageFrom(r *http.Request) (shieldwall.Page, error) {
	var p shieldwall.Page
	q := r.URL.Query()
	for _, f := range []struct {
		name string
		dst  *int
	}{{"limit", &p.Limit}, {"offset", &p.Offset}} {
		s := q.Get(f.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, shieldwall.FieldErrorf(shieldwall.EINVALID, f.name, "%s must be a whole number of 0 or more.", f.name)
		}
		*f.dst = n
	}
	if p.Limit > shieldwall.MaxLimit {
		return p, shieldwall.FieldErrorf(shieldwall.EINVALID, "limit", "limit must be at most %d.", shieldwall.MaxLimit)
	}
	if p.Limit == 0 && q.Get("limit") != "" {
		return p, shieldwall.FieldErrorf(shieldwall.EINVALID, "limit", "limit must be at least 1.")
	}
	return p.Normalize(), nil
}

// PathValue returns a path wildcard, refusing absurd values early.
func PathValue(r *http.Request, name string) (string, error) {
	v := r.PathValue(name)
	if v == "" || len(v) > 200 {
		return "", shieldwall.Errorf(shieldwall.ENOTFOUND, "Not found.")
	}
	return v, nil
}
