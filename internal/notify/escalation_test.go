package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

type step struct {
	n    shieldwall.Notification
	step int
	to   string
}

func TestEscalation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		c := newClock()
		useClock(st, c)
		p := mustPeople(t, st)
		var steps []step
		w := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now, OnEscalate: func(ctx context.Context, tx *store.Tx, n shieldwall.Notification, s int, to string) error {
			steps = append(steps, step{n, s, to})
			return nil
		}})
		inbox := func(u shieldwall.User) []shieldwall.Notification {
			items, _, _, err := st.ListNotifications(t.Context(), u.ID, shieldwall.NotificationFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return items
		}
		escalate := func(want int) {
			t.Helper()
			got, err := w.Escalate(t.Context())
			if err != nil || got != want {
				t.Fatalf("Escalate = %d, %v; want %d steps", got, err, want)
			}
		}

		t.Run("UnacknowledgedWalksTheChain", func(t *testing.T) {
			steps = nil
			root := notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyCritical, Title: "SEV1: payments down",
				Kind: "case.engaged", EscalateTo: []string{p.bob.ID, p.carol.ID}, EscalateAfter: 15 * time.Minute})
			c.Add(14 * time.Minute)
			escalate(0)
			c.Add(time.Minute)
			escalate(1)
			escalate(0) // a second pass (another replica) takes the step again not
			if len(inbox(p.bob)) != 1 || inbox(p.bob)[0].Title != root.Title || len(inbox(p.carol)) != 0 {
				t.Fatalf("after step 1: bob %d, carol %d notifications; want 1 and 0", len(inbox(p.bob)), len(inbox(p.carol)))
			}
			c.Add(15 * time.Minute)
			escalate(1)
			if len(inbox(p.carol)) != 1 {
				t.Fatalf("after step 2: carol has %d notifications; want 1", len(inbox(p.carol)))
			}
			c.Add(15 * time.Minute)
			escalate(0) // the chain has ended
			_, done, reason, err := st.EscalationState(t.Context(), root.ID)
			if err != nil || !done || !strings.Contains(reason, "chain ended") {
				t.Errorf("escalation state = done %v, %q, %v; want ended", done, reason, err)
			}
			if len(steps) != 2 || steps[0].step != 1 || steps[0].to != p.bob.ID || steps[1].step != 2 || steps[1].to != p.carol.ID {
				t.Errorf("hook saw %+v; want steps 1→bob, 2→carol", steps)
			}
			ev, _, err := st.ListAudit(t.Context(), shieldwall.AuditFilter{ObjectType: "notification", ObjectID: root.ID})
			if err != nil || len(ev) != 3 {
				t.Errorf("audit events for the escalation = %d, %v; want 2 steps and the end", len(ev), err)
			}
		})

		t.Run("AcknowledgedStops", func(t *testing.T) {
			steps = nil
			root := notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyCritical, Title: "SEV1: mail down",
				EscalateTo: []string{p.bob.ID, p.carol.ID}, EscalateAfter: 10 * time.Minute})
			c.Add(10 * time.Minute)
			escalate(1)
			// Bob acknowledges his copy: the whole chain stops.
			var bobs shieldwall.Notification
			for _, n := range inbox(p.bob) {
				if n.Title == root.Title {
					bobs = n
				}
			}
			if _, err := notify.New(st).MarkRead(t.Context(), shieldwall.Actor{UserID: p.bob.ID, Role: shieldwall.RoleSecurity}, bobs.ID, true); err != nil {
				t.Fatal(err)
			}
			c.Add(time.Hour)
			escalate(0)
			for _, n := range inbox(p.carol) {
				if n.Title == root.Title {
					t.Errorf("carol got %q after bob acknowledged", n.Title)
				}
			}
			_, done, reason, _ := st.EscalationState(t.Context(), root.ID)
			if !done || reason != "acknowledged" {
				t.Errorf("escalation = done %v, %q; want acknowledged", done, reason)
			}
		})

		t.Run("UnreachableSkipped", func(t *testing.T) {
			steps = nil
			carol := p.carol
			carol.Active = false
			mustInTx(t, st, func(tx *store.Tx) error { return tx.UpdateUser(t.Context(), &carol) })
			root := notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyCritical, Title: "SEV1: VPN down",
				EscalateTo: []string{"no-such-person", p.carol.ID, p.bob.ID}, EscalateAfter: 5 * time.Minute})
			c.Add(5 * time.Minute)
			escalate(1)
			if len(steps) != 1 || steps[0].step != 3 || steps[0].to != p.bob.ID {
				t.Fatalf("hook saw %+v; want step 3 to bob (the first two cannot be reached)", steps)
			}
			if step, done, _, _ := st.EscalationState(t.Context(), root.ID); step != 3 || done {
				t.Errorf("escalation at step %d, done %v; want 3, waiting for bob", step, done)
			}
		})

		t.Run("HookErrorRetriesTheStep", func(t *testing.T) {
			fail := true
			w := notify.NewWorker(st, notify.WorkerConfig{Now: c.Now, OnEscalate: func(context.Context, *store.Tx, shieldwall.Notification, int, string) error {
				if fail {
					return shieldwall.Errorf(shieldwall.EUNAVAILABLE, "timeline busy")
				}
				return nil
			}})
			root := notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyCritical, Title: "SEV2",
				EscalateTo: []string{p.bob.ID}, EscalateAfter: time.Minute})
			c.Add(time.Minute)
			if _, err := w.Escalate(t.Context()); err == nil {
				t.Fatal("Escalate with a failing hook = nil error; want the hook's error")
			}
			if step, done, _, _ := st.EscalationState(t.Context(), root.ID); step != 0 || done {
				t.Fatalf("after a failed hook: step %d, done %v; want 0, not done (undone)", step, done)
			}
			fail = false
			if got, err := w.Escalate(t.Context()); err != nil || got != 1 {
				t.Fatalf("Escalate again = %d, %v; want 1", got, err)
			}
		})
	})
}

func TestQuietHoursAndPreferences(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		c := newClock() // 10:00 UTC = 11:00 in Berlin
		useClock(st, c)
		p := mustPeople(t, st)
		svc := notify.New(st)
		alice := shieldwall.Actor{UserID: p.alice.ID, Role: shieldwall.RoleMember}
		got, err := svc.SetPreferences(t.Context(), alice, shieldwall.NotificationPreferences{Email: []shieldwall.Urgency{"normal", "critical"},
			Digest: "daily", QuietStart: "10:30", QuietEnd: "12:00", TimeZone: "Europe/Berlin"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Email) != 2 || got.Email[0] != shieldwall.UrgencyCritical {
			t.Errorf("email = %v; want [critical normal]", got.Email)
		}
		normal := notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyNormal})
		critical := notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyCritical})
		notifyUser(t, st, shieldwall.Notification{UserID: p.alice.ID, Urgency: shieldwall.UrgencyLow})
		for _, d := range deliveries(t, st, shieldwall.DeliveryFilter{}) {
			switch d.NotificationID {
			case normal.ID:
				if want := time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC); !d.NextAt.Equal(want) {
					t.Errorf("normal email held until %s; want %s (12:00 Berlin)", d.NextAt, want)
				}
			case critical.ID:
				if !d.NextAt.Equal(c.Now()) {
					t.Errorf("critical email due %s; want now: quiet hours never hold critical", d.NextAt)
				}
			default:
				t.Errorf("a low notification got a %s delivery; want none (not chosen)", d.Channel)
			}
		}
		for _, tc := range []struct {
			name  string
			in    shieldwall.NotificationPreferences
			field string
		}{
			{"ErrUrgency", shieldwall.NotificationPreferences{Email: []shieldwall.Urgency{"loud"}}, "email"},
			{"ErrDigest", shieldwall.NotificationPreferences{Digest: "hourly"}, "digest"},
			{"ErrQuietHalf", shieldwall.NotificationPreferences{QuietStart: "22:00"}, "quiet_end"},
			{"ErrQuietClock", shieldwall.NotificationPreferences{QuietStart: "25:00", QuietEnd: "07:00"}, "quiet_start"},
			{"ErrZone", shieldwall.NotificationPreferences{TimeZone: "Mars/Olympus"}, "time_zone"},
			{"ErrZonePath", shieldwall.NotificationPreferences{TimeZone: "../../etc/passwd"}, "time_zone"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.SetPreferences(t.Context(), alice, tc.in)
				testdb.WantCode(t, err, shieldwall.EINVALID)
				testdb.WantField(t, err, tc.field)
			})
		}
		if p, _ := svc.Preferences(t.Context(), alice); p.TimeZone != "Europe/Berlin" {
			t.Errorf("preferences after refused changes = %+v; want the saved ones kept", p)
		}
	})
}

func TestHoldUntil(t *testing.T) {
	p := shieldwall.NotificationPreferences{QuietStart: "22:00", QuietEnd: "07:00", TimeZone: "UTC"}
	day := func(h, m int) time.Time { return time.Date(2026, 3, 10, h, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		now, want time.Time
		u         shieldwall.Urgency
	}{
		{day(21, 59), day(21, 59), shieldwall.UrgencyNormal},
		{day(22, 0), day(7, 0).AddDate(0, 0, 1), shieldwall.UrgencyNormal},
		{day(3, 0), day(7, 0), shieldwall.UrgencyLow},
		{day(7, 0), day(7, 0), shieldwall.UrgencyNormal},
		{day(23, 0), day(23, 0), shieldwall.UrgencyCritical},
	} {
		if got := p.HoldUntil(tc.u, tc.now); !got.Equal(tc.want) {
			t.Errorf("HoldUntil(%s, %s) = %s; want %s", tc.u, tc.now.Format("15:04"), got, tc.want)
		}
	}
}
