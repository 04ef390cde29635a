package notify_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestAggregation: a phishing wave is one message, not fifty.
func TestAggregation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		c := newClock()
		useClock(st, c)
		p := mustPeople(t, st)
		noEmail(t, st, p.bob.ID)
		rcv := newReceiver(t)
		mustWebhook(t, st, shieldwall.WebhookInput{URL: rcv.URL, MinUrgency: shieldwall.UrgencyLow})
		wave := func(urgency shieldwall.Urgency) shieldwall.Notification {
			return notifyUser(t, st, shieldwall.Notification{UserID: p.bob.ID, Urgency: urgency, Kind: "campaign.reported",
				Title: "A campaign is being reported", ObjectType: "campaign", ObjectID: "c1", CollapseWithin: 10 * time.Minute})
		}
		first := wave(shieldwall.UrgencyNormal)
		for range 12 {
			c.Add(30 * time.Second)
			if got := wave(shieldwall.UrgencyNormal); got.ID != first.ID {
				t.Fatalf("a report within the window made notification %s; want it folded into %s", got.ID, first.ID)
			}
		}
		items, _, unread, err := st.ListNotifications(t.Context(), p.bob.ID, shieldwall.NotificationFilter{})
		if err != nil || len(items) != 1 || unread != 1 || items[0].More != 12 {
			t.Fatalf("bob's notifications = %+v (unread %d), %v; want one with 12 more", items, unread, err)
		}
		if _, err := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now}).RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		reqs := rcv.requests()
		if len(reqs) != 1 {
			t.Fatalf("webhook messages = %d; want 1 for the whole wave", len(reqs))
		}
		var body struct{ Data struct{ More int } }
		json.Unmarshal(reqs[0].Body, &body)
		if body.Data.More != 12 {
			t.Errorf("webhook says %d more; want 12", body.Data.More)
		}

		t.Run("AfterTheWindow", func(t *testing.T) {
			c.Add(11 * time.Minute)
			if got := wave(shieldwall.UrgencyNormal); got.ID == first.ID {
				t.Error("a report after the window folded into the old notification; want a new one")
			}
		})
		t.Run("CriticalNeverCollapses", func(t *testing.T) {
			a, b := wave(shieldwall.UrgencyCritical), wave(shieldwall.UrgencyCritical)
			if a.ID == b.ID {
				t.Error("two critical notifications collapsed; want each on its own")
			}
		})
	})
}
