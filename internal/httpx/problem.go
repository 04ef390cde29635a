// Package httpx is the plumbing every HTTP route shares: the route table
// that asks the policy package, authentication, CSRF, JSON decoding with
// limits, RFC 9457 problem responses and security headers.
package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/shieldwall/shieldwall"
)

// statusOf maps each error code to its HTTP status; the one table for the API.
var statusOf = map[string]int{
	shieldwall.ECONFLICT:     http.StatusConflict,
	shieldwall.EINTERNAL:     http.StatusInternalServerError,
	shieldwall.EINVALID:      http.StatusBadRequest,
	shieldwall.ENOTFOUND:     http.StatusNotFound,
	shieldwall.EUNAUTHORIZED: http.StatusUnauthorized,
	shieldwall.EFORBIDDEN:    http.StatusForbidden,
	shieldwall.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	shieldwall.ERATELIMITED:  http.StatusTooManyRequests,
	shieldwall.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// titles are the short, fixed problem titles per code.
var titles = map[string]string{
	shieldwall.ECONFLICT:     "Conflict",
	shieldwall.EINTERNAL:     "Internal error",
	shieldwall.EINVALID:      "Invalid request",
	shieldwall.ENOTFOUND:     "Not found",
	shieldwall.EUNAUTHORIZED: "Sign-in required",
	shieldwall.EFORBIDDEN:    "Forbidden",
	shieldwall.ETOOLARGE:     "Request too large",
	shieldwall.ERATELIMITED:  "Too many requests",
	shieldwall.EUNAVAILABLE:  "Service unavailable",
}

// Status returns the HTTP status for err.
func Status(err error) int {
	if s, ok := statusOf[shieldwall.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem details object. Code is our stable,
// machine-readable extension member; Field names the input at fault.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// ProblemFor builds the problem for err. Internal errors are logged in full
// and shown only as a generic message.
func ProblemFor(r *http.Request, err error) Problem {
	code := shieldwall.ErrorCode(err)
	if code == shieldwall.EINTERNAL {
		slog.ErrorContext(r.Context(), "internal error", "method", r.Method, "pattern", r.Pattern, "err", err)
	}
	return Problem{
		Type:     "https://shieldwall.dev/problems/" + code,
		Title:    titles[code],
		Status:   Status(err),
		Detail:   shieldwall.ErrorMessage(err),
		Code:     code,
		Field:    shieldwall.ErrorField(err),
		Instance: r.URL.Path,
	}
}

// WriteProblem answers with err as application/problem+json.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemFor(r, err)
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="shieldwall"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// WriteJSON answers with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// List is the envelope of every list answer.
type List[T any] struct {
	Items      []T  `json:"items"`
	Total      int  `json:"total"`
	Limit      int  `json:"limit"`
	Offset     int  `json:"offset"`
	NextOffset *int `json:"next_offset"` // null on the last page
}

// NewList wraps one page of items.
func NewList[T any](items []T, total int, p shieldwall.Page) List[T] {
	p = p.Normalize()
	l := List[T]{Items: items, Total: total, Limit: p.Limit, Offset: p.Offset}
	if items == nil {
		l.Items = []T{}
	}
	if next := p.Offset + len(items); next < total {
		l.NextOffset = &next
	}
	return l
}

// IsClientError reports whether err is the caller's fault (4xx).
func IsClientError(err error) bool {
	var e *shieldwall.Error
	return errors.As(err, &e) && e.Code != shieldwall.EINTERNAL
}
