package web_test

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// axeSource is axe-core, the accessibility engine, vendored for the tests
// (MPL-2.0; see testdata/README.md).
//
//go:embed testdata/axe.min.js
var axeSource string

// The environment variables that point the browser tests at Chromium.
const (
	envChromium        = "SHIELDWALL_TEST_CHROMIUM"
	envRequireChromium = "SHIELDWALL_TEST_REQUIRE_CHROMIUM"
)

// chromiumPath finds the browser, or skips the test (fails it when
// SHIELDWALL_TEST_REQUIRE_CHROMIUM=1, so CI cannot pass without it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv(envChromium)
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv(envRequireChromium) == "1" {
			t.Fatalf("%s=1 but Chromium is not at %s: %v", envRequireChromium, p, err)
		}
		t.Skipf("Chromium not found at %s (set %s)", p, envChromium)
	}
	return p
}

// browser is one headless Chromium with one tab, and what its pages said
// on the console.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string // console errors, exceptions, CSP violations
}

// newBrowser starts Chromium for one test; it stops when the test ends.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root, where the sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// Cleanups run last first: the browser stops before its profile folder goes.
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancel)

	b := &browser{t: t, ctx: ctx}
	// The first action starts the browser; it must not carry a timeout,
	// which would stop the whole browser when it ends.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, b.observe); err != nil {
		t.Fatalf("listen to the console: %v", err)
	}
	// Report every CSP violation on the console, where observe sees it. Chromium
	// logs violations itself too; this makes the check independent of how.
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `document.addEventListener("securitypolicyviolation", function (e) {
			console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
		});`,
	})
	if err != nil {
		t.Fatalf("add the CSP observer: %v", err)
	}
	return b
}

// observe runs in the tab's event loop: it must return fast and run no command.
func (b *browser) observe(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil {
			msg += " " + ex.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			msg = fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	}
	if msg != "" {
		b.mu.Lock()
		b.problems = append(b.problems, msg)
		b.mu.Unlock()
	}
}

// Problems returns what went wrong on the console so far.
func (b *browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.problems)
}

// do runs steps with a time limit, failing the test with what was being done.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// run runs one action that returns a value, with a time limit.
func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// waitFor evaluates a JavaScript condition until it holds. chromedp.Poll
// builds its predicate with new Function, which this site's CSP forbids.
func (b *browser) waitFor(what, condition string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok := run(b, what, chromedp.Evaluate[bool]("Boolean("+condition+")"))
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: timed out waiting for %s", what, condition)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// axeViolation is one failed accessibility rule.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeResult is what checkAccessibility asks axe-core for.
type axeResult struct {
	Passes     int            `json:"passes"`
	Violations []axeViolation `json:"violations"`
}

// checkAccessibility runs axe-core on the current page and fails the test
// on any serious or critical violation; lesser ones are logged.
func (b *browser) checkAccessibility(pageName string) {
	b.t.Helper()
	if !run(b, "look for axe", chromedp.Evaluate[bool](`typeof window.axe === "object"`)) {
		// Injected through DevTools, which the page's CSP does not govern.
		b.do("inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource))
	}
	res := run(b, "run axe-core on "+pageName, chromedp.Evaluate[axeResult](`axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
		return {passes: r.passes.length, violations: r.violations.map(function (v) {
			return {id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(function (n) {
				return n.target.join(" ") + ": " + (n.failureSummary || "");
			})};
		})};
	})`, chromedp.EvalAwaitPromise))
	if res.Passes == 0 {
		b.t.Errorf("%s: axe-core checked nothing", pageName)
	}
	b.t.Logf("%s: axe-core: %d rules passed, %d violated", pageName, res.Passes, len(res.Violations))
	for _, v := range res.Violations {
		line := fmt.Sprintf("%s: axe %s (%s): %s\n\t%s", pageName, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Error(line)
		} else {
			b.t.Log(line)
		}
	}
}

func TestBrowserSignInSeesDepartment(t *testing.T) {
	chromiumPath(t) // skip before building a database when there is no browser
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			a := newApp(t, testdb.Open(t, dialect))
			a.mustDepartment("Finance", "Pays the bills and guards the money.")
			a.mustDepartment("Legal", "")
			a.mustUser("alice@example.com", "Alice Example", shieldwall.RoleMember, "Finance", testPassword)
			a.mustUser("bob@example.com", "Bob Builder", shieldwall.RoleChampion, "Finance", "")
			a.mustUser("carol@example.com", "Carol Counsel", shieldwall.RoleMember, "Legal", "")
			a.mustUser("sam@example.com", "Sam Secure", shieldwall.RoleSecurity, "Legal", testPassword)

			b := newBrowser(t)
			b.do("open the home page signed out", chromedp.Navigate(a.url+"/"), chromedp.WaitVisible(chromedp.CSS("#f-email")))
			if loc := run(b, "read the location", chromedp.Location()); loc != a.url+"/signin?next=%2F" {
				t.Errorf("signed out, / went to %s; want the sign-in page", loc)
			}
			b.checkAccessibility("sign-in page")

			b.do("sign in",
				chromedp.SendKeys(chromedp.CSS("#f-email"), "alice@example.com"),
				chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
				chromedp.Click(chromedp.CSS("main form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#home-department")),
			)
			cookies := run(b, "read cookies", func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
				res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{a.url + "/"}})
				return res.Cookies, err
			})
			var session *network.Cookie
			for _, c := range cookies {
				if c.Name == sessionCookie {
					session = c
				}
			}
			if session == nil {
				var names []string
				for _, c := range cookies {
					names = append(names, c.Name)
				}
				t.Fatalf("Chromium holds no %s cookie after sign-in; it has %v", sessionCookie, names)
			}
			if !session.Secure || !session.HTTPOnly || session.Path != "/" || session.SameSite != network.CookieSameSiteLax {
				t.Errorf("session cookie: Secure %v, HttpOnly %v, Path %q, SameSite %q; want Secure, HttpOnly, /, Lax",
					session.Secure, session.HTTPOnly, session.Path, session.SameSite)
			}
			b.checkAccessibility("home page")

			b.do("open my department",
				chromedp.Click(chromedp.CSS("#home-department")),
				chromedp.WaitVisible(chromedp.CSS("#champions-heading")),
			)
			text := run(b, "read the department page", chromedp.Text(chromedp.CSS("main")))
			for _, want := range []string{"Finance", "This is your department.", "Bob Builder", "Alice Example"} {
				if !strings.Contains(text, want) {
					t.Errorf("department page lacks %q:\n%s", want, text)
				}
			}
			champions := run(b, "read the champions", chromedp.Text(chromedp.CSS(".card-champions")))
			if !strings.Contains(champions, "Bob Builder") {
				t.Errorf("Bob is not shown as Finance's security champion:\n%s", champions)
			}
			if h1 := run(b, "read the heading", chromedp.Text(chromedp.CSS("h1"))); h1 != "Finance" {
				t.Errorf("heading %q; want Finance", h1)
			}
			b.checkAccessibility("department page")
			b.do("turn into a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			b.checkAccessibility("department page on a phone")
			b.do("turn back into a laptop", chromedp.EmulateReset())

			// The directory's live search runs through htmx under the CSP,
			// swaps only the results and keeps the filter in the URL.
			b.do("open the directory", chromedp.Navigate(a.url+"/people"), chromedp.WaitVisible(chromedp.CSS("#f-q")))
			b.do("type a search", chromedp.SendKeys(chromedp.CSS("#f-q"), "carol"))
			b.waitFor("live search", `(function () {
				var r = document.getElementById("people-results").textContent;
				return r.indexOf("Carol Counsel") >= 0 && r.indexOf("Bob Builder") < 0 && location.search.indexOf("q=carol") >= 0;
			})()`)
			b.checkAccessibility("directory")

			// Journey 1: from the home page's first button, one screen, Send.
			b.do("open the report form from home",
				chromedp.Navigate(a.url+"/"),
				chromedp.Click(chromedp.CSS("#report-something")),
				chromedp.WaitVisible(chromedp.CSS("label[for=kind-payment-fraud]")),
			)
			amount := chromedp.CSS(`[id="f-payment-fraud.amount"]`)
			if run(b, "look at the questions", chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("questions-payment-fraud")).display !== "none"`)) {
				t.Error("a kind's questions show before any kind is picked")
			}
			b.do("pick a strange payment request",
				chromedp.Click(chromedp.CSS("label[for=kind-payment-fraud]")),
				chromedp.WaitVisible(amount),
			)
			if run(b, "look at another kind's questions", chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("questions-phishing")).display !== "none"`)) {
				t.Error("another kind's questions show beside the chosen kind's")
			}
			b.checkAccessibility("report form")
			b.do("fill in and send",
				chromedp.SendKeys(chromedp.CSS("#f-title"), "Supplier asks to change bank details"),
				chromedp.SendKeys(amount, "18,400.00"),
				chromedp.SendKeys(chromedp.CSS(`[id="f-payment-fraud.payee"]`), "Northwind Ltd"),
				chromedp.Click(chromedp.CSS(".report-form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#report-sent")),
			)
			b.do("open My reports",
				chromedp.Click(chromedp.CSS(`main a[href="/reports/mine"]`)),
				chromedp.WaitVisible(chromedp.CSS(".report-list")),
			)
			mine := run(b, "read My reports", chromedp.Text(chromedp.CSS("main")))
			for _, want := range []string{"Supplier asks to change bank details", "A strange payment request", "Received", "No answer yet"} {
				if !strings.Contains(mine, want) {
					t.Errorf("My reports lacks %q:\n%s", want, mine)
				}
			}
			b.do("open the anonymous form", chromedp.Navigate(a.url+"/anonymous"), chromedp.WaitVisible(chromedp.CSS("label[for=kind-mistake]")))
			b.checkAccessibility("anonymous report form")

			// Journey 4: the security team's queue.
			// The anonymous pages ignore who is signed in, so sign out from home.
			b.do("sign in as the security team",
				chromedp.Navigate(a.url+"/"),
				chromedp.WaitVisible(chromedp.CSS(".user-menu button[type=submit]")),
				chromedp.Click(chromedp.CSS(".user-menu button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#f-email")),
				chromedp.SendKeys(chromedp.CSS("#f-email"), "sam@example.com"),
				chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
				chromedp.Click(chromedp.CSS("main form button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS("#report-something")),
				chromedp.Click(chromedp.CSS(`.main-nav a[href="/triage"]`)),
				chromedp.WaitVisible(chromedp.CSS("#reports-heading")),
			)
			if queue := run(b, "read the queue", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(queue, "Supplier asks to change bank details") {
				t.Errorf("the triage queue lacks Alice's report:\n%s", queue)
			}
			b.checkAccessibility("triage queue")

			if p := b.Problems(); len(p) > 0 {
				t.Errorf("the pages reported problems on the console:\n\t%s", strings.Join(p, "\n\t"))
			}

			// The check above must be able to fail: an inline style is a CSP violation it has to see.
			b.do("break the CSP", chromedp.Evaluate[chromedp.Void](`document.head.appendChild(document.createElement("style")).textContent = "body{}"`))
			deadline := time.Now().Add(10 * time.Second)
			for !slices.ContainsFunc(b.Problems(), func(s string) bool { return strings.Contains(s, "style-src") }) {
				if time.Now().After(deadline) {
					t.Fatalf("an inline style went unnoticed; the CSP check is blind. Seen: %v", b.Problems())
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
