package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shieldwall/shieldwall"
	resp "github.com/shieldwall/shieldwall/internal/response"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestBrowserCaseTimelineIsLive opens a case page in Chromium, writes on
// the timeline from elsewhere (the service, as another person would), and
// sees the entry appear without a reload; axe-core checks the pages.
func TestBrowserCaseTimelineIsLive(t *testing.T) {
	chromiumPath(t)
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			st := testdb.Open(t, dialect)
			a := newApp(t, st)
			o := newResponders(a)
			ctx := t.Context()
			// Sam reads times in Berlin's zone, live entries included.
			berlin := shieldwall.DefaultPreferences(o.sam.ID)
			berlin.TimeZone = "Europe/Berlin"
			if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.SetNotificationPreferences(ctx, &berlin) }); err != nil {
				t.Fatal(err)
			}
			berlinLoc, err := time.LoadLocation("Europe/Berlin")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.srv.Response.SetDuty(ctx, actorOf(o.sam), "legal", "legal-counsel", resp.DutyInput{UserID: o.cal.ID}); err != nil {
				t.Fatal(err)
			}
			c, err := a.srv.Response.Create(ctx, actorOf(o.sam), shieldwall.CaseInput{Title: "Payroll file emailed to a customer",
				Type: "personal-data-breach", Severity: shieldwall.SEV2, Affected: []string{"personal-data"},
				Summary: "The payroll of 40 employees went to a customer."})
			if err != nil {
				t.Fatal(err)
			}

			b := newBrowser(t)
			b.do("sign in as the security team",
				chromedp.Navigate(a.url+"/signin"),
				chromedp.WaitVisible(chromedp.CSS("#f-email")),
				chromedp.SendKeys(chromedp.CSS("#f-email"), "sam@example.com"),
				chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
				chromedp.Click(chromedp.CSS("main form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS(`.main-nav a[href="/cases"]`)),
				chromedp.Click(chromedp.CSS(`.main-nav a[href="/cases"]`)),
				chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/`+c.ID+`"]`)),
			)
			b.checkAccessibility("case list")
			b.do("open the case",
				chromedp.Click(chromedp.CSS(`a[href="/cases/`+c.ID+`"]`)),
				chromedp.WaitVisible(chromedp.CSS("#timeline-heading")),
			)
			// The stream is open once the page says so.
			b.waitFor("the live stream to connect", `document.getElementById("live-status").textContent.indexOf("appear here") >= 0`)
			b.checkAccessibility("case page")
			// A mark on the window survives only if the page is not reloaded.
			b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))

			if _, err := a.srv.Response.AddEntry(ctx, actorOf(o.cal), c.ID, shieldwall.TimelineDecision, "We notify the authority <today>."); err != nil {
				t.Fatalf("AddEntry: %v", err)
			}
			b.waitFor("the entry to appear", `document.querySelector("#timeline-list > li:first-child") &&
				document.querySelector("#timeline-list > li:first-child").textContent.indexOf("We notify the authority <today>.") >= 0`)
			if !run(b, "look for the mark", chromedp.Evaluate[bool](`window.notReloaded === true`)) {
				t.Error("the page reloaded to show the entry; want it live")
			}
			first := run(b, "read the new entry", chromedp.Text(chromedp.CSS("#timeline-list > li:first-child")))
			for _, want := range []string{"Decision", "Cal Counsel", "We notify the authority <today>."} {
				if !strings.Contains(first, want) {
					t.Errorf("live entry lacks %q: %q", want, first)
				}
			}
			entry := run(b, "read the new entry's markup", chromedp.OuterHTML(chromedp.CSS("#timeline-list > li:first-child")))
			if n := wantTimesIn(t, "the live entry", entry, berlinLoc, "CET", "CEST"); n != 1 {
				t.Errorf("the live entry shows %d times; want 1: %s", n, entry)
			}
			b.checkAccessibility("case page with a live entry")

			// Making the case confidential closes every stream (access must be
			// checked again): the page reconnects, catches up with what it missed
			// (the change itself), and keeps receiving.
			yes := true
			if _, err := a.srv.Response.Patch(ctx, actorOf(o.sam), c.ID, shieldwall.CasePatch{Confidential: &yes}); err != nil {
				t.Fatalf("Patch: %v", err)
			}
			b.waitFor("the confidentiality entry", `document.getElementById("timeline-list").textContent.indexOf("Made the case confidential") >= 0`)
			deadline := time.Now().Add(10 * time.Second)
			for a.srv.Response.Hub().Streams() != 1 {
				if time.Now().After(deadline) {
					t.Fatalf("the page did not reconnect after the reset: %d streams open", a.srv.Response.Hub().Streams())
				}
				time.Sleep(50 * time.Millisecond)
			}
			if _, err := a.srv.Response.AddEntry(ctx, actorOf(o.sam), c.ID, shieldwall.TimelineNote, "After the reconnect."); err != nil {
				t.Fatalf("AddEntry: %v", err)
			}
			b.waitFor("the entry after the reconnect", `document.getElementById("timeline-list").textContent.indexOf("After the reconnect.") >= 0`)
			if !run(b, "look for the mark again", chromedp.Evaluate[bool](`window.notReloaded === true`)) {
				t.Error("the page reloaded on reset; want it to reconnect in place")
			}

			b.do("turn into a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			b.checkAccessibility("case page on a phone")
			b.do("turn back into a laptop", chromedp.EmulateReset())
			b.do("open the form that opens a case", chromedp.Navigate(a.url+"/cases/new"), chromedp.WaitVisible(chromedp.CSS("#f-title")))
			b.checkAccessibility("open a case form")
			b.do("open the duty directory", chromedp.Navigate(a.url+"/departments/legal"), chromedp.WaitVisible(chromedp.CSS("#duties-heading")))
			b.checkAccessibility("department page with its duty directory")
			b.do("open the action list", chromedp.Navigate(a.url+"/actions"), chromedp.WaitVisible(chromedp.CSS("#f-status")))
			b.checkAccessibility("action list")

			// Journey 3: the counsel's own view, the full view one click away.
			b.do("sign in as the legal counsel",
				chromedp.Click(chromedp.CSS(".user-menu button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#f-email")),
				chromedp.SendKeys(chromedp.CSS("#f-email"), "cal@example.com"),
				chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
				chromedp.Click(chromedp.CSS("main form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS(`.main-nav a[href="/cases"]`)),
				chromedp.Navigate(a.url+"/cases/"+c.ID),
				chromedp.WaitVisible(chromedp.CSS("#your-part-heading")),
			)
			if run(b, "look at the full view", chromedp.Evaluate[bool](`document.querySelector("#roles-heading").checkVisibility()`)) {
				t.Error("the security team's full view shows before the counsel asks for it")
			}
			b.checkAccessibility("the counsel's case page")
			b.do("open the full view", chromedp.Click(chromedp.CSS(".full-view > summary")), chromedp.WaitVisible(chromedp.CSS("#roles-heading")))
			b.checkAccessibility("the counsel's case page with the full view")
			if p := b.Problems(); len(p) > 0 {
				t.Errorf("the pages reported problems on the console:\n\t%s", strings.Join(p, "\n\t"))
			}
		})
	}
}
