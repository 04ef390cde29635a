package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// TestGovernAPI drives governance through the API: a risk in Finance's
// terms, bad input that names its field or line and changes nothing,
// compliance and the SoA, a meeting's calendar file, and a SaaS review
// that collects its sign-offs and lands in the catalogue.
func TestGovernAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, d := range []string{"Legal", "HR"} {
			if _, err := e.srv.Accounts.CreateDepartment(t.Context(), cli, shieldwall.DepartmentInput{Name: d}); err != nil && shieldwall.ErrorCode(err) != shieldwall.ECONFLICT {
				t.Fatal(err)
			}
		}
		r := e.do(t, "POST", "/api/v1/risks", e.security.token, `{"title":"Bank details fraud","owner_department":"Finance","inherent_likelihood":7,"inherent_impact":3}`)
		if p := r.problem(t, 400, "invalid"); p.Field != "inherent_likelihood" {
			t.Errorf("field = %q; want inherent_likelihood", p.Field)
		}
		var risk shieldwall.Risk
		e.do(t, "POST", "/api/v1/risks", e.champion.token, `{"title":"Bank details fraud","category":"payment-fraud","owner_department":"Finance","inherent_likelihood":4,"inherent_impact":3}`).ok(t, 201, &risk)
		e.do(t, "PUT", "/api/v1/risks/"+risk.ID+"/impacts", e.champion.token, `{"statement":"Up to €250k sent to a criminal","score":5}`).ok(t, 200, &risk)
		if risk.Score != 20 || risk.Level != "critical" {
			t.Errorf("after Finance's impact 5: score %d level %s; want 20 critical", risk.Score, risk.Level)
		}
		var list struct {
			Items   []shieldwall.Risk         `json:"items"`
			HeatMap [5][5]struct{ Count int } `json:"heat_map"`
		}
		e.do(t, "GET", "/api/v1/risks", e.member.token, "").ok(t, 200, &list)
		if len(list.Items) != 1 || list.HeatMap[0][3].Count != 1 {
			t.Errorf("Finance member's register: %d risks, heat map %+v", len(list.Items), list.HeatMap)
		}

		r = e.do(t, "POST", "/api/v1/controls/import", e.security.token, `{"csv":"title,owner_department,colour\nMFA,IT,red\n"}`)
		if p := r.problem(t, 400, "invalid"); !strings.Contains(p.Detail, `line 1, column "colour"`) {
			t.Errorf("detail %q; want the line and column named", p.Detail)
		}
		var imported map[string]int
		e.do(t, "POST", "/api/v1/controls/import", e.security.token, `{"csv":"title,owner_department,status,mappings\nMFA,IT,implemented,iso27001-2022 A.8.5\n"}`).ok(t, 201, &imported)
		if imported["imported"] != 1 {
			t.Errorf("imported %v; want 1", imported)
		}
		var comp struct {
			Items []struct {
				FrameworkID string `json:"framework_id"`
				Overall     struct{ Partial, Total int }
			} `json:"items"`
		}
		e.do(t, "GET", "/api/v1/compliance", e.auditor.token, "").ok(t, 200, &comp)
		for _, c := range comp.Items {
			if c.FrameworkID == "iso27001-2022" && (c.Overall.Total != 93 || c.Overall.Partial != 1) {
				t.Errorf("ISO compliance %+v; want 93 requirements, 1 partial (implemented, no evidence)", c.Overall)
			}
		}
		r = e.do(t, "GET", "/api/v1/frameworks/iso27001-2022/soa.csv", e.auditor.token, "")
		if r.status != 200 || !strings.HasPrefix(string(r.body), "requirement_id,") || !strings.Contains(string(r.body), "A.8.5,8.5,") {
			t.Errorf("SoA: %d %q", r.status, r.body[:min(len(r.body), 200)])
		}
		r = e.send(t, "POST", "/api/v1/frameworks", e.admin.token, strings.NewReader(`{"catalog":{"metadata":{"title":"x"},"groups":"nope"}}`), "application/json")
		r.problem(t, 400, "invalid")

		var m shieldwall.Meeting
		e.do(t, "POST", "/api/v1/meetings", e.security.token, `{"title":"Committee; Q4, review","starts_at":"2027-01-12T14:00:00+01:00","duration_minutes":90}`).ok(t, 201, &m)
		if len(m.Agenda) == 0 {
			t.Errorf("the meeting's agenda is empty; want the new critical risk")
		}
		// The name, {id}.ics, and the page's link, {id}/meeting.ics, answer alike.
		for _, path := range []string{"/api/v1/meetings/" + m.ID + ".ics", "/api/v1/meetings/" + m.ID + "/meeting.ics"} {
			r = e.do(t, "GET", path, e.auditor.token, "")
			if ct := r.header.Get("Content-Type"); r.status != 200 || !strings.HasPrefix(ct, "text/calendar") ||
				!strings.Contains(string(r.body), "SUMMARY:Committee\\; Q4\\, review\r\n") || !strings.Contains(string(r.body), "DTSTART:20270112T130000Z\r\n") {
				t.Errorf("%s: %d %s %q", path, r.status, ct, r.body)
			}
		}
		e.do(t, "GET", "/api/v1/meetings/"+store.NewID()+".ics", e.auditor.token, "").problem(t, 404, "not_found")

		var rev shieldwall.ProjectReview
		e.do(t, "POST", "/api/v1/reviews", e.member.token, `{"title":"Payroll SaaS","data":["employee-data","payment-data"],"cost":20000,"app_name":"PayFlow"}`).ok(t, 201, &rev)
		if got := strings.Join(rev.RequiredSignoff, ","); got != "security,hr,finance" {
			t.Fatalf("required_signoffs %s; want security,hr,finance", got)
		}
		e.do(t, "POST", "/api/v1/reviews/"+rev.ID+"/decisions", e.champion.token, `{"decision":"approve"}`).ok(t, 200, &rev)
		r = e.do(t, "POST", "/api/v1/reviews/"+rev.ID+"/decisions", e.champion.token, `{"duty":"hr","decision":"approve"}`)
		r.problem(t, 403, "forbidden")
		for _, duty := range []string{"hr", "security"} {
			e.do(t, "POST", "/api/v1/reviews/"+rev.ID+"/decisions", e.security.token, `{"duty":"`+duty+`","decision":"approve"}`).ok(t, 200, &rev)
		}
		if rev.Status != "approved" {
			t.Errorf("status %s; want approved", rev.Status)
		}
		var apps struct{ Items []shieldwall.App }
		e.do(t, "GET", "/api/v1/apps", e.member.token, "").ok(t, 200, &apps)
		if len(apps.Items) != 1 || apps.Items[0].Name != "PayFlow" {
			b, _ := json.Marshal(apps)
			t.Errorf("catalogue %s; want PayFlow", b)
		}
		r = e.do(t, "GET", "/api/v1/meetings", e.member.token, "")
		if r.status != http.StatusForbidden {
			t.Errorf("a member lists meetings: %d; want 403", r.status)
		}
	})
}
