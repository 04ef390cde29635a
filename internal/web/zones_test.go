package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

// shownTime is a <time> element: its machine-readable UTC instant and the
// words the page shows for it.
var shownTime = regexp.MustCompile(`<time datetime="([^"]+)">([^<]*)</time>`)

// TestPageTimesInViewerZone: a person who chose Europe/Berlin sees their
// report's "sent" time, its messages, their notifications and the audit log
// in CET/CEST, never in UTC; a colleague who chose no zone sees the same
// kinds of times in UTC, named. Each shown time must be the datetime
// attribute's instant in the viewer's zone, so a template that goes back to
// UTC fails here.
func TestPageTimesInViewerZone(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		o := newOrg(a)
		ada := a.mustUser("ada@example.com", "Ada Admin", shieldwall.RoleAdmin, "Security", testPassword)
		uma := a.mustUser("uma@example.com", "Uma Admin", shieldwall.RoleAdmin, "Security", testPassword)
		berlin := shieldwall.DefaultPreferences(ada.ID)
		berlin.TimeZone = "Europe/Berlin"
		if err := st.InTx(t.Context(), func(tx *store.Tx) error { return tx.SetNotificationPreferences(t.Context(), &berlin) }); err != nil {
			t.Fatal(err)
		}
		berlinLoc, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			t.Fatal(err)
		}

		for _, v := range []struct {
			who   shieldwall.User
			loc   *time.Location
			zones []string // the zone names a time may show with
		}{
			{ada, berlinLoc, []string{"CET", "CEST"}},
			{uma, time.UTC, []string{"UTC"}},
		} {
			t.Run(v.who.Name, func(t *testing.T) {
				rep := a.mustReport(v.who, shieldwall.ReportInput{Kind: shieldwall.KindOther, Title: "A caller asked " + v.who.Name + " for a password"})
				if _, err := a.srv.Intake.Reply(t.Context(), actorOf(o.sam), rep.ID, "Which number did they call from?"); err != nil {
					t.Fatal(err)
				}
				answer := "Never give it out; we warned everyone."
				if _, err := a.srv.Intake.Triage(t.Context(), actorOf(o.sam), rep.ID, intake.TriageUpdate{Resolution: &answer}); err != nil {
					t.Fatal(err)
				}
				c := a.signedIn(v.who.Email)
				for _, p := range []struct {
					path, near string // near: words just before a time the page must show
					min        int    // how many times at least
				}{
					// An administrator reads their own report as the team does.
					{"/reports/" + rep.ID, "<dt>Received</dt><dd>", 2}, // and the message's time
					{"/reports/mine", "sent ", 2},                      // and the message's time
					{"/notifications", `<p class="notification-meta">`, 1},
					{"/audit", `<td data-label="When">`, 1},
				} {
					r := c.get(p.path)
					wantStatus(t, r, 200)
					body := mainOf(r.body)
					if !strings.Contains(body, p.near+"<time datetime=") {
						t.Errorf("%s shows no time after %q:\n%s", p.path, p.near, excerpt(body))
					}
					if n := wantTimesIn(t, p.path, body, v.loc, v.zones...); n < p.min {
						t.Errorf("%s shows %d times; want at least %d:\n%s", p.path, n, p.min, excerpt(body))
					}
				}
			})
		}
	})
}

// wantTimesIn checks every <time> of body: its datetime is UTC, and the
// words shown are that instant in loc, named by one of zones. It returns
// how many times body shows.
func wantTimesIn(t *testing.T, page, body string, loc *time.Location, zones ...string) int {
	t.Helper()
	found := shownTime.FindAllStringSubmatch(body, -1)
	for _, m := range found {
		at, err := time.Parse(time.RFC3339, m[1])
		if err != nil {
			t.Errorf("%s: datetime %q is not RFC 3339: %v", page, m[1], err)
			continue
		}
		if !strings.HasSuffix(m[1], "Z") {
			t.Errorf("%s: datetime %q is not in UTC", page, m[1])
		}
		shown := html.UnescapeString(m[2])
		if want := at.In(loc).Format("2 Jan 2006, 15:04 MST"); shown != want {
			t.Errorf("%s shows %s as %q; want %q (the viewer's zone is %s)", page, m[1], shown, want, loc)
		}
		if !hasZone(shown, zones) {
			t.Errorf("%s shows %q; want it named in %v", page, shown, zones)
		}
	}
	return len(found)
}

// hasZone reports whether s ends with one of the zone names.
func hasZone(s string, zones []string) bool {
	for _, z := range zones {
		if strings.HasSuffix(s, " "+z) {
			return true
		}
	}
	return false
}
