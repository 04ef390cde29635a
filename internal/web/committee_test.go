package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestCommitteeMeeting(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Security", "")
		a.mustDepartment("IT", "")
		sec := a.mustUser("sec@example.com", "Sam Security", shieldwall.RoleSecurity, "Security", testPassword)
		a.mustUser("m@example.com", "Mo Member", shieldwall.RoleMember, "IT", testPassword)
		s := func(v string) *string { return &v }
		n := func(v int) *int { return &v }
		risk, err := govern.New(st).CreateRisk(t.Context(), actorOf(sec), shieldwall.RiskInput{Title: s("Domain admin password reused"), OwnerDepartment: s("IT"),
			InherentLikelihood: n(4), InherentImpact: n(4)})
		if err != nil {
			t.Fatal(err)
		}
		c := a.client()
		c.signIn("sec@example.com", testPassword)
		starts := time.Now().UTC().Add(48 * time.Hour).Format("2006-01-02T15:04")
		r := c.postForm("/committee", "/committee/meetings", url.Values{"title": {"Committee"}, "starts_at": {"not a time"}, "duration_minutes": {"60"}})
		wantStatus(t, r, http.StatusBadRequest)
		if fieldError(r.body, "starts_at") == "" {
			t.Errorf("no error beside starts_at")
		}
		r = c.postForm("/committee", "/committee/meetings", url.Values{"title": {"Committee, December"}, "starts_at": {starts}, "duration_minutes": {"90"}, "location": {"Room 4"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("schedule: %d %s", r.StatusCode, excerpt(mainOf(r.body)))
		}
		page, _, _ := strings.Cut(r.Header.Get("Location"), "?")
		r = c.get(page)
		wantBody(t, r, "New high risks since the last meeting", "Domain admin password reused")
		r = c.postForm(page, page+"/decisions", url.Values{"text": {"Enforce a password manager for admins"}, "about": {"risk:" + risk.ID}})
		wantLocation(t, r, page+"?notice=decision-recorded")
		r = c.postForm(page, page+"/action-items", url.Values{"title": {"Roll out the password manager"}, "owner_department": {"it"}, "due_on": {"2027-02-01"}})
		wantLocation(t, r, page+"?notice=action-added")
		r = c.get(page)
		wantBody(t, r, "Enforce a password manager for admins", "Roll out the password manager", "IT, due 2027-02-01")
		id := strings.TrimPrefix(page, "/committee/meetings/")
		items, _, err := st.ListActionItems(t.Context(), shieldwall.ActionItemFilter{SourceType: "meeting", SourceID: id})
		if err != nil || len(items) != 1 {
			t.Fatalf("action items %+v, %v", items, err)
		}
		r = c.postForm(page, page+"/action-items/"+items[0].ID+"/status", url.Values{"status": {"done"}})
		wantLocation(t, r, page+"?notice=action-updated")
		if a, _ := st.FindActionItem(t.Context(), items[0].ID); a.Status != shieldwall.ActionDone {
			t.Errorf("status %s; want done", a.Status)
		}
		r = c.get("/api/v1/meetings/" + id + "/meeting.ics")
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r, "BEGIN:VCALENDAR\r\n", "LOCATION:Room 4\r\n")

		member := a.client()
		member.signIn("m@example.com", testPassword)
		wantStatus(t, member.get(page), http.StatusForbidden)
	})
}

// TestMeetingTimesInViewerZone: someone who chose Europe/Berlin schedules a
// meeting at 10:00 their time and sees it at 10:00 CET on the list and the
// meeting page; a colleague without a chosen zone sees 09:00 UTC; the .ics
// stays in UTC for everyone's calendar.
func TestMeetingTimesInViewerZone(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Security", "")
		sec := a.mustUser("sec@example.com", "Sam Security", shieldwall.RoleSecurity, "Security", testPassword)
		a.mustUser("admin@example.com", "Ada Admin", shieldwall.RoleAdmin, "Security", testPassword)
		berlin := shieldwall.DefaultPreferences(sec.ID)
		berlin.TimeZone = "Europe/Berlin"
		if err := st.InTx(t.Context(), func(tx *store.Tx) error { return tx.SetNotificationPreferences(t.Context(), &berlin) }); err != nil {
			t.Fatal(err)
		}

		c := a.signedIn("sec@example.com")
		wantBody(t, c.get("/committee"), "Starts (Europe/Berlin time)")
		// A fixed winter date: Berlin is UTC+1 (CET) then.
		r := c.postForm("/committee", "/committee/meetings", url.Values{"title": {"Winter committee"}, "starts_at": {"2027-01-12T10:00"}, "duration_minutes": {"60"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("schedule: %d %s", r.StatusCode, excerpt(mainOf(r.body)))
		}
		page, _, _ := strings.Cut(r.Header.Get("Location"), "?")
		id := strings.TrimPrefix(page, "/committee/meetings/")
		m, err := govern.New(st).GetMeeting(t.Context(), actorOf(sec), id)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2027, 1, 12, 9, 0, 0, 0, time.UTC); !m.StartsAt.Equal(want) {
			t.Errorf("10:00 in Berlin stored as %s; want %s", m.StartsAt.UTC(), want)
		}

		for _, p := range []string{page, "/committee"} {
			body := mainOf(c.get(p).body)
			if !strings.Contains(body, "12 Jan 2027, 10:00 CET") || strings.Contains(body, "09:00 UTC") {
				t.Errorf("%s shows the meeting in UTC, or not at 10:00 CET, to a viewer in Europe/Berlin:\n%s", p, excerpt(body))
			}
		}
		if body := mainOf(c.get(page).body); !strings.Contains(body, "12 Jan 2027, 11:00 CET") {
			t.Errorf("the meeting's end is not shown at 11:00 CET:\n%s", excerpt(body))
		}

		admin := a.signedIn("admin@example.com")
		if body := mainOf(admin.get(page).body); !strings.Contains(body, "12 Jan 2027, 09:00 UTC") {
			t.Errorf("a viewer with no zone chosen does not see the meeting at 09:00 UTC:\n%s", excerpt(body))
		}
		ics := c.get("/api/v1/meetings/" + id + "/meeting.ics")
		wantStatus(t, ics, http.StatusOK)
		wantBody(t, ics, "DTSTART:20270112T090000Z\r\n")
	})
}
