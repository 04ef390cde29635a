package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestReportShape pins the fields clients rely on: one report always
// carries indicators and signals (empty lists included); lists leave the
// per-report details out.
func TestReportShape(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		srv := server.New(st, slog.New(slog.DiscardHandler))
		defer srv.Close()
		ts := httptest.NewServer(srv.Handler)
		defer ts.Close()
		sys := shieldwall.SystemActor("test")
		if _, err := srv.Accounts.CreateUser(ctx, sys, shieldwall.UserInput{Email: "sec@example.com", Name: "Sec", Role: shieldwall.RoleSecurity, Department: "Security"},
			accounts.CreateUserOptions{CreateDepartment: true}); err != nil {
			t.Fatal(err)
		}
		token, _, err := srv.Accounts.CreateToken(ctx, sys, "sec@example.com", "t")
		if err != nil {
			t.Fatal(err)
		}
		call := func(method, path, body string) map[string]any {
			t.Helper()
			req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var out map[string]any
			if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode >= 300 {
				t.Fatalf("%s %s = %d %s", method, path, resp.StatusCode, b)
			}
			return out
		}
		created := call("POST", "/api/v1/reports", `{"kind":"lost-device","title":"Phone gone"}`)
		one := call("GET", "/api/v1/reports/"+created["id"].(string), "")
		for _, k := range []string{"id", "created_at", "indicators", "signals", "attachments", "messages"} {
			if _, ok := one[k]; !ok {
				t.Errorf("GET /api/v1/reports/{id} lacks %q: %v", k, one)
			}
		}
		list := call("GET", "/api/v1/reports", "")
		items := list["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("list has %d items; want 1", len(items))
		}
		if _, ok := items[0].(map[string]any)["indicators"]; ok {
			t.Errorf("list items carry indicators; want them left out of lists")
		}
	})
}
