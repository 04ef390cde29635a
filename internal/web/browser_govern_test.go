package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestBrowserRiskHeatMap opens the register as a Finance champion in a real
// browser: the server-rendered heat map shows Finance's slice, and the
// register, a risk's page and the committee page pass axe-core.
func TestBrowserRiskHeatMap(t *testing.T) {
	chromiumPath(t)
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			st := testdb.Open(t, dialect)
			a := newApp(t, st)
			for _, d := range []string{"Security", "Finance", "Legal", "IT"} {
				a.mustDepartment(d, "")
			}
			sec := a.mustUser("sec@example.com", "Sam Security", shieldwall.RoleSecurity, "Security", "")
			a.mustUser("fin@example.com", "Fay Finance", shieldwall.RoleChampion, "Finance", testPassword)
			gv := govern.New(st)
			s := func(v string) *string { return &v }
			n := func(v int) *int { return &v }
			fraud, err := gv.CreateRisk(t.Context(), actorOf(sec), shieldwall.RiskInput{Title: s("Fake supplier bank change"), Category: s("payment-fraud"),
				OwnerDepartment: s("Finance"), InherentLikelihood: n(4), InherentImpact: n(5), ResidualLikelihood: n(3)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := gv.CreateRisk(t.Context(), actorOf(sec), shieldwall.RiskInput{Title: s("Unpatched VPN"), OwnerDepartment: s("IT"), InherentLikelihood: n(2), InherentImpact: n(2)}); err != nil {
				t.Fatal(err)
			}

			b := newBrowser(t)
			b.do("sign in",
				chromedp.Navigate(a.url+"/signin?next=%2Frisks"),
				chromedp.WaitVisible(chromedp.CSS("#f-email")),
				chromedp.SendKeys(chromedp.CSS("#f-email"), "fin@example.com"),
				chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
				chromedp.Click(chromedp.CSS("main form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS(".heatmap svg")),
			)
			label := run(b, "read the heat map's name", chromedp.Evaluate[string](`document.querySelector(".heatmap svg").getAttribute("aria-label")`))
			if !strings.Contains(label, "Finance") || !strings.Contains(label, "1 risks") {
				t.Errorf("heat map named %q; want Finance's slice of 1 risk", label)
			}
			cells := run(b, "count the cells", chromedp.Evaluate[int](`document.querySelectorAll(".heatmap .heat-cell").length`))
			if cells != 25 {
				t.Errorf("%d heat map cells; want 25", cells)
			}
			// Finance's impact is 5 at likelihood 3: row 0, column 2.
			if got := run(b, "read the hot cell", chromedp.Evaluate[string](`document.querySelectorAll(".heatmap .heat-cell")[2].textContent.trim()`)); !strings.HasSuffix(got, "1") {
				t.Errorf("cell (likelihood 3, impact 5) reads %q; want 1", got)
			}
			text := run(b, "read the register", chromedp.Text(chromedp.CSS("main")))
			if strings.Contains(text, "Unpatched VPN") {
				t.Errorf("Finance sees IT's risk")
			}
			b.checkAccessibility("risk register")
			b.do("open the risk", chromedp.Navigate(a.url+"/risks/"+fraud.ID), chromedp.WaitVisible(chromedp.CSS("#impacts-heading")))
			b.checkAccessibility("risk page")
			b.do("turn into a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			b.do("open the register on a phone", chromedp.Navigate(a.url+"/risks"), chromedp.WaitVisible(chromedp.CSS(".heatmap svg")))
			b.checkAccessibility("risk register on a phone")
			b.do("turn back into a laptop", chromedp.EmulateReset())
			for _, p := range []string{"/controls", "/frameworks", "/frameworks/nist-csf-2.0", "/committee", "/project-reviews", "/apps"} {
				b.do("open "+p, chromedp.Navigate(a.url+p), chromedp.WaitVisible(chromedp.CSS("h1")))
				b.checkAccessibility(p)
			}
		})
	}
}
