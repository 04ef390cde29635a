package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestDigestPeriod(t *testing.T) {
	// Friday 27 Nov 2026, 07:30 in Berlin is still 06:30 UTC: Berlin's
	// Thursday digest is due, UTC's is not yet (Wednesday's is the latest).
	now := time.Date(2026, 11, 27, 6, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		d        shieldwall.Digest
		zone     string
		key      string
		from, to time.Time
	}{
		{shieldwall.DigestDaily, "UTC", "2026-11-25", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)},
		{shieldwall.DigestDaily, "Europe/Berlin", "2026-11-26", time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC)},
		{shieldwall.DigestWeekly, "UTC", "2026-W47", time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
	} {
		key, from, to, ok := notify.DigestPeriod(tc.d, tc.zone, now)
		if !ok || key != tc.key || !from.Equal(tc.from) || !to.Equal(tc.to) {
			t.Errorf("DigestPeriod(%s, %s) = %s [%s, %s) %v; want %s [%s, %s)", tc.d, tc.zone, key, from, to, ok, tc.key, tc.from, tc.to)
		}
	}
	if _, _, _, ok := notify.DigestPeriod(shieldwall.DigestNone, "UTC", now); ok {
		t.Error("DigestPeriod(none) ok; want no period")
	}
}

func TestDigests(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		c := newClock() // Friday 27 Nov 2026 10:00 UTC
		useClock(st, c)
		p := mustPeople(t, st)
		svc := notify.New(st)
		for _, u := range []shieldwall.User{p.alice, p.bob, p.carol, p.admin} {
			d := shieldwall.DigestDaily
			if u.ID == p.admin.ID {
				d = shieldwall.DigestNone
			}
			if _, err := svc.SetPreferences(t.Context(), shieldwall.Actor{UserID: u.ID, Role: u.Role},
				shieldwall.NotificationPreferences{Email: []shieldwall.Urgency{shieldwall.UrgencyCritical}, Digest: d, TimeZone: "UTC"}); err != nil {
				t.Fatal(err)
			}
		}
		// Alice: two normal and one low unread, one read, one critical (emailed at once, so not in the digest).
		notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal, Title: "New report in Finance"})
		notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyLow, Title: "Weekly scorecard"})
		notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal, Title: "A comment"})
		read := notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal, Title: "Already read"})
		if _, err := svc.MarkRead(t.Context(), shieldwall.Actor{UserID: p.alice.ID, Role: shieldwall.RoleMember}, read.ID, false); err != nil {
			t.Fatal(err)
		}
		notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyCritical, Title: "SEV1"})
		// Carol: only a critical one, emailed at once: her digest would be empty.
		notifyUser(t, st, shieldwall.Notification{UserID: p.carol.ID, Urgency: shieldwall.UrgencyCritical, Title: "SEV1"})

		w := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now})
		if got, err := w.Digests(t.Context()); err != nil || got != 0 {
			t.Fatalf("Digests the same day = %d, %v; want 0 (the day is not over)", got, err)
		}
		c.Add(14*time.Hour + time.Minute) // Saturday 00:01
		if got, err := w.Digests(t.Context()); err != nil || got != 0 {
			t.Fatalf("Digests at midnight = %d, %v; want 0 (digests go out from 07:00)", got, err)
		}
		c.Add(7 * time.Hour) // Saturday 07:01
		if got, err := w.Digests(t.Context()); err != nil || got != 1 {
			t.Fatalf("Digests in the morning = %d, %v; want 1 (alice; bob and carol have nothing to say)", got, err)
		}
		if got, _ := w.Digests(t.Context()); got != 0 {
			t.Errorf("second pass wrote %d digests; want 0 (once per period)", got)
		}
		items, _, unread, _ := st.ListNotifications(t.Context(), p.alice.ID, shieldwall.NotificationFilter{})
		var digest shieldwall.Notification
		for _, n := range items {
			if n.Kind == shieldwall.NotifyDigest {
				digest = n
			}
		}
		if digest.ID == "" || digest.ReadAt == nil || !strings.Contains(digest.Title, "3 unread") {
			t.Fatalf("alice's digest = %+v; want a read digest of 3 unread", digest)
		}
		if unread != 4 {
			t.Errorf("alice's unread count = %d; want 4 (the digest does not add to the bell)", unread)
		}
		body := digest.Body
		if !strings.HasPrefix(body, "To look at (2):") || !strings.Contains(body, "For your information (1):\n- Weekly scorecard") || strings.Contains(body, "Already read") || strings.Contains(body, "SEV1") {
			t.Errorf("digest body = %q; want normal first, then low, without the read or emailed ones", body)
		}
		d := deliveries(t, st, shieldwall.DeliveryFilter{})
		n := 0
		for _, x := range d {
			if x.NotificationID == digest.ID {
				n++
				if x.Channel != shieldwall.ChannelEmail {
					t.Errorf("digest went to %s; want email only", x.Channel)
				}
			}
		}
		if n != 1 {
			t.Errorf("digest deliveries = %d; want 1 email", n)
		}
	})
}
