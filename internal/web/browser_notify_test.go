package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestBrowserNotifyPages opens the delivery pages in Chromium: the
// administrator's webhooks (the secret shown once), the notification
// settings, and the acknowledge page reached from an email without signing
// in; each must pass axe and raise no console or CSP error.
func TestBrowserNotifyPages(t *testing.T) {
	chromiumPath(t)
	st := testdb.Open(t, "sqlite")
	a := newApp(t, st)
	a.mustDepartment("Security", "")
	ada := a.mustUser("ada@example.com", "Ada Admin", shieldwall.RoleAdmin, "Security", testPassword)
	n := mustAdd(t, st, shieldwall.Notification{UserID: ada.ID, Urgency: shieldwall.UrgencyCritical, Kind: "case.engaged", Title: "SEV1: payments down"})
	token, err := notify.NewAckLinks(st).New(t.Context(), n.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t)
	b.do("open the acknowledge link signed out", chromedp.Navigate(a.url+"/ack/"+token), chromedp.WaitVisible(chromedp.CSS("main form button")))
	b.checkAccessibility("acknowledge page")
	b.do("acknowledge", chromedp.Click(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS("main .notice")))
	if got, _ := st.FindNotification(t.Context(), ada.ID, n.ID); got.AckedAt == nil {
		t.Error("the button in the browser did not acknowledge")
	}

	b.do("sign in",
		chromedp.Navigate(a.url+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
		chromedp.Click(chromedp.CSS("main form button[type=submit]")),
		// The sign-in page has a heading too: wait for the home page's own
		// element, so the next navigation cannot cancel the sign-in.
		chromedp.WaitVisible(chromedp.CSS("#home-department")),
	)
	b.do("open webhooks", chromedp.Navigate(a.url+"/admin/webhooks"), chromedp.WaitVisible(chromedp.CSS("#f-url")))
	b.checkAccessibility("webhooks page")
	b.do("add a webhook",
		chromedp.SendKeys(chromedp.CSS("#f-url"), "https://siem.example.com/hooks/shieldwall"),
		chromedp.Click(chromedp.CSS("main form.form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#new-secret")),
	)
	b.checkAccessibility("webhooks page with the new secret")
	b.do("open dead letters", chromedp.Navigate(a.url+"/admin/deliveries/dead"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	b.checkAccessibility("dead letters")
	b.do("open noise", chromedp.Navigate(a.url+"/admin/notifications/noise"), chromedp.WaitVisible(chromedp.CSS("main table")))
	b.checkAccessibility("noise page")
	b.do("open settings", chromedp.Navigate(a.url+"/account/notifications"), chromedp.WaitVisible(chromedp.CSS("#f-time_zone")))
	b.checkAccessibility("notification settings")
	b.do("open notifications", chromedp.Navigate(a.url+"/notifications"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	b.checkAccessibility("notifications")
}
