package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/delivery"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestWebhookPages: an administrator adds a webhook and sees its secret
// once, its deliveries with attempts and last error, and the dead letters,
// and sends a dead letter again.
func TestWebhookPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		a.mustUser("ada@example.com", "Ada Admin", shieldwall.RoleAdmin, "Security", testPassword)
		ada := a.signedIn("ada@example.com")

		t.Run("ErrURL", func(t *testing.T) {
			r := ada.postForm("/admin/webhooks", "/admin/webhooks", url.Values{"url": {"ftp://siem.example.com"}, "format": {"standard"}, "min_urgency": {"normal"}})
			wantStatus(t, r, http.StatusBadRequest)
			if msg := fieldError(r.body, "url"); !strings.Contains(msg, "https://") {
				t.Errorf("url error = %q; want it to ask for https://", msg)
			}
		})

		var secret string
		t.Run("CreateShowsSecretOnce", func(t *testing.T) {
			r := ada.postForm("/admin/webhooks", "/admin/webhooks", url.Values{"url": {"http://127.0.0.1:1/hook"}, "format": {"standard"}, "min_urgency": {"low"}})
			wantStatus(t, r, http.StatusCreated)
			m := regexp.MustCompile(`value="(whsec_[^"]+)"`).FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("no secret on the page:\n%s", mainOf(r.body))
			}
			secret = m[1]
			again := ada.get("/admin/webhooks")
			wantBody(t, again, "http://127.0.0.1:1/hook")
			wantNoBody(t, again, secret)
		})

		hooks, err := st.ListWebhooks(t.Context())
		if err != nil || len(hooks) != 1 {
			t.Fatalf("webhooks = %d, %v; want 1", len(hooks), err)
		}
		hook := hooks[0]
		mustAdd(t, st, shieldwall.Notification{UserID: o.alice.ID, Urgency: shieldwall.UrgencyNormal, Kind: shieldwall.NotifyReportAnswered, Title: "Answered"})
		// Nothing listens on port 1: the attempt fails at once; a budget of
		// one attempt dead-letters it.
		w := notify.NewWorker(st, notify.WorkerConfig{Policy: delivery.Policy{MaxAttempts: 1}})
		if _, err := w.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}

		t.Run("Deliveries", func(t *testing.T) {
			r := ada.get("/admin/webhooks/" + hook.ID)
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "Answered", "dead", "connection refused")
			wantStatus(t, ada.get("/admin/webhooks/"+hook.ID+"?status=nonsense"), http.StatusBadRequest)
			wantStatus(t, ada.get("/admin/webhooks/no-such-id"), http.StatusNotFound)
		})

		t.Run("DeadLettersAndRetry", func(t *testing.T) {
			r := ada.get("/admin/deliveries/dead")
			wantBody(t, r, "Answered", "Send again")
			// Alice's email is skipped (no mail server), not dead: only the webhook's is here.
			dead, _, _ := st.ListDeliveries(t.Context(), shieldwall.DeliveryFilter{Status: shieldwall.DeliveryDead})
			var hookDead shieldwall.Delivery
			for _, d := range dead {
				if d.Channel == shieldwall.ChannelWebhook {
					hookDead = d
				}
			}
			if hookDead.ID == "" {
				t.Fatalf("dead letters = %+v; want the webhook's", dead)
			}
			wantLocation(t, ada.postForm("/admin/deliveries/dead", "/admin/deliveries/"+hookDead.ID+"/retry", url.Values{}), "/admin/deliveries/dead?notice=delivery-retried")
			if d, _ := st.FindDelivery(t.Context(), hookDead.ID); d.Status != shieldwall.DeliveryPending {
				t.Errorf("after Send again: status %s; want pending", d.Status)
			}
		})

		t.Run("Noise", func(t *testing.T) {
			r := ada.get("/admin/notifications/noise")
			wantStatus(t, r, http.StatusOK)
			// Finance: alice and bob, 1 notification in 4 weeks = 0.1 per person per week.
			wantBody(t, r, "Finance", "0.1")
		})

		t.Run("Delete", func(t *testing.T) {
			wantLocation(t, ada.postForm("/admin/webhooks", "/admin/webhooks/"+hook.ID+"/delete", url.Values{}), "/admin/webhooks?notice=webhook-deleted")
			wantNoBody(t, ada.get("/admin/webhooks"), "http://127.0.0.1:1/hook")
		})

		t.Run("NotForMembers", func(t *testing.T) {
			alice := a.signedIn("alice@example.com")
			wantStatus(t, alice.get("/admin/webhooks"), http.StatusForbidden)
			wantStatus(t, alice.get("/admin/deliveries/dead"), http.StatusForbidden)
		})
	})
}

func mustAdd(t *testing.T, st *store.Store, n shieldwall.Notification) shieldwall.Notification {
	t.Helper()
	if err := st.InTx(t.Context(), func(tx *store.Tx) error { return tx.AddNotification(t.Context(), &n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPreferencesPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		alice := a.signedIn("alice@example.com")
		r := alice.get("/account/notifications")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, `value="critical" checked`, `value="normal" checked`)

		t.Run("ErrTimeZone", func(t *testing.T) {
			r := alice.postForm("/account/notifications", "/account/notifications", url.Values{"email": {"critical"}, "digest": {"daily"}, "time_zone": {"Nowhere/Land"}})
			wantStatus(t, r, http.StatusBadRequest)
			if msg := fieldError(r.body, "time_zone"); !strings.Contains(msg, "IANA") {
				t.Errorf("time_zone error = %q", msg)
			}
		})
		t.Run("OK", func(t *testing.T) {
			r := alice.postForm("/account/notifications", "/account/notifications", url.Values{"email": {"critical", "low"}, "digest": {"daily"},
				"quiet_start": {"22:00"}, "quiet_end": {"07:00"}, "time_zone": {"Europe/Berlin"}})
			wantLocation(t, r, "/account/notifications?notice=preferences-saved")
			p, err := st.NotificationPreferences(t.Context(), o.alice.ID)
			if err != nil || len(p.Email) != 2 || p.Email[1] != shieldwall.UrgencyLow || p.QuietStart != "22:00" || p.TimeZone != "Europe/Berlin" || p.Digest != shieldwall.DigestDaily {
				t.Errorf("saved preferences = %+v, %v", p, err)
			}
			wantBody(t, alice.get("/account/notifications"), `value="low" checked`, `value="22:00"`)
		})
	})
}

// TestAckLinkPage: the link in a critical email opens a page without
// signing in; only the button acknowledges (mail scanners fetch links), and
// only once.
func TestAckLinkPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		n := mustAdd(t, st, shieldwall.Notification{UserID: o.sam.ID, Urgency: shieldwall.UrgencyCritical, Kind: "case.engaged", Title: "SEV1: payments down"})
		token, err := notify.NewAckLinks(st).New(t.Context(), n.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		anon := a.client()
		page := anon.get("/ack/" + token)
		wantStatus(t, page, http.StatusOK)
		wantBody(t, page, "SEV1: payments down", `action="/ack/`+token+`"`)
		if page.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("Referrer-Policy = %q; want no-referrer (the token is in the address)", page.Header.Get("Referrer-Policy"))
		}
		if got, _ := st.FindNotification(t.Context(), o.sam.ID, n.ID); got.AckedAt != nil {
			t.Fatal("opening the link acknowledged the notification; only the button may")
		}
		done := anon.postForm("/ack/"+token, "/ack/"+token, url.Values{})
		wantStatus(t, done, http.StatusOK)
		wantBody(t, done, "Acknowledged")
		if got, _ := st.FindNotification(t.Context(), o.sam.ID, n.ID); got.AckedAt == nil {
			t.Fatal("after the button: not acknowledged")
		}
		wantStatus(t, anon.get("/ack/"+token), http.StatusNotFound)
		wantStatus(t, anon.get("/ack/not-a-token"), http.StatusNotFound)

		t.Run("LiveBell", func(t *testing.T) {
			sam := a.signedIn("sam@example.com")
			mustAdd(t, st, shieldwall.Notification{UserID: o.sam.ID, Urgency: shieldwall.UrgencyNormal, Kind: "report.new", Title: "New report"})
			r := sam.get("/notifications/bell", "HX-Request", "true")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, `<span class="bell-count">1<span class="visually-hidden"> unread</span>`, `hx-trigger="every 30s"`)
			wantNoBody(t, r, "<html")
			wantLocation(t, sam.get("/notifications/bell"), "/notifications")
		})

		t.Run("InAppButton", func(t *testing.T) {
			n2 := mustAdd(t, st, shieldwall.Notification{UserID: o.alice.ID, Urgency: shieldwall.UrgencyCritical, Kind: "case.engaged", Title: "SEV1 again"})
			alice := a.signedIn("alice@example.com")
			wantBody(t, alice.get("/notifications"), `action="/notifications/`+n2.ID+`/ack"`)
			wantLocation(t, alice.postForm("/notifications", "/notifications/"+n2.ID+"/ack", url.Values{}), "/notifications?notice=notification-acked")
			if got, _ := st.FindNotification(t.Context(), o.alice.ID, n2.ID); got.AckedAt == nil {
				t.Error("the in-app button did not acknowledge")
			}
		})
	})
}
