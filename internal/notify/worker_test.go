package notify_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/delivery"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

var system = shieldwall.Actor{System: true, Name: "test"}

func mustWebhook(t *testing.T, st *store.Store, in shieldwall.WebhookInput) shieldwall.Webhook {
	t.Helper()
	w, err := notify.NewWebhooks(st).Create(t.Context(), system, in)
	if err != nil {
		t.Fatalf("create webhook: %v", err)
	}
	if !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("secret = %q; want whsec_…", w.Secret)
	}
	return w
}

func deliveries(t *testing.T, st *store.Store, f shieldwall.DeliveryFilter) []shieldwall.Delivery {
	t.Helper()
	items, _, err := st.ListDeliveries(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// noEmail keeps a person's notifications off email, so a test sees only webhooks.
func noEmail(t *testing.T, st *store.Store, userID string) {
	t.Helper()
	p := shieldwall.NotificationPreferences{UserID: userID, Email: []shieldwall.Urgency{}, Digest: shieldwall.DigestNone, TimeZone: "UTC"}
	mustInTx(t, st, func(tx *store.Tx) error { return tx.SetNotificationPreferences(t.Context(), &p) })
}

func TestWebhookDelivery(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		c := newClock()
		useClock(st, c)
		p := mustPeople(t, st)
		noEmail(t, st, p.alice.ID)
		rcv := newReceiver(t)
		hook := mustWebhook(t, st, shieldwall.WebhookInput{URL: rcv.URL + "/hook", MinUrgency: shieldwall.UrgencyNormal})
		lowOnly := mustWebhook(t, st, shieldwall.WebhookInput{URL: rcv.URL + "/critical", MinUrgency: shieldwall.UrgencyCritical})
		w := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now, BaseURL: "https://shieldwall.example.com",
			Policy: delivery.Policy{Rand: func() float64 { return 0.5 }, BaseDelay: time.Minute}})

		n := notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal, Link: "/reports/r1", Body: "It was phishing."})

		t.Run("OK", func(t *testing.T) {
			if got, err := w.RunOnce(t.Context()); err != nil || got != 1 {
				t.Fatalf("RunOnce = %d, %v; want 1 delivery (the critical-only webhook skips a normal notification)", got, err)
			}
			reqs := rcv.requests()
			if len(reqs) != 1 {
				t.Fatalf("receiver got %d requests; want 1", len(reqs))
			}
			if err := delivery.Verify(hook.Secret, reqs[0].Header, reqs[0].Body, c.Now(), 0); err != nil {
				t.Errorf("signature: %v", err)
			}
			var body struct {
				Type string
				Data struct{ ID, URL, Title string }
			}
			if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			if body.Type != n.Kind || body.Data.ID != n.ID || body.Data.URL != "https://shieldwall.example.com/reports/r1" {
				t.Errorf("body = %+v; want type %s, id %s and the absolute link", body, n.Kind, n.ID)
			}
			d := deliveries(t, st, shieldwall.DeliveryFilter{WebhookID: hook.ID})
			if len(d) != 1 || d[0].Status != shieldwall.DeliveryDelivered || d[0].Attempts != 1 {
				t.Fatalf("deliveries = %+v; want one delivered after 1 attempt", d)
			}
			if got, want := reqs[0].Header.Get("webhook-id"), notify.MessageID(d[0].ID); got != want {
				t.Errorf("webhook-id = %q; want %q", got, want)
			}
			if d := deliveries(t, st, shieldwall.DeliveryFilter{WebhookID: lowOnly.ID}); len(d) != 0 {
				t.Errorf("critical-only webhook has %d deliveries; want 0", len(d))
			}
			if got, _ := w.RunOnce(t.Context()); got != 0 {
				t.Errorf("second RunOnce claimed %d; want 0 (nothing is sent twice)", got)
			}
		})

		t.Run("RetryAfterThenSameID", func(t *testing.T) {
			rcv.answer(http.StatusServiceUnavailable, "600")
			notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyCritical, Title: "Critical thing"})
			before := len(rcv.requests())
			if _, err := w.RunOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			all := deliveries(t, st, shieldwall.DeliveryFilter{WebhookID: hook.ID, Status: shieldwall.DeliveryPending})
			if len(all) != 1 {
				t.Fatalf("pending deliveries = %d; want 1", len(all))
			}
			d := all[0]
			// Backoff would be 30 s (0.5 of a 1-minute ceiling); the receiver asked for 10 minutes.
			if want := c.Now().Add(10 * time.Minute); !d.NextAt.Equal(want) || d.LastStatus != 503 || d.LastError == "" {
				t.Errorf("after 503: next_at %s, status %d, error %q; want %s, 503 and an error", d.NextAt, d.LastStatus, d.LastError, want)
			}
			c.Add(9 * time.Minute)
			if got, _ := w.RunOnce(t.Context()); got != 0 {
				t.Errorf("claimed %d before Retry-After ran out; want 0", got)
			}
			rcv.answer(http.StatusOK, "")
			c.Add(time.Minute)
			if got, _ := w.RunOnce(t.Context()); got != 2 {
				// the critical-only webhook's delivery, still pending from the 503 too
				t.Fatalf("claimed %d after Retry-After; want 2", got)
			}
			reqs := rcv.requests()[before:]
			ids := map[string]int{}
			for _, r := range reqs {
				ids[r.Header.Get("webhook-id")]++
			}
			if ids[notify.MessageID(d.ID)] != 2 {
				t.Errorf("webhook-ids sent = %v; want %s twice (a retry keeps its id)", ids, notify.MessageID(d.ID))
			}
			got, err := st.FindDelivery(t.Context(), d.ID)
			if err != nil || got.Status != shieldwall.DeliveryDelivered || got.Attempts != 2 || got.LastError != "" {
				t.Errorf("delivery = %+v, %v; want delivered after 2 attempts", got, err)
			}
		})

		t.Run("DeadLetterAfterBudget", func(t *testing.T) {
			w := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now, Policy: delivery.Policy{MaxAttempts: 2, Rand: func() float64 { return 0 }}})
			rcv.answer(http.StatusInternalServerError, "")
			notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal})
			for range 2 {
				if got, err := w.RunOnce(t.Context()); err != nil || got != 1 {
					t.Fatalf("RunOnce = %d, %v; want 1", got, err)
				}
			}
			dead := deliveries(t, st, shieldwall.DeliveryFilter{Status: shieldwall.DeliveryDead})
			if len(dead) != 1 || dead[0].Attempts != 2 || !strings.Contains(dead[0].LastError, "500") {
				t.Fatalf("dead letters = %+v; want one after 2 attempts naming the 500", dead)
			}
			rcv.answer(http.StatusOK, "")
			if _, err := notify.NewWebhooks(st).Retry(t.Context(), system, dead[0].ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := w.RunOnce(t.Context()); got != 1 {
				t.Fatalf("after retry claimed %d; want 1", got)
			}
			if d, _ := st.FindDelivery(t.Context(), dead[0].ID); d.Status != shieldwall.DeliveryDelivered {
				t.Errorf("resent dead letter status = %s; want delivered", d.Status)
			}
		})

		t.Run("GoneDisablesAndTellsAdmins", func(t *testing.T) {
			rcv.answer(http.StatusGone, "")
			notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal})
			notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal})
			w1 := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now, Batch: 1})
			if _, err := w1.RunOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			got, err := st.FindWebhook(t.Context(), hook.ID)
			if err != nil || got.DisabledAt == nil || !strings.Contains(got.DisabledReason, "410") {
				t.Fatalf("webhook = %+v, %v; want disabled for 410", got, err)
			}
			if pending := deliveries(t, st, shieldwall.DeliveryFilter{WebhookID: hook.ID, Status: shieldwall.DeliveryPending}); len(pending) != 0 {
				t.Errorf("pending deliveries of a disabled webhook = %d; want 0 (dead-lettered)", len(pending))
			}
			items, _, _, err := st.ListNotifications(t.Context(), p.admin.ID, shieldwall.NotificationFilter{})
			if err != nil || len(items) != 1 || items[0].Kind != shieldwall.NotifyWebhookDisabled {
				t.Fatalf("admin's notifications = %+v, %v; want one webhook.disabled", items, err)
			}
			notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal})
			if n := len(deliveries(t, st, shieldwall.DeliveryFilter{WebhookID: hook.ID})); n != 5 {
				t.Errorf("deliveries of the disabled webhook = %d; want still 5 (nothing new queued)", n)
			}
		})
	})
}

// TestGoneWithoutAdministrators checks that a webhook switched off after a
// 410 is in the audit log even when no administrator is left to tell.
func TestGoneWithoutAdministrators(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		c := newClock()
		useClock(st, c)
		p := mustPeople(t, st)
		noEmail(t, st, p.alice.ID)
		p.admin.Active = false
		mustInTx(t, st, func(tx *store.Tx) error { return tx.UpdateUser(t.Context(), &p.admin) })
		rcv := newReceiver(t)
		rcv.answer(http.StatusGone, "")
		hook := mustWebhook(t, st, shieldwall.WebhookInput{URL: rcv.URL, MinUrgency: shieldwall.UrgencyLow})
		notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal})
		if _, err := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now}).RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got, err := st.FindWebhook(t.Context(), hook.ID); err != nil || got.DisabledAt == nil {
			t.Fatalf("webhook = %+v, %v; want disabled for 410", got, err)
		}
		events, _, err := st.ListAudit(t.Context(), shieldwall.AuditFilter{ObjectType: "webhook", ObjectID: hook.ID})
		if err != nil {
			t.Fatal(err)
		}
		var disables int
		for _, e := range events {
			if e.Action == "webhook.disable" {
				disables++
			}
		}
		if disables != 1 {
			t.Errorf("audit events of the webhook = %+v; want one webhook.disable", events)
		}
	})
}

func TestClaimLease(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		c := newClock()
		useClock(st, c)
		p := mustPeople(t, st)
		noEmail(t, st, p.alice.ID)
		rcv := newReceiver(t)
		mustWebhook(t, st, shieldwall.WebhookInput{URL: rcv.URL, MinUrgency: shieldwall.UrgencyLow})
		for range 5 {
			notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID})
		}
		a, err := st.ClaimDeliveries(t.Context(), c.Now(), time.Minute, 3)
		if err != nil || len(a) != 3 {
			t.Fatalf("first claim = %d, %v; want 3", len(a), err)
		}
		b, err := st.ClaimDeliveries(t.Context(), c.Now(), time.Minute, 10)
		if err != nil || len(b) != 2 {
			t.Fatalf("second claim = %d, %v; want the 2 left", len(b), err)
		}
		seen := map[string]bool{}
		for _, j := range append(a, b...) {
			if seen[j.ID] {
				t.Errorf("delivery %s claimed twice", j.ID)
			}
			seen[j.ID] = true
		}
		if again, _ := st.ClaimDeliveries(t.Context(), c.Now(), time.Minute, 10); len(again) != 0 {
			t.Errorf("claim while leased = %d; want 0", len(again))
		}
		// The first worker "dies": after its lease, another takes over, and
		// the dead worker's late record is refused.
		c.Add(time.Minute + time.Second)
		again, err := st.ClaimDeliveries(t.Context(), c.Now(), time.Minute, 10)
		if err != nil || len(again) != 5 {
			t.Fatalf("claim after the leases expired = %d, %v; want 5", len(again), err)
		}
		if again[0].Attempts != 2 {
			t.Errorf("attempts after a lost lease = %d; want 2 (the crashed try counts)", again[0].Attempts)
		}
		err = st.RecordDelivery(t.Context(), a[0], store.DeliveryOutcome{Status: shieldwall.DeliveryDelivered}, c.Now())
		if err != store.ErrLeaseLost {
			t.Errorf("late record by the old owner = %v; want ErrLeaseLost", err)
		}
	})
}

func TestWebhookValidation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    shieldwall.WebhookInput
		field string
	}{
		{"ErrURLRequired", shieldwall.WebhookInput{}, "url"},
		{"ErrURLScheme", shieldwall.WebhookInput{URL: "ftp://example.com/x"}, "url"},
		{"ErrURLRelative", shieldwall.WebhookInput{URL: "/hooks"}, "url"},
		{"ErrURLCredentials", shieldwall.WebhookInput{URL: "https://user:pw@example.com/"}, "url"},
		{"ErrURLFragment", shieldwall.WebhookInput{URL: "https://example.com/#x"}, "url"},
		{"ErrURLPort", shieldwall.WebhookInput{URL: "https://example.com:99999/"}, "url"},
		{"ErrURLSpace", shieldwall.WebhookInput{URL: "https://example.com/a b"}, "url"},
		{"ErrUrgency", shieldwall.WebhookInput{URL: "https://example.com/", MinUrgency: "urgent"}, "min_urgency"},
		{"ErrFormat", shieldwall.WebhookInput{URL: "https://example.com/", Format: "xml"}, "format"},
		{"ErrEvent", shieldwall.WebhookInput{URL: "https://example.com/", Events: []string{"Report Answered"}}, "events"},
		{"OK", shieldwall.WebhookInput{URL: "https://siem.example.com/hooks?x=1", Events: []string{"report.answered", "report.answered"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			err := notify.ValidateWebhook(&in)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("ValidateWebhook = %v; want nil", err)
				}
				if in.Format != shieldwall.WebhookStandard || in.MinUrgency != shieldwall.UrgencyNormal || len(in.Events) != 1 {
					t.Errorf("defaults = %+v; want standard, normal and events de-duplicated", in)
				}
				return
			}
			testdb.WantCode(t, err, shieldwall.EINVALID)
			testdb.WantField(t, err, tc.field)
		})
	}
}

func TestSlackBody(t *testing.T) {
	n := shieldwall.Notification{Urgency: shieldwall.UrgencyCritical, Title: "SEV1 opened", Body: "Payments are down."}
	for _, f := range []shieldwall.WebhookFormat{shieldwall.WebhookSlack, shieldwall.WebhookTeams} {
		b, err := notify.WebhookBody(f, n, "", "https://x.example/cases/1")
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if err := json.Unmarshal(b, &got); err != nil || len(got) != 1 {
			t.Fatalf("%s body = %s; want exactly {\"text\": …}", f, b)
		}
		if !strings.Contains(got["text"], "CRITICAL: SEV1 opened\nPayments are down.\nhttps://x.example/cases/1") {
			t.Errorf("%s text = %q; want urgency, title, body and link", f, got["text"])
		}
	}
}

func TestEmailDelivery(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		c := newClock()
		useClock(st, c)
		p := mustPeople(t, st)
		mb := newMailbox(t)
		host, port, _ := strings.Cut(mb.addr, ":")
		var portNum int
		for _, ch := range port {
			portNum = portNum*10 + int(ch-'0')
		}
		mailer, err := notify.NewSMTPMailer(notify.SMTPConfig{Host: host, Port: portNum, TLS: "none", From: "Shieldwall <security@example.com>"})
		if err != nil {
			t.Fatal(err)
		}
		w := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now, Mailer: mailer, BaseURL: "https://sw.example.com"})

		normal := notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal, Title: "Your report was answered", Link: "/reports/1"})
		critical := notifyUser(t, st, shieldwall.Notification{UserID: p.bob.ID, Urgency: shieldwall.UrgencyCritical, Title: "SEV1: payments down", Link: "/cases/9"})
		notifyUser(t, st, shieldwall.Notification{UserID: p.carol.ID, Urgency: shieldwall.UrgencyLow, Title: "Weekly scorecard"})
		if got, err := w.RunOnce(t.Context()); err != nil || got != 2 {
			t.Fatalf("RunOnce = %d, %v; want 2 emails (low goes to the digest)", got, err)
		}
		msgs := mb.messages()
		if len(msgs) != 2 {
			t.Fatalf("mailbox has %d messages; want 2", len(msgs))
		}
		byTo := map[string]mailMsg{}
		for _, m := range msgs {
			byTo[m.To[0]] = m
		}
		n, cr := byTo["alice@example.com"], byTo["bob@example.com"]
		for _, m := range []mailMsg{n, cr} {
			raw := string(m.Data)
			if !strings.Contains(raw, "text/plain") || !strings.Contains(raw, "text/html") || !strings.Contains(strings.ToLower(header(m.Data, "Content-Type")), "multipart/alternative") {
				t.Errorf("message to %v is not multipart/alternative with text and HTML:\n%s", m.To, raw)
			}
		}
		if got := header(n.Data, "List-Unsubscribe"); got != "<https://sw.example.com/account/notifications>" {
			t.Errorf("normal List-Unsubscribe = %q; want the preferences page", got)
		}
		if got := header(cr.Data, "List-Unsubscribe"); got != "" {
			t.Errorf("critical List-Unsubscribe = %q; want none (critical cannot be switched off)", got)
		}
		if !strings.Contains(header(cr.Data, "Subject"), "CRITICAL") {
			t.Errorf("critical subject = %q", header(cr.Data, "Subject"))
		}
		ds := deliveries(t, st, shieldwall.DeliveryFilter{})
		for _, d := range ds {
			if d.NotificationID == normal.ID && header(n.Data, "Message-Id") != "<"+notify.MessageID(d.ID)+"@shieldwall>" {
				t.Errorf("Message-ID = %q; want the delivery's stable id", header(n.Data, "Message-Id"))
			}
		}

		t.Run("AckLink", func(t *testing.T) {
			raw := strings.ReplaceAll(strings.ReplaceAll(string(cr.Data), "=\r\n", ""), "=3D", "=")
			i := strings.Index(raw, "https://sw.example.com/ack/")
			if i < 0 {
				t.Fatalf("critical email has no acknowledge link:\n%s", raw)
			}
			token := raw[i+len("https://sw.example.com/ack/"):][:43]
			acks := notify.NewAckLinks(st)
			acks.Now = c.Now
			got, err := acks.Lookup(t.Context(), token)
			if err != nil || got.ID != critical.ID || got.AckedAt != nil {
				t.Fatalf("Lookup = %+v, %v; want the critical notification, not yet acknowledged", got, err)
			}
			if got, err = acks.Use(t.Context(), token); err != nil || got.AckedAt == nil {
				t.Fatalf("Use = %+v, %v; want acknowledged", got, err)
			}
			_, err = acks.Use(t.Context(), token)
			testdb.WantCode(t, err, shieldwall.ENOTFOUND)
			_, err = acks.Lookup(t.Context(), strings.Repeat("A", 43))
			testdb.WantCode(t, err, shieldwall.ENOTFOUND)
		})

		t.Run("PermanentRefusalDeadLetters", func(t *testing.T) {
			mb.mu.Lock()
			mb.refuse = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
			mb.mu.Unlock()
			notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal})
			if _, err := w.RunOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			dead := deliveries(t, st, shieldwall.DeliveryFilter{Status: shieldwall.DeliveryDead})
			if len(dead) != 1 || dead[0].Channel != shieldwall.ChannelEmail || !strings.Contains(dead[0].LastError, "no such user") {
				t.Fatalf("dead letters = %+v; want the refused email with the server's reason", dead)
			}
		})
	})
}

func TestNoMailerSkipsVisibly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		p := mustPeople(t, st)
		notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyCritical})
		if _, err := notify.NewWorker(st, notify.WorkerConfig{}).RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		d := deliveries(t, st, shieldwall.DeliveryFilter{})
		if len(d) != 1 || d[0].Status != shieldwall.DeliverySkipped || !strings.Contains(d[0].LastError, "smtp-out-host") {
			t.Fatalf("deliveries = %+v; want one skipped, saying how to configure mail", d)
		}
	})
}

// TestExpiredLeaseNotSent: a job whose lease ran out while it waited for a
// free sender is not sent by this worker (another may hold it now); the
// next claim sends it.
func TestExpiredLeaseNotSent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		c := newClock()
		useClock(st, c)
		p := mustPeople(t, st)
		noEmail(t, st, p.alice.ID)
		var hits atomic.Int32
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			c.Add(2 * time.Minute) // this send outlasts the other job's lease
		}))
		defer rcv.Close()
		mustWebhook(t, st, shieldwall.WebhookInput{URL: rcv.URL, MinUrgency: shieldwall.UrgencyLow})
		notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID})
		notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID})
		w := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now, Lease: time.Minute, Concurrency: 1})
		if n, err := w.RunOnce(t.Context()); err != nil || n != 2 || hits.Load() != 1 {
			t.Fatalf("RunOnce = %d, %v with %d sends; want 2 claimed, 1 sent", n, err, hits.Load())
		}
		pending := deliveries(t, st, shieldwall.DeliveryFilter{Status: shieldwall.DeliveryPending})
		if len(pending) != 1 {
			t.Fatalf("pending = %d; want the unsent one", len(pending))
		}
		if n, _ := w.RunOnce(t.Context()); n != 1 || hits.Load() != 2 {
			t.Errorf("next RunOnce = %d claimed, %d sends in all; want 1 and 2", n, hits.Load())
		}
	})
}
