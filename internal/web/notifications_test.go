package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// TestNotificationsPage checks the bell and the notifications page: the
// reporter sees security's answer, opens it, and the count goes down;
// nobody else sees or marks it.
func TestNotificationsPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		rep := a.mustReport(o.alice, shieldwall.ReportInput{Kind: shieldwall.KindOther, Title: "Caller asked for my password"})
		resolution := "Never give it out; we warned everyone."
		if _, err := a.srv.Intake.Triage(t.Context(), actorOf(o.sam), rep.ID, intake.TriageUpdate{Resolution: &resolution}); err != nil {
			t.Fatal(err)
		}
		items, _, _, err := st.ListNotifications(t.Context(), o.alice.ID, shieldwall.NotificationFilter{})
		if err != nil || len(items) != 1 {
			t.Fatalf("alice's notifications = %d, %v; want 1", len(items), err)
		}
		n := items[0]

		alice := a.signedIn("alice@example.com")
		home := alice.get("/")
		wantStatus(t, home, http.StatusOK)
		wantBody(t, home, `class="bell bell-unread" href="/notifications"`, `<span class="bell-count">1<span class="visually-hidden"> unread</span>`)

		page := alice.get("/notifications")
		wantStatus(t, page, http.StatusOK)
		wantBody(t, page, "Security answered your report", `class="notification notification-unread"`,
			`href="/notifications/`+n.ID+`"`, `action="/notifications/`+n.ID+`/read"`, "Mark as read")
		wantNoJargon(t, page)

		t.Run("OthersCannotSeeOrMark", func(t *testing.T) {
			carol := a.signedIn("carol@example.com")
			page := carol.get("/notifications")
			wantStatus(t, page, http.StatusOK)
			wantNoBody(t, page, n.ID, "Security answered your report", "bell-unread")
			wantStatus(t, carol.get("/notifications/"+n.ID), http.StatusNotFound)
			wantStatus(t, carol.postForm("/notifications", "/notifications/"+n.ID+"/read", url.Values{}), http.StatusNotFound)
			if items, _, unread, _ := st.ListNotifications(t.Context(), o.alice.ID, shieldwall.NotificationFilter{}); unread != 1 || items[0].ReadAt != nil {
				t.Errorf("alice's notification after carol's attempts: unread %d; want still unread", unread)
			}
		})

		t.Run("CrossSiteOpenChangesNothing", func(t *testing.T) {
			wantLocation(t, alice.get("/notifications/"+n.ID, "Sec-Fetch-Site", "cross-site"), "/reports/"+rep.ID)
			if _, _, unread, _ := st.ListNotifications(t.Context(), o.alice.ID, shieldwall.NotificationFilter{}); unread != 1 {
				t.Errorf("unread after a cross-site open = %d; want 1 (nothing changed)", unread)
			}
		})

		t.Run("OpenMarksRead", func(t *testing.T) {
			wantLocation(t, alice.get("/notifications/"+n.ID), "/reports/"+rep.ID)
			home := alice.get("/")
			wantNoBody(t, home, "bell-unread")
			wantBody(t, home, `<span class="bell-count"><span class="visually-hidden">none unread</span>`)
			wantNoBody(t, alice.get("/notifications"), "notification-unread", "Mark as read")
		})

		t.Run("MarkAsRead", func(t *testing.T) {
			again := "We also blocked the caller's number."
			if _, err := a.srv.Intake.Triage(t.Context(), actorOf(o.sam), rep.ID, intake.TriageUpdate{Resolution: &again}); err != nil {
				t.Fatal(err)
			}
			items, _, unread, _ := st.ListNotifications(t.Context(), o.alice.ID, shieldwall.NotificationFilter{UnreadOnly: true})
			if unread != 1 || len(items) != 1 {
				t.Fatalf("unread = %d; want 1", unread)
			}
			wantLocation(t, alice.postForm("/notifications", "/notifications/"+items[0].ID+"/read", url.Values{}), "/notifications?notice=notification-read")
			wantNoBody(t, alice.get("/notifications"), "notification-unread")
		})
	})
}
