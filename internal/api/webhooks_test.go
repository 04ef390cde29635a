package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/delivery"
	"github.com/shieldwall/shieldwall/internal/notify"
)

// TestWebhooks: an administrator adds a webhook (the secret comes once),
// a notification reaches the receiver signed, and its deliveries list shows it.
func TestWebhooks(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var mu sync.Mutex
		var got []*http.Request
		var bodies [][]byte
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got, bodies = append(got, r), append(bodies, b)
			mu.Unlock()
		}))
		defer rcv.Close()

		t.Run("ErrFields", func(t *testing.T) {
			for body, field := range map[string]string{
				`{"url":"notaurl"}`: "url",
				`{"url":"https://x.example","min_urgency":"loud"}`: "min_urgency",
				`{"url":"https://x.example","format":"xml"}`:       "format",
				`{"url":"https://x.example","events":["A B"]}`:     "events",
			} {
				p := e.do(t, "POST", "/api/v1/webhooks", e.admin.token, body).problem(t, http.StatusBadRequest, shieldwall.EINVALID)
				if p.Field != field {
					t.Errorf("POST %s: field %q; want %q", body, p.Field, field)
				}
			}
		})

		var hook shieldwall.Webhook
		r := e.do(t, "POST", "/api/v1/webhooks", e.admin.token, `{"url":"`+rcv.URL+`/in","min_urgency":"normal","events":["report.answered"],"format":"standard"}`)
		r.ok(t, http.StatusCreated, &hook)
		checkObjects(t, r.body)
		if !strings.HasPrefix(hook.Secret, "whsec_") || hook.Format != shieldwall.WebhookStandard || len(hook.Events) != 1 {
			t.Fatalf("created webhook = %+v; want a whsec_ secret, standard, one event", hook)
		}
		var list struct{ Items []shieldwall.Webhook }
		e.do(t, "GET", "/api/v1/webhooks", e.admin.token, "").ok(t, http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].Secret != "" {
			t.Fatalf("listed webhooks = %+v; want one, without its secret", list.Items)
		}
		e.do(t, "GET", "/api/v1/webhooks", e.security.token, "").problem(t, http.StatusForbidden, shieldwall.EFORBIDDEN)

		var rep shieldwall.Report
		e.do(t, "POST", "/api/v1/reports", e.member.token, `{"kind":"other","title":"Strange call"}`).ok(t, http.StatusCreated, &rep)
		e.do(t, "PATCH", "/api/v1/reports/"+rep.ID, e.security.token, `{"status":"resolved","resolution":"Thanks, it was a scam."}`).ok(t, http.StatusOK, nil)
		if _, err := notify.NewWorker(e.st, notify.WorkerConfig{}).RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(got) != 1 {
			t.Fatalf("receiver got %d requests; want 1", len(got))
		}
		if err := delivery.Verify(hook.Secret, got[0].Header, bodies[0], time.Now(), 0); err != nil {
			t.Errorf("signature: %v", err)
		}
		mu.Unlock()

		var ds struct {
			Items []shieldwall.Delivery
			Total int
		}
		e.do(t, "GET", "/api/v1/webhooks/"+hook.ID+"/deliveries", e.admin.token, "").ok(t, http.StatusOK, &ds)
		if ds.Total != 1 || ds.Items[0].Status != shieldwall.DeliveryDelivered || ds.Items[0].Attempts != 1 || ds.Items[0].Kind != shieldwall.NotifyReportAnswered {
			t.Errorf("deliveries = %+v; want one delivered report.answered", ds)
		}
		e.do(t, "GET", "/api/v1/webhooks/"+hook.ID+"/deliveries?status=bad", e.admin.token, "").problem(t, http.StatusBadRequest, shieldwall.EINVALID)
		e.do(t, "GET", "/api/v1/webhooks/nope/deliveries", e.admin.token, "").problem(t, http.StatusNotFound, shieldwall.ENOTFOUND)
		e.do(t, "POST", "/api/v1/deliveries/"+ds.Items[0].ID+"/retry", e.admin.token, "").problem(t, http.StatusNotFound, shieldwall.ENOTFOUND)

		var dead struct{ Total int }
		e.do(t, "GET", "/api/v1/deliveries?status=dead", e.admin.token, "").ok(t, http.StatusOK, &dead)
		var every struct{ Total int }
		e.do(t, "GET", "/api/v1/deliveries", e.admin.token, "").ok(t, http.StatusOK, &every)
		// The emails (no mail server here) to the member and to Finance's
		// champion, told of the new report, are skipped; the webhook's is
		// delivered: none dead.
		if dead.Total != 0 || every.Total != 3 {
			t.Errorf("deliveries: %d dead, %d in all; want 0 and 3 (the webhook's and two skipped emails)", dead.Total, every.Total)
		}

		e.do(t, "DELETE", "/api/v1/webhooks/"+hook.ID, e.admin.token, "").ok(t, http.StatusNoContent, nil)
		e.do(t, "DELETE", "/api/v1/webhooks/"+hook.ID, e.admin.token, "").problem(t, http.StatusNotFound, shieldwall.ENOTFOUND)
	})
}

func TestNotificationPreferences(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var p shieldwall.NotificationPreferences
		e.do(t, "GET", "/api/v1/me/notification-preferences", e.member.token, "").ok(t, http.StatusOK, &p)
		if p.Digest != shieldwall.DigestWeekly || !p.WantsEmail(shieldwall.UrgencyCritical) {
			t.Errorf("defaults = %+v; want weekly digest, critical by email", p)
		}
		e.do(t, "PUT", "/api/v1/me/notification-preferences", e.member.token, `{"email":["critical"],"digest":"none","quiet_start":"22:00","quiet_end":"7:00","time_zone":"UTC"}`).
			problem(t, http.StatusBadRequest, shieldwall.EINVALID)
		e.do(t, "PUT", "/api/v1/me/notification-preferences", e.member.token, `{"email":[],"digest":"daily","quiet_start":"22:00","quiet_end":"07:00","time_zone":"Asia/Tokyo"}`).
			ok(t, http.StatusOK, &p)
		if p.UserID != e.member.ID || len(p.Email) != 0 || p.TimeZone != "Asia/Tokyo" {
			t.Errorf("saved = %+v", p)
		}
		var other shieldwall.NotificationPreferences
		e.do(t, "GET", "/api/v1/me/notification-preferences", e.champion.token, "").ok(t, http.StatusOK, &other)
		if other.TimeZone != "UTC" {
			t.Errorf("another person's preferences changed: %+v", other)
		}
	})
}
