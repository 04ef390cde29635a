package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// caseJSON is what the tests read from a case answer.
type caseJSON struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Status       string `json:"status"`
	Confidential bool   `json:"confidential"`
	Roles        []struct {
		Role     string `json:"role"`
		UserID   string `json:"user_id"`
		UserName string `json:"user_name"`
	} `json:"roles"`
	Tasks []struct {
		ID    string `json:"id"`
		Role  string `json:"role"`
		DueAt string `json:"due_at"`
	} `json:"tasks"`
	Clocks []struct {
		ID     string  `json:"id"`
		Basis  string  `json:"basis"`
		DueAt  *string `json:"due_at"`
		Status string  `json:"status"`
	} `json:"clocks"`
	Participants []struct {
		UserID string `json:"user_id"`
	} `json:"participants"`
}

func TestCaseWalkThroughAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		legal := e.mustPerson(t, "legal@example.com", "Lea Legal", shieldwall.RoleMember, "Legal")
		hr := e.mustPerson(t, "hr@example.com", "Hal HR", shieldwall.RoleChampion, "HR")
		it := e.mustPerson(t, "it@example.com", "Ita IT", shieldwall.RoleChampion, "IT")
		// Legal's directory names Lea for both privacy officer and counsel.
		for _, role := range []string{"privacy-officer", "legal-counsel"} {
			e.do(t, "PUT", "/api/v1/departments/legal/duties/"+role, e.security.token, `{"user_id":"`+legal.ID+`"}`).ok(t, 200, nil)
		}
		// A member may not keep another department's directory.
		e.do(t, "PUT", "/api/v1/departments/legal/duties/legal-counsel", e.member.token, `{"user_id":"`+legal.ID+`"}`).problem(t, 403, "forbidden")

		var c caseJSON
		r := e.do(t, "POST", "/api/v1/cases", e.security.token, `{"title":"Customer list sent to the wrong address","type":"personal-data-breach",
			"severity":"SEV2","summary":"An employee emailed 300 customers' addresses to a supplier.","affected":["personal-data","customer-facing"]}`)
		r.ok(t, 201, &c)
		checkObjects(t, r.body)
		if r.header.Get("Location") != "/api/v1/cases/"+c.ID || c.Type != "personal-data-breach" || c.Status != "triage" {
			t.Fatalf("created: %s", r.body)
		}
		holders := map[string]string{}
		for _, ro := range c.Roles {
			holders[ro.Role] = ro.UserID
		}
		if holders["privacy-officer"] != legal.ID || holders["legal-counsel"] != legal.ID || holders["hr-partner"] != hr.ID || holders["it-containment"] != it.ID {
			t.Errorf("role holders: %v", holders)
		}
		var gdpr bool
		for _, k := range c.Clocks {
			if k.Basis == "GDPR art. 33" && k.Status == "running" && k.DueAt != nil {
				gdpr = true
			}
		}
		if !gdpr || len(c.Tasks) == 0 || c.Tasks[0].DueAt == "" {
			t.Fatalf("clocks %+v, tasks %+v", c.Clocks, c.Tasks)
		}

		// Legal, a plain member, works the case through the API; an unrelated member cannot see it.
		e.do(t, "GET", "/api/v1/cases/"+c.ID, legal.token, "").ok(t, 200, nil)
		e.do(t, "GET", "/api/v1/cases/"+c.ID, e.member.token, "").problem(t, 404, "not_found")
		e.do(t, "POST", "/api/v1/cases/"+c.ID+"/ack", legal.token, "").ok(t, 200, nil)

		// A live stream sees the next timeline entry.
		events := openStream(t, e, "/api/v1/cases/"+c.ID+"/events", legal.token)
		e.do(t, "POST", "/api/v1/cases/"+c.ID+"/timeline", e.security.token, `{"kind":"decision","body":"We will notify the authority."}`).ok(t, 201, nil)
		got := events.next(t)
		if !strings.Contains(got, "We will notify the authority.") {
			t.Errorf("stream event: %q", got)
		}

		var filed caseJSON
		e.do(t, "POST", "/api/v1/cases/"+c.ID+"/clock-events", legal.token, `{"event":"gdpr-33-notified","reference":"DPA-7"}`).ok(t, 201, &filed)
		for _, k := range filed.Clocks {
			if k.ID == "gdpr-33" && k.Status != "satisfied" {
				t.Errorf("GDPR clock after filing: %+v", k)
			}
		}
		e.do(t, "POST", "/api/v1/cases/"+c.ID+"/clock-events", legal.token, `{"event":"made-up"}`).problem(t, 400, "invalid")
		e.do(t, "PATCH", "/api/v1/cases/"+c.ID+"/tasks/"+c.Tasks[0].ID, legal.token, `{"status":"done"}`).ok(t, 200, nil)
		e.do(t, "PATCH", "/api/v1/cases/"+c.ID, legal.token, `{"status":"closed"}`).problem(t, 403, "forbidden")
		e.do(t, "PATCH", "/api/v1/cases/"+c.ID, e.security.token, `{"status":"sideways"}`).problem(t, 400, "invalid")
		e.do(t, "GET", "/api/v1/cases/"+c.ID+"/review", e.security.token, "").problem(t, 404, "not_found")
		e.do(t, "PATCH", "/api/v1/cases/"+c.ID, e.security.token, `{"status":"recovered"}`).ok(t, 200, nil)
		e.do(t, "PUT", "/api/v1/cases/"+c.ID+"/review", legal.token, `{"what_happened":"Autocomplete picked the wrong address.","contributing_factors":"No warning on external recipients.","publish":true}`).ok(t, 200, nil)
		var item shieldwall.ActionItem
		e.do(t, "POST", "/api/v1/cases/"+c.ID+"/review/action-items", e.security.token, `{"title":"Warn on external recipients","owner_department":"IT","due_on":"2027-01-15"}`).ok(t, 201, &item)
		e.do(t, "POST", "/api/v1/cases/"+c.ID+"/review/action-items", e.security.token, `{"title":"x","owner_department":"IT","due_on":"15/01/2027"}`).problem(t, 400, "invalid")
		var list struct {
			Items []shieldwall.ActionItem `json:"items"`
			Total int                     `json:"total"`
		}
		e.do(t, "GET", "/api/v1/action-items?department=IT&status=open", it.token, "").ok(t, 200, &list)
		if list.Total != 1 || list.Items[0].ID != item.ID {
			t.Fatalf("IT's open action items: %+v", list)
		}
		e.do(t, "PATCH", "/api/v1/action-items/"+item.ID, it.token, `{"status":"done"}`).ok(t, 200, nil)
		e.do(t, "PATCH", "/api/v1/cases/"+c.ID, e.security.token, `{"status":"closed"}`).ok(t, 200, nil)

		var cases struct {
			Items []caseJSON `json:"items"`
			Total int        `json:"total"`
		}
		e.do(t, "GET", "/api/v1/cases?status=closed&type=personal-data-breach", legal.token, "").ok(t, 200, &cases)
		if cases.Total != 1 || cases.Items[0].ID != c.ID || cases.Items[0].Roles != nil {
			t.Errorf("list: %+v (lists carry no details)", cases)
		}
		var tl struct{ Total int }
		e.do(t, "GET", "/api/v1/cases/"+c.ID+"/timeline", legal.token, "").ok(t, 200, &tl)
		if tl.Total < 10 {
			t.Errorf("timeline has %d entries", tl.Total)
		}
		var pbs struct{ Total int }
		e.do(t, "GET", "/api/v1/playbooks", e.member.token, "").ok(t, 200, &pbs)
		if pbs.Total < 8 {
			t.Errorf("playbooks: %d", pbs.Total)
		}
	})
}

// stream reads server-sent events from an open response.
type stream struct {
	lines chan string
}

func openStream(t *testing.T, e *env, path, token string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &stream{lines: make(chan string, 100)}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	// The stream opens with a comment once the subscription is in place.
	for l := range s.lines {
		if strings.HasPrefix(l, ": connected") {
			break
		}
	}
	return s
}

// next returns the data of the next timeline event.
func (s *stream) next(t *testing.T) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatal("stream closed")
			}
			if data, found := strings.CutPrefix(l, "data: "); found {
				return data
			}
		case <-deadline:
			t.Fatal("no event within 10 s")
		}
	}
}

// TestConfidentialCaseLeaksNowhere plants a marker in every part of a
// confidential case and proves that no answer to a non-participant
// contains it or the case's id, and that the case answers exactly as a
// missing one.
func TestConfidentialCaseLeaksNowhere(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		const marker = "ZEBRA-MARKER-91"
		// The member's own report becomes part of the confidential case.
		var rep struct{ ID string }
		e.do(t, "POST", "/api/v1/reports", e.member.token, `{"kind":"suspicious-behaviour","title":"A colleague copies files at night"}`).ok(t, 201, &rep)
		var c caseJSON
		e.do(t, "POST", "/api/v1/cases", e.security.token, `{"title":"`+marker+` insider","type":"insider-threat","severity":"SEV2","summary":"`+marker+`","report_ids":["`+rep.ID+`"]}`).ok(t, 201, &c)
		if !c.Confidential {
			t.Fatal("insider-threat cases start confidential")
		}
		e.do(t, "POST", "/api/v1/cases/"+c.ID+"/timeline", e.security.token, `{"body":"`+marker+` seen copying files"}`).ok(t, 201, nil)
		e.do(t, "PATCH", "/api/v1/cases/"+c.ID, e.security.token, `{"status":"recovered"}`).ok(t, 200, nil)
		e.do(t, "PUT", "/api/v1/cases/"+c.ID+"/review", e.security.token, `{"what_happened":"`+marker+`"}`).ok(t, 200, nil)
		e.do(t, "POST", "/api/v1/cases/"+c.ID+"/review/action-items", e.security.token, `{"title":"`+marker+` revoke access","owner_department":"Finance","due_on":"2027-01-01"}`).ok(t, 201, nil)

		// Next week's committee meeting builds its agenda from what changed, cases included.
		var meeting struct{ ID string }
		starts := time.Now().UTC().Add(7 * 24 * time.Hour).Format(time.RFC3339)
		e.do(t, "POST", "/api/v1/meetings", e.security.token, `{"title":"Security committee","starts_at":"`+starts+`"}`).ok(t, 201, &meeting)
		if r := e.do(t, "GET", "/api/v1/meetings/"+meeting.ID, e.security.token, ""); !strings.Contains(string(r.body), c.ID) {
			t.Error("the security team's agenda does not list the confidential case it may see")
		}

		missing := store.NewID()
		for _, p := range []person{e.admin, e.auditor, e.champion, e.member} {
			for _, path := range []string{"/api/v1/cases/%s", "/api/v1/cases/%s/timeline", "/api/v1/cases/%s/review", "/api/v1/cases/%s/events"} {
				real := e.do(t, "GET", fmt.Sprintf(path, c.ID), p.token, "")
				fake := e.do(t, "GET", fmt.Sprintf(path, missing), p.token, "")
				real.problem(t, 404, "not_found")
				if strings.ReplaceAll(string(real.body), c.ID, missing) != string(fake.body) {
					t.Errorf("%s %s: confidential answers %s, missing answers %s", p.Email, path, real.body, fake.body)
				}
			}
			for _, w := range []struct{ method, path, body string }{
				{"PATCH", "/api/v1/cases/%s", `{"status":"closed"}`}, {"POST", "/api/v1/cases/%s/timeline", `{"body":"x"}`},
				{"POST", "/api/v1/cases/%s/participants", `{"user_id":"` + p.ID + `"}`}, {"POST", "/api/v1/cases/%s/ack", ""},
			} {
				e.do(t, w.method, fmt.Sprintf(w.path, c.ID), p.token, w.body).problem(t, 404, "not_found")
			}
			// Everything a non-participant can list: nothing mentions the case.
			for _, path := range []string{"/api/v1/cases", "/api/v1/cases?q=ZEBRA", "/api/v1/action-items", "/api/v1/action-items?department=Finance",
				"/api/v1/notifications", "/api/v1/audit", "/api/v1/reports", "/api/v1/reports/" + rep.ID, "/api/v1/audit?object_type=case&object_id=" + c.ID,
				"/api/v1/meetings/" + meeting.ID} {
				r := e.do(t, "GET", path, p.token, "")
				body := strings.ReplaceAll(string(r.body), "object_id="+c.ID, "") // the problem's instance echoes the query
				if strings.Contains(body, marker) || strings.Contains(body, c.ID) {
					t.Errorf("%s GET %s reveals the confidential case (%d bytes)", p.Email, path, len(r.body))
				}
				var list struct {
					Total *int `json:"total"`
				}
				if r.status == 200 && json.Unmarshal(r.body, &list) == nil && list.Total != nil && strings.HasPrefix(path, "/api/v1/cases") && *list.Total != 0 {
					t.Errorf("%s GET %s counts %d cases", p.Email, path, *list.Total)
				}
			}
		}
		// The security team sees it and the link from the report.
		e.do(t, "GET", "/api/v1/cases/"+c.ID, e.security.token, "").ok(t, 200, nil)
		if r := e.do(t, "GET", "/api/v1/reports/"+rep.ID, e.security.token, ""); !strings.Contains(string(r.body), c.ID) {
			t.Error("the security team does not see the report's case link")
		}
	})
}
