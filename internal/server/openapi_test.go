package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall/internal/api"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestOpenAPIMatchesRoutes keeps the served OpenAPI document true: it must
// describe exactly the /api/v1 routes the server registers.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	st := testdb.Open(t, "sqlite")
	srv := server.New(st, slog.New(slog.DiscardHandler))
	ts := httptest.NewServer(srv.Handler)
	defer ts.Close()

	resp, err := http.Get(ts.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: status %d; want 200", resp.StatusCode)
	}
	body, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if v := doc["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v; want 3.1.0", v)
	}
	var served []string
	for _, r := range srv.Router.Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			if r.Kind != httpx.KindAPI {
				t.Errorf("%s is under /api/v1 but is not an API route", r.Pattern)
			}
			served = append(served, r.Method+" "+r.Path)
		}
	}
	sort.Strings(served)
	documented := api.Paths(doc)
	if strings.Join(served, "\n") != strings.Join(documented, "\n") {
		t.Errorf("OpenAPI paths differ from routes:\nserved:\n  %s\ndocumented:\n  %s",
			strings.Join(served, "\n  "), strings.Join(documented, "\n  "))
	}
	// Every $ref must resolve, or client generators fail.
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, ref := range findRefs(doc) {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if _, ok := schemas[name]; !ok {
			t.Errorf("unresolved $ref %s", ref)
		}
	}
}

func findRefs(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				out = append(out, s)
			}
			out = append(out, findRefs(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, findRefs(e)...)
		}
	}
	return out
}
