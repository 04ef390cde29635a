package api_test

import (
	"net/http"
	"testing"

	"github.com/shieldwall/shieldwall"
)

// notificationList is the answer of GET /api/v1/notifications.
type notificationList struct {
	Items  []shieldwall.Notification `json:"items"`
	Total  int                       `json:"total"`
	Unread int                       `json:"unread"`
}

// TestNotifications checks that the reporter finds security's answer in
// their notifications, and that nobody else can see or acknowledge it.
func TestNotifications(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var rep shieldwall.Report
		e.do(t, "POST", "/api/v1/reports", e.member.token, `{"kind":"other","title":"A caller asked for my password"}`).ok(t, http.StatusCreated, &rep)
		e.do(t, "PATCH", "/api/v1/reports/"+rep.ID, e.security.token, `{"status":"resolved","resolution":"Never give it out; we warned everyone."}`).ok(t, http.StatusOK, nil)

		var l notificationList
		r := e.do(t, "GET", "/api/v1/notifications", e.member.token, "")
		r.ok(t, http.StatusOK, &l)
		checkObjects(t, r.body)
		if len(l.Items) != 1 || l.Total != 1 || l.Unread != 1 {
			t.Fatalf("member's notifications = %d items, total %d, unread %d; want 1, 1, 1", len(l.Items), l.Total, l.Unread)
		}
		n := l.Items[0]
		if n.Kind != shieldwall.NotifyReportAnswered || n.Link != "/reports/"+rep.ID || n.UserID != e.member.ID || n.ReadAt != nil {
			t.Errorf("notification = %+v; want an unread report.answered for the member", n)
		}

		t.Run("OthersSeeNothing", func(t *testing.T) {
			for _, p := range []person{e.champion, e.security, e.admin, e.auditor} {
				var l notificationList
				e.do(t, "GET", "/api/v1/notifications", p.token, "").ok(t, http.StatusOK, &l)
				// Only Finance's champion has news of their own: a colleague reported something.
				want := 0
				if p.ID == e.champion.ID {
					want = 1
				}
				if len(l.Items) != want || l.Unread != want {
					t.Errorf("%s's notifications = %d items, unread %d; want %d", p.Email, len(l.Items), l.Unread, want)
				}
				for _, x := range l.Items {
					if x.ID == n.ID || x.Kind != shieldwall.NotifyReportNew {
						t.Errorf("%s sees %+v", p.Email, x)
					}
				}
				missing := e.do(t, "POST", "/api/v1/notifications/00000000-0000-0000-0000-000000000000/ack", p.token, "")
				mp := missing.problem(t, http.StatusNotFound, shieldwall.ENOTFOUND)
				theirs := e.do(t, "POST", "/api/v1/notifications/"+n.ID+"/ack", p.token, "")
				tp := theirs.problem(t, http.StatusNotFound, shieldwall.ENOTFOUND)
				if tp.Detail != mp.Detail || tp.Title != mp.Title {
					t.Errorf("someone else's notification answers %+v; a missing one %+v; want the same", tp, mp)
				}
			}
		})

		t.Run("ErrUnreadNotABoolean", func(t *testing.T) {
			e.do(t, "GET", "/api/v1/notifications?unread=maybe", e.member.token, "").problem(t, http.StatusBadRequest, shieldwall.EINVALID)
		})

		t.Run("Ack", func(t *testing.T) {
			var got shieldwall.Notification
			e.do(t, "POST", "/api/v1/notifications/"+n.ID+"/ack", e.member.token, "").ok(t, http.StatusOK, &got)
			if got.ID != n.ID || got.ReadAt == nil || got.AckedAt == nil {
				t.Errorf("acknowledged = %+v; want read_at and acked_at set", got)
			}
			var unread notificationList
			e.do(t, "GET", "/api/v1/notifications?unread=true", e.member.token, "").ok(t, http.StatusOK, &unread)
			if len(unread.Items) != 0 || unread.Total != 0 || unread.Unread != 0 {
				t.Errorf("unread after ack = %d items, total %d, unread %d; want none", len(unread.Items), unread.Total, unread.Unread)
			}
			var all notificationList
			e.do(t, "GET", "/api/v1/notifications", e.member.token, "").ok(t, http.StatusOK, &all)
			if len(all.Items) != 1 || all.Unread != 0 {
				t.Errorf("all after ack = %d items, unread %d; want 1, 0", len(all.Items), all.Unread)
			}
		})
	})
}
