package httpx_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

func TestStatus(t *testing.T) {
	for code, want := range map[string]int{
		shieldwall.ECONFLICT:     409,
		shieldwall.EINTERNAL:     500,
		shieldwall.EINVALID:      400,
		shieldwall.ENOTFOUND:     404,
		shieldwall.EUNAUTHORIZED: 401,
		shieldwall.EFORBIDDEN:    403,
		shieldwall.ETOOLARGE:     413,
		shieldwall.ERATELIMITED:  429,
		shieldwall.EUNAVAILABLE:  503,
		"made_up":                500,
	} {
		if got := httpx.Status(shieldwall.Errorf(code, "x")); got != want {
			t.Errorf("Status(%s) = %d; want %d", code, got, want)
		}
	}
	if got := httpx.Status(fmt.Errorf("store: boom")); got != 500 {
		t.Errorf("Status(plain error) = %d; want 500", got)
	}
}

// writeProblem runs WriteProblem for err and decodes what it wrote.
func writeProblem(t *testing.T, err error) (*httptest.ResponseRecorder, httpx.Problem) {
	t.Helper()
	w := httptest.NewRecorder()
	httpx.WriteProblem(w, httptest.NewRequest(http.MethodGet, "/api/v1/users?q=secret", nil), err)
	var p httpx.Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q is not JSON: %v", w.Body, err)
	}
	return w, p
}

func TestWriteProblem(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		w, p := writeProblem(t, shieldwall.FieldErrorf(shieldwall.ECONFLICT, "email", "Someone with the email a@example.com already exists."))
		if w.Code != 409 {
			t.Errorf("status = %d; want 409", w.Code)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("Content-Type = %q; want application/problem+json", ct)
		}
		want := httpx.Problem{
			Type: "https://shieldwall.dev/problems/conflict", Title: "Conflict", Status: 409,
			Detail: "Someone with the email a@example.com already exists.", Code: "conflict", Field: "email",
			Instance: "/api/v1/users",
		}
		if p != want {
			t.Errorf("problem = %+v; want %+v", p, want)
		}
	})
	t.Run("InternalErrorsSayNothing", func(t *testing.T) {
		err := fmt.Errorf("store: list users: %w", fmt.Errorf(`SQL logic error: no such column "x" (1) at /work/main/internal/store/users.go:42`))
		w, p := writeProblem(t, err)
		if w.Code != 500 || p.Code != shieldwall.EINTERNAL {
			t.Errorf("status, code = %d, %q; want 500, internal", w.Code, p.Code)
		}
		body := w.Body.String()
		for _, leak := range []string{"SQL", "store:", ".go", "/work/", "column"} {
			if strings.Contains(body, leak) {
				t.Errorf("problem %s contains %q", body, leak)
			}
		}
	})
	t.Run("UnauthorizedAsksForBearer", func(t *testing.T) {
		w, _ := writeProblem(t, shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "Please sign in."))
		if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Errorf("WWW-Authenticate = %q; want a Bearer challenge", got)
		}
	})
	t.Run("NoQueryInInstance", func(t *testing.T) {
		// The query may hold what the caller searched for; the instance is the path only.
		_, p := writeProblem(t, shieldwall.Errorf(shieldwall.ENOTFOUND, "Not found."))
		if strings.Contains(p.Instance, "secret") {
			t.Errorf("instance = %q; want the path without the query", p.Instance)
		}
	})
}

func TestNewList(t *testing.T) {
	intp := func(n int) *int { return &n }
	for _, tc := range []struct {
		name  string
		items []string
		total int
		page  shieldwall.Page
		next  *int
		limit int
	}{
		{"FirstPage", []string{"a", "b"}, 5, shieldwall.Page{Limit: 2}, intp(2), 2},
		{"MiddlePage", []string{"c", "d"}, 5, shieldwall.Page{Limit: 2, Offset: 2}, intp(4), 2},
		{"LastPage", []string{"e"}, 5, shieldwall.Page{Limit: 2, Offset: 4}, nil, 2},
		{"PastTheEnd", nil, 5, shieldwall.Page{Limit: 2, Offset: 10}, nil, 2},
		{"Empty", nil, 0, shieldwall.Page{}, nil, shieldwall.DefaultLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := httpx.NewList(tc.items, tc.total, tc.page)
			if l.Items == nil {
				t.Errorf("Items = nil; want [] so that JSON says [] and not null")
			}
			if l.Total != tc.total || l.Limit != tc.limit || l.Offset != tc.page.Offset {
				t.Errorf("NewList() = total %d limit %d offset %d; want %d %d %d", l.Total, l.Limit, l.Offset, tc.total, tc.limit, tc.page.Offset)
			}
			switch {
			case tc.next == nil && l.NextOffset != nil:
				t.Errorf("NextOffset = %d; want null", *l.NextOffset)
			case tc.next != nil && (l.NextOffset == nil || *l.NextOffset != *tc.next):
				t.Errorf("NextOffset = %v; want %d", l.NextOffset, *tc.next)
			}
			b, _ := json.Marshal(l)
			if !strings.Contains(string(b), `"items":[`) || !strings.Contains(string(b), `"next_offset":`) {
				t.Errorf("JSON = %s; want items as an array and next_offset present", b)
			}
		})
	}
}
