package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestGovernSettingsPage: an administrator changes the appetite and the
// finance threshold through the page; a refused value comes back beside
// its field as typed and changes nothing; the security team, which may
// not change them, neither sees the link nor reaches the page.
func TestGovernSettingsPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Security", "")
		a.mustUser("admin@example.com", "Ada Admin", shieldwall.RoleAdmin, "Security", testPassword)
		a.mustUser("sec@example.com", "Sam Security", shieldwall.RoleSecurity, "Security", testPassword)
		gv := govern.New(st)

		admin := a.signedIn("admin@example.com")
		risks := admin.get("/risks")
		wantStatus(t, risks, http.StatusOK)
		wantBody(t, risks, `href="/governance/settings"`)
		page := admin.get("/governance/settings")
		wantStatus(t, page, http.StatusOK)
		wantBody(t, page, "need sign-off from the owning department’s head and security", `name="risk_appetite"`, `value="9"`, `value="10000"`)

		for _, tc := range []struct {
			name, appetite, cost, field string
		}{
			{"ErrAppetiteNotANumber", "twelve", "5000", "risk_appetite"},
			{"ErrAppetiteTooHigh", "26", "5000", "risk_appetite"},
			{"ErrCostNegative", "12", "-1", "finance_review_cost"},
			{"ErrCostNotANumber", "12", "a lot", "finance_review_cost"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := admin.postForm("/governance/settings", "/governance/settings", url.Values{"risk_appetite": {tc.appetite}, "finance_review_cost": {tc.cost}})
				wantStatus(t, r, http.StatusBadRequest)
				if fieldError(r.body, tc.field) == "" {
					t.Errorf("no error beside %s:\n%s", tc.field, excerpt(mainOf(r.body)))
				}
				wantBody(t, r, `value="`+tc.appetite+`"`, `value="`+tc.cost+`"`)
				if got := gv.Appetite(t.Context()); got != govern.DefaultRiskAppetite {
					t.Errorf("a refused form changed the appetite to %d", got)
				}
			})
		}

		r := admin.postForm("/governance/settings", "/governance/settings", url.Values{"risk_appetite": {" 12 "}, "finance_review_cost": {"25,000"}})
		wantLocation(t, r, "/governance/settings?notice=settings-saved")
		if got := gv.Appetite(t.Context()); got != 12 {
			t.Errorf("appetite %d after saving 12", got)
		}
		if got := gv.FinanceReviewCost(t.Context()); got != 25000 {
			t.Errorf("finance review cost %d after saving 25,000", got)
		}
		wantBody(t, admin.get("/risks"), `<span id="risk-appetite">12</span>`)
		events, _, err := st.ListAudit(t.Context(), shieldwall.AuditFilter{ObjectType: "settings", ObjectID: "govern"})
		if err != nil || len(events) != 1 || events[0].Action != "govern.settings" {
			t.Errorf("audit events for the change: %+v, %v; want one govern.settings", events, err)
		}

		sec := a.signedIn("sec@example.com")
		wantNoBody(t, sec.get("/risks"), `href="/governance/settings"`)
		wantStatus(t, sec.get("/governance/settings"), http.StatusForbidden)
		wantStatus(t, sec.postForm("/risks", "/governance/settings", url.Values{"risk_appetite": {"25"}, "finance_review_cost": {"0"}}), http.StatusForbidden)
		if got := gv.Appetite(t.Context()); got != 12 {
			t.Errorf("the security team's post changed the appetite to %d", got)
		}
	})
}
