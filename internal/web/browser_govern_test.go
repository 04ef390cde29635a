package web_test

import (
	"strconv"
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

// TestBrowserGovernSettings: an administrator follows the register's link,
// sees a refused appetite beside its field with what they typed, saves a
// good one, and the register states it; a security lead asking for the
// page gets the same refusal as any other page closed to them.
func TestBrowserGovernSettings(t *testing.T) {
	chromiumPath(t)
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			st := testdb.Open(t, dialect)
			a := newApp(t, st)
			a.mustDepartment("Security", "")
			a.mustUser("admin@example.com", "Ada Admin", shieldwall.RoleAdmin, "Security", testPassword)
			a.mustUser("sec@example.com", "Sam Security", shieldwall.RoleSecurity, "Security", testPassword)
			signIn := func(email string) *browser {
				b := newBrowser(t)
				b.do("sign in as "+email,
					chromedp.Navigate(a.url+"/signin?next=%2Frisks"),
					chromedp.WaitVisible(chromedp.CSS("#f-email")),
					chromedp.SendKeys(chromedp.CSS("#f-email"), email),
					chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
					chromedp.Click(chromedp.CSS("main form button[type=submit]")),
					chromedp.WaitVisible(chromedp.CSS("#risk-appetite")),
				)
				return b
			}
			appetite := func(b *browser) string {
				return strings.TrimSpace(run(b, "read the appetite on the register", chromedp.Text(chromedp.CSS("#risk-appetite"))))
			}

			b := signIn("admin@example.com")
			if got := appetite(b); got != strconv.Itoa(govern.DefaultRiskAppetite) {
				t.Errorf("the register states an appetite of %q; want the default %d", got, govern.DefaultRiskAppetite)
			}
			b.do("follow the register's link",
				chromedp.Click(chromedp.CSS(`main a[href="/governance/settings"]`)),
				chromedp.WaitVisible(chromedp.CSS("#f-risk_appetite")),
			)
			b.checkAccessibility("governance settings")
			b.do("type an appetite off the scale",
				chromedp.Evaluate[chromedp.Void](`document.getElementById("f-risk_appetite").value = ""`),
				chromedp.SendKeys(chromedp.CSS("#f-risk_appetite"), "30"),
				chromedp.Click(chromedp.CSS("main form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#f-risk_appetite-error")),
			)
			if got := run(b, "read what was kept", chromedp.Evaluate[string](`document.getElementById("f-risk_appetite").value`)); got != "30" {
				t.Errorf("after the error the field holds %q; want what was typed, 30", got)
			}
			if msg := run(b, "read the error", chromedp.Text(chromedp.CSS("#f-risk_appetite-error"))); !strings.Contains(msg, "1 to 25") {
				t.Errorf("the error beside the appetite says %q; want the range 1 to 25", msg)
			}
			b.checkAccessibility("governance settings with an error")
			b.do("save a good appetite",
				chromedp.Evaluate[chromedp.Void](`document.getElementById("f-risk_appetite").value = ""`),
				chromedp.SendKeys(chromedp.CSS("#f-risk_appetite"), "14"),
				chromedp.Click(chromedp.CSS("main form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS(".notice, [role=status]")),
				chromedp.Navigate(a.url+"/risks"),
				chromedp.WaitVisible(chromedp.CSS("#risk-appetite")),
			)
			if got := appetite(b); got != "14" {
				t.Errorf("after saving 14 the register states an appetite of %q", got)
			}
			// Chromium logs the refused form's 400 as a failed load; that one is expected.
			var problems []string
			for _, p := range b.Problems() {
				if !strings.Contains(p, "status of 400") {
					problems = append(problems, p)
				}
			}
			if len(problems) > 0 {
				t.Errorf("the pages reported problems on the console:\n\t%s", strings.Join(problems, "\n\t"))
			}

			sec := signIn("sec@example.com")
			if n := run(sec, "look for the link", chromedp.Evaluate[int](`document.querySelectorAll('a[href="/governance/settings"]').length`)); n != 0 {
				t.Errorf("the security lead sees %d links to the settings; want none", n)
			}
			refusal := func(path string) string {
				sec.do("open "+path, chromedp.Navigate(a.url+path), chromedp.WaitVisible(chromedp.CSS("h1")))
				return run(sec, "read the refusal", chromedp.Text(chromedp.CSS("main")))
			}
			want, got := refusal("/admin"), refusal("/governance/settings")
			if !strings.Contains(got, "You do not have access to this") || got != want {
				t.Errorf("the settings page refuses the security lead with\n%s\nwant the refusal of /admin:\n%s", got, want)
			}
		})
	}
}
