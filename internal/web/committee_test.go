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
