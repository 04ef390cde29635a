package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestReviewAndAppPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Security", "")
		a.mustDepartment("Finance", "")
		a.mustUser("sec@example.com", "Sam Security", shieldwall.RoleSecurity, "Security", testPassword)
		a.mustUser("fin@example.com", "Fay Finance", shieldwall.RoleChampion, "Finance", testPassword)
		a.mustUser("m@example.com", "Mo Member", shieldwall.RoleMember, "Finance", testPassword)

		m := a.client()
		m.signIn("m@example.com", testPassword)
		r := m.postForm("/project-reviews", "/project-reviews", url.Values{"title": {"Spendly"}, "cost": {"lots"}, "data": {"payment-data"}})
		wantStatus(t, r, http.StatusBadRequest)
		if fieldError(r.body, "cost") == "" {
			t.Errorf("no error beside cost")
		}
		wantBody(t, r, `value="payment-data" checked`)
		r = m.postForm("/project-reviews", "/project-reviews", url.Values{"title": {"Spendly"}, "cost": {"4,000"}, "data": {"payment-data"}, "app_name": {"Spendly"}, "departments": {"Finance"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("request: %d %s", r.StatusCode, excerpt(mainOf(r.body)))
		}
		page, _, _ := strings.Cut(r.Header.Get("Location"), "?")

		fin := a.client()
		fin.signIn("fin@example.com", testPassword)
		r = fin.get(page)
		wantBody(t, r, "Finance: waiting", "<dt>Used by</dt><dd>Finance</dd>")
		wantNoBody(t, r, "Security: waiting")
		r = fin.postForm(page, page+"/decisions", url.Values{"duty": {"finance"}, "decision": {"approve"}})
		wantLocation(t, r, page+"?notice=review-decided")

		sec := a.client()
		sec.signIn("sec@example.com", testPassword)
		r = sec.postForm(page, page+"/decisions", url.Values{"duty": {"security"}, "decision": {"reject"}})
		wantStatus(t, r, http.StatusBadRequest)
		r = sec.postForm(page, page+"/decisions", url.Values{"duty": {"security"}, "decision": {"approve"}})
		wantLocation(t, r, page+"?notice=review-decided")
		wantBody(t, m.get(page), "approved")
		wantBody(t, m.get("/apps"), "Spendly", "app-approved")

		r = sec.postForm("/apps", "/apps", url.Values{"name": {"WeTransfer"}, "status": {"banned"}, "alternative": {"OneDrive"}, "reason": {"Public links"}})
		wantLocation(t, r, "/apps?notice=app-saved")
		r = m.postForm("/apps", "/apps/declarations", url.Values{"name": {"wetransfer"}})
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "Please use OneDrive instead")
	})
}
