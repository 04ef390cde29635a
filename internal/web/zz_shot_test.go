package web_test

import (
	"net/url"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestZZShots(t *testing.T) {
	a := newApp(t, testdb.Open(t, "sqlite"))
	o := newOrg(a)
	phish := readPhish(t)
	for _, e := range []string{"alice@example.com", "carol@example.com"} {
		c := a.signedIn(e)
		c.postMultipart("/report", "/report", url.Values{"kind": {"phishing"}, "title": {"Invoice mail"}}, upload{"attachments", "mail.eml", phish})
	}
	r := a.mustReport(o.alice, shieldwall.ReportInput{Kind: shieldwall.KindLostDevice, Title: "Lost my laptop on the train", Description: "Left it on the 8:14.", Details: []byte(`{"device_type":"laptop","where":"Train"}`)})
	ans := "We blocked the laptop remotely. Thank you for telling us so fast."
	a.srv.Intake.Triage(t.Context(), actorOf(o.sam), r.ID, intake.TriageUpdate{Status: shieldwall.StatusResolved, Resolution: &ans})
	a.srv.Intake.Reply(t.Context(), actorOf(o.sam), r.ID, "Was the disk encrypted?")
	b := newBrowser(t)
	shot := func(name, path string, w, h int64, mobile bool) {
		opts := []chromedp.EmulateViewportOption{}
		if mobile {
			opts = append(opts, chromedp.EmulateMobile)
		}
		b.do("shot "+name, chromedp.EmulateViewport(w, h, opts...), chromedp.Navigate(a.url+path))
		buf := run(b, "shot", chromedp.FullScreenshot(100))
		os.WriteFile("/tmp/shot-"+name+".png", buf, 0o644)
	}
	b.do("sign in", chromedp.Navigate(a.url+"/signin"), chromedp.SendKeys(chromedp.CSS("#f-email"), "alice@example.com"), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword), chromedp.Click(chromedp.CSS("main form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#report-something")))
	shot("home", "/", 1280, 900, false)
	shot("report", "/report?kind=payment-fraud", 1280, 900, false)
	shot("report-phone", "/report?kind=phishing", 390, 844, true)
	shot("mine", "/reports/mine", 1280, 900, false)
	shot("anon", "/anonymous", 1280, 900, false)
	shot("followup", "/anonymous/follow-up", 1280, 900, false)
	b.do("receipt", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(a.url+"/anonymous"), chromedp.Click(chromedp.CSS("label[for=kind-mistake]")), chromedp.SendKeys(chromedp.CSS("#f-title"), "I clicked"), chromedp.Click(chromedp.CSS(".report-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#receipt")))
	buf := run(b, "shot", chromedp.FullScreenshot(100))
	os.WriteFile("/tmp/shot-receipt.png", buf, 0o644)
	b.do("sign in sam", chromedp.Click(chromedp.CSS(".user-menu button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#f-email")), chromedp.SendKeys(chromedp.CSS("#f-email"), "sam@example.com"), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword), chromedp.Click(chromedp.CSS("main form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#report-something")))
	shot("triage", "/triage", 1280, 900, false)
	shot("analyst", "/reports/"+r.ID, 1280, 900, false)
	os.WriteFile("/tmp/triage-url", []byte(""), 0o644)
	b.do("triage", chromedp.Navigate(a.url+"/triage"))
	camp := run(b, "href", chromedp.Evaluate[string](`document.querySelector(".campaign h3 a").getAttribute("href")`))
	shot("campaign", camp, 1280, 900, false)
}
