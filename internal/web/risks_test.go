package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestRiskPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		for _, d := range []string{"Security", "Finance", "HR", "Legal", "IT"} {
			a.mustDepartment(d, "")
		}
		sec := a.mustUser("sec@example.com", "Sam Security", shieldwall.RoleSecurity, "Security", "")
		a.mustUser("fin@example.com", "Fay Finance", shieldwall.RoleChampion, "Finance", testPassword)
		gv := govern.New(st)
		s := func(v string) *string { return &v }
		n := func(v int) *int { return &v }
		fraud, err := gv.CreateRisk(t.Context(), actorOf(sec), shieldwall.RiskInput{Title: s("Fake supplier bank change"), Category: s("payment-fraud"),
			OwnerDepartment: s("Finance"), InherentLikelihood: n(4), InherentImpact: n(3)})
		if err != nil {
			t.Fatal(err)
		}
		itRisk, err := gv.CreateRisk(t.Context(), actorOf(sec), shieldwall.RiskInput{Title: s("Unpatched VPN gateway"), Category: s("other"),
			OwnerDepartment: s("IT"), InherentLikelihood: n(2), InherentImpact: n(2)})
		if err != nil {
			t.Fatal(err)
		}

		c := a.client()
		c.signIn("fin@example.com", testPassword)

		t.Run("FinanceSeesItsSlice", func(t *testing.T) {
			r := c.get("/risks")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "Fake supplier bank change", `role="img"`, "Finance&#39;s risks", "For Finance", "Money lost or sent to a criminal")
			wantNoBody(t, r, "Unpatched VPN gateway")
			wantStatus(t, c.get("/risks/"+itRisk.ID), http.StatusNotFound)
		})

		t.Run("ChampionRewritesImpact", func(t *testing.T) {
			page := "/risks/" + fraud.ID
			var finID string
			for _, im := range fraud.Impacts {
				if im.DepartmentName == "Finance" {
					finID = im.DepartmentID
				}
			}
			r := c.postForm(page, page+"/impacts", url.Values{"department": {finID}, "statement": {"A supplier payment of up to €250k sent to a criminal account"}, "score": {"5"}})
			wantLocation(t, r, page+"?notice=impact-saved")
			r = c.get(page)
			wantBody(t, r, "up to €250k", "impact 5 of 5")
			if !strings.Contains(r.body, "critical") && !strings.Contains(r.body, "high") {
				t.Errorf("the level did not roll up from Finance's impact 5: %s", excerpt(mainOf(r.body)))
			}
		})

		t.Run("LinksControls", func(t *testing.T) {
			ctl, err := gv.CreateControl(t.Context(), actorOf(sec), shieldwall.ControlInput{Title: s("Call-back rule"), OwnerDepartment: s("Finance")})
			if err != nil {
				t.Fatal(err)
			}
			page := "/risks/" + fraud.ID
			r := c.postForm(page, page, url.Values{"title": {"Fake supplier bank change"}, "treatment": {"mitigate"}, "controls_shown": {"1"}, "control_ids": {ctl.ID}})
			wantLocation(t, r, page+"?notice=risk-updated")
			wantBody(t, c.get(page), `<a href="/controls/`+ctl.ID+`">Call-back rule (Finance)</a>`)
		})

		t.Run("ErrScoreKeepsWhatWasTyped", func(t *testing.T) {
			page := "/risks/" + fraud.ID
			r := c.postForm(page, page, url.Values{"title": {"Fake supplier bank change"}, "residual_likelihood": {"9"}, "treatment": {"mitigate"}, "treatment_plan": {"call back on a known number"}})
			wantStatus(t, r, http.StatusBadRequest)
			wantBody(t, r, "between 1 and 5", "call back on a known number")
		})
	})
}
