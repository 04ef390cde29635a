package api_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
)

// list is the envelope of every list answer.
type list[T any] struct {
	Items      []T  `json:"items"`
	Total      int  `json:"total"`
	Limit      int  `json:"limit"`
	Offset     int  `json:"offset"`
	NextOffset *int `json:"next_offset"`
}

func TestMe(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		t.Run("OK", func(t *testing.T) {
			r := e.do(t, "GET", "/api/v1/me", e.champion.token, "")
			var u shieldwall.User
			r.ok(t, 200, &u)
			if u.ID != e.champion.ID || u.Email != "champ@example.com" || u.Role != shieldwall.RoleChampion || u.DepartmentName != "Finance" {
				t.Errorf("GET /me = %+v; want the champion of Finance", u)
			}
			checkObjects(t, r.body)
			for _, secret := range []string{"argon2", "password_hash", e.champion.token} {
				if strings.Contains(string(r.body), secret) {
					t.Errorf("GET /me = %s; it carries %q", r.body, secret)
				}
			}
		})
		t.Run("ErrNoToken", func(t *testing.T) {
			r := e.do(t, "GET", "/api/v1/me", "", "")
			r.problem(t, 401, shieldwall.EUNAUTHORIZED)
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
		for name, auth := range map[string]string{
			"ErrUnknownToken": "Bearer " + accounts.TokenPrefix + strings.Repeat("A", 43),
			"ErrShortToken":   "Bearer abc",
			"ErrEmptyBearer":  "Bearer ",
			"ErrBasicAuth":    "Basic YWRtaW46YWRtaW4=",
		} {
			t.Run(name, func(t *testing.T) {
				req, _ := http.NewRequestWithContext(t.Context(), "GET", e.url+"/api/v1/me", nil)
				req.Header.Set("Authorization", auth)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != 401 || res.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("GET /me with %q = %d %s; want 401 problem", auth, res.StatusCode, res.Header.Get("Content-Type"))
				}
			})
		}
	})
}

func TestDepartmentsAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var hr shieldwall.Department
		t.Run("Create", func(t *testing.T) {
			before := e.count(t)
			r := e.do(t, "POST", "/api/v1/departments", e.admin.token, `{"name":"Human Resources","description":"People."}`)
			r.ok(t, 201, &hr)
			if hr.ID == "" || hr.Name != "Human Resources" || hr.Slug != "human-resources" || hr.Description != "People." {
				t.Errorf("POST /departments = %+v; want Human Resources", hr)
			}
			if loc := r.header.Get("Location"); loc != "/api/v1/departments/"+hr.ID {
				t.Errorf("Location = %q; want /api/v1/departments/%s", loc, hr.ID)
			}
			checkObjects(t, r.body)
			after := e.count(t)
			if after.departments != before.departments+1 || after.audit != before.audit+1 {
				t.Errorf("rows = %+v; want one more department and audit event than %+v", after, before)
			}
		})
		t.Run("Get", func(t *testing.T) {
			for _, ref := range []string{hr.ID, "human-resources"} {
				var d shieldwall.Department
				e.do(t, "GET", "/api/v1/departments/"+ref, e.member.token, "").ok(t, 200, &d)
				if d.ID != hr.ID {
					t.Errorf("GET /departments/%s = %q; want %q", ref, d.ID, hr.ID)
				}
			}
		})
		t.Run("GetErrNotFound", func(t *testing.T) {
			p := e.do(t, "GET", "/api/v1/departments/nowhere", e.member.token, "").problem(t, 404, shieldwall.ENOTFOUND)
			if !strings.Contains(p.Detail, "nowhere") {
				t.Errorf("detail = %q; want it to name what was not found", p.Detail)
			}
		})
		t.Run("List", func(t *testing.T) {
			var l list[shieldwall.Department]
			r := e.do(t, "GET", "/api/v1/departments", e.member.token, "")
			r.ok(t, 200, &l)
			checkObjects(t, r.body)
			// IT, Legal, Security, Finance from the people, and HR.
			if l.Total != 5 || len(l.Items) != 5 || l.Limit != shieldwall.DefaultLimit || l.Offset != 0 || l.NextOffset != nil {
				t.Errorf("GET /departments = %d items of %d, limit %d offset %d next %v; want 5 of 5, limit 50, offset 0, next null",
					len(l.Items), l.Total, l.Limit, l.Offset, l.NextOffset)
			}
			var names []string
			for _, d := range l.Items {
				names = append(names, d.Name)
			}
			if got := strings.Join(names, ","); got != "Finance,Human Resources,IT,Legal,Security" {
				t.Errorf("names = %s; want them by name", got)
			}
			if l.Items[0].MemberCount != 2 {
				t.Errorf("Finance member_count = %d; want 2", l.Items[0].MemberCount)
			}
		})
		t.Run("ListPaged", func(t *testing.T) {
			var l list[shieldwall.Department]
			e.do(t, "GET", "/api/v1/departments?limit=2&offset=2", e.member.token, "").ok(t, 200, &l)
			if l.Total != 5 || len(l.Items) != 2 || l.Items[0].Name != "IT" || l.NextOffset == nil || *l.NextOffset != 4 {
				t.Errorf("page = %d items of %d, first %v, next %v; want 2 of 5 from IT, next 4", len(l.Items), l.Total, l.Items, l.NextOffset)
			}
		})
		t.Run("ListQuery", func(t *testing.T) {
			var l list[shieldwall.Department]
			e.do(t, "GET", "/api/v1/departments?q=RESOURCE", e.member.token, "").ok(t, 200, &l)
			if l.Total != 1 || len(l.Items) != 1 || l.Items[0].ID != hr.ID {
				t.Errorf("q=RESOURCE = %+v; want Human Resources alone", l)
			}
			e.do(t, "GET", "/api/v1/departments?q=%25", e.member.token, "").ok(t, 200, &l)
			if l.Total != 0 {
				t.Errorf("q=%% = %d departments; want 0 (%% is literal)", l.Total)
			}
		})
		t.Run("Patch", func(t *testing.T) {
			var d shieldwall.Department
			r := e.do(t, "PATCH", "/api/v1/departments/"+hr.ID, e.admin.token, `{"name":"People & Culture","description":"HR."}`)
			r.ok(t, 200, &d)
			if d.ID != hr.ID || d.Name != "People & Culture" || d.Slug != "people-culture" || d.Description != "HR." || !d.CreatedAt.Equal(hr.CreatedAt) {
				t.Errorf("PATCH = %+v; want the renamed department, created when it was", d)
			}
			checkObjects(t, r.body)
		})
		t.Run("PatchKeepsOmittedFields", func(t *testing.T) {
			// PATCH changes what the body names and nothing else.
			var d shieldwall.Department
			e.do(t, "PATCH", "/api/v1/departments/"+hr.ID, e.admin.token, `{"name":"People Team"}`).ok(t, 200, &d)
			if d.Name != "People Team" || d.Description != "HR." {
				t.Errorf("PATCH {name} = name %q, description %q; want People Team, HR. (kept)", d.Name, d.Description)
			}
			r := e.do(t, "PATCH", "/api/v1/departments/"+hr.ID, e.admin.token, `{"description":"Hiring and care."}`)
			if r.status != 200 {
				t.Errorf("PATCH {description} = %d %s; want 200 (the name is kept)", r.status, r.body)
			}
			// Put the name back for the subtests below.
			e.do(t, "PATCH", "/api/v1/departments/"+hr.ID, e.admin.token, `{"name":"People & Culture","description":"HR."}`).ok(t, 200, nil)
		})
		t.Run("PatchErrNotFound", func(t *testing.T) {
			e.do(t, "PATCH", "/api/v1/departments/nowhere", e.admin.token, `{"name":"X"}`).problem(t, 404, shieldwall.ENOTFOUND)
		})
		t.Run("PatchErrNameTaken", func(t *testing.T) {
			before := e.count(t)
			p := e.do(t, "PATCH", "/api/v1/departments/"+hr.ID, e.admin.token, `{"name":"finance"}`).problem(t, 409, shieldwall.ECONFLICT)
			if !strings.Contains(p.Detail, "finance") || p.Field != "name" {
				t.Errorf("problem = %+v; want it to name the taken name and the field", p)
			}
			e.unchanged(t, before)
		})
		t.Run("CreateErrNameTaken", func(t *testing.T) {
			before := e.count(t)
			p := e.do(t, "POST", "/api/v1/departments", e.admin.token, `{"name":"FINANCE"}`).problem(t, 409, shieldwall.ECONFLICT)
			if p.Field != "name" || !strings.Contains(p.Detail, "already exists") {
				t.Errorf("problem = %+v; want field name and a detail saying it exists", p)
			}
			e.unchanged(t, before)
		})
		t.Run("CreateErrForbidden", func(t *testing.T) {
			before := e.count(t)
			for _, p := range []person{e.member, e.champion, e.security, e.auditor} {
				e.do(t, "POST", "/api/v1/departments", p.token, `{"name":"Shadow IT"}`).problem(t, 403, shieldwall.EFORBIDDEN)
			}
			e.do(t, "POST", "/api/v1/departments", "", `{"name":"Shadow IT"}`).problem(t, 401, shieldwall.EUNAUTHORIZED)
			e.unchanged(t, before)
		})
		t.Run("Delete", func(t *testing.T) {
			var d shieldwall.Department
			e.do(t, "POST", "/api/v1/departments", e.admin.token, `{"name":"Temporary"}`).ok(t, 201, &d)
			e.do(t, "DELETE", "/api/v1/departments/"+d.ID, e.admin.token, "").ok(t, 204, nil)
			e.do(t, "GET", "/api/v1/departments/"+d.ID, e.admin.token, "").problem(t, 404, shieldwall.ENOTFOUND)
			e.do(t, "DELETE", "/api/v1/departments/"+d.ID, e.admin.token, "").problem(t, 404, shieldwall.ENOTFOUND)
		})
		t.Run("DeleteErrHasPeople", func(t *testing.T) {
			before := e.count(t)
			p := e.do(t, "DELETE", "/api/v1/departments/finance", e.admin.token, "").problem(t, 409, shieldwall.ECONFLICT)
			if !strings.Contains(p.Detail, "people") {
				t.Errorf("detail = %q; want it to say the department has people", p.Detail)
			}
			e.unchanged(t, before)
		})
		t.Run("DeleteErrForbidden", func(t *testing.T) {
			e.do(t, "DELETE", "/api/v1/departments/"+hr.ID, e.member.token, "").problem(t, 403, shieldwall.EFORBIDDEN)
		})
	})
}

func TestUsersAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		t.Run("Create", func(t *testing.T) {
			before := e.count(t)
			var u shieldwall.User
			r := e.do(t, "POST", "/api/v1/users", e.admin.token,
				`{"email":"Grace@Example.com","name":"Grace Hopper","title":"Rear Admiral","role":"security","department":"security","password":"a long enough password"}`)
			r.ok(t, 201, &u)
			if u.Email != "grace@example.com" || u.Role != shieldwall.RoleSecurity || u.DepartmentID != e.security.DepartmentID || !u.HasPassword || !u.Active {
				t.Errorf("POST /users = %+v; want Grace in Security with a password", u)
			}
			if strings.Contains(string(r.body), "a long enough password") || strings.Contains(string(r.body), "argon2") {
				t.Errorf("POST /users answered %s: the password or its hash is echoed", r.body)
			}
			if loc := r.header.Get("Location"); loc != "/api/v1/users/"+u.ID {
				t.Errorf("Location = %q; want /api/v1/users/%s", loc, u.ID)
			}
			checkObjects(t, r.body)
			after := e.count(t)
			if after.users != before.users+1 || after.audit != before.audit+1 || after.departments != before.departments {
				t.Errorf("rows = %+v; want one more user and audit event than %+v", after, before)
			}
			var got shieldwall.User
			e.do(t, "GET", "/api/v1/users/"+u.ID, e.member.token, "").ok(t, 200, &got)
			if got.ID != u.ID || got.Email != u.Email {
				t.Errorf("GET /users/%s = %+v; want Grace", u.ID, got)
			}
		})
		for _, tc := range []struct {
			name, body, code, field, detail string
			status                          int
		}{
			{"ErrEmailTaken", `{"email":"MEMBER@example.com","name":"M2","department":"Finance"}`, shieldwall.ECONFLICT, "email", "member@example.com", 409},
			// The API never creates departments as a side effect: nothing new may appear.
			{"ErrUnknownDepartment", `{"email":"new@example.com","name":"New","department":"Atlantis"}`, shieldwall.EINVALID, "department", "Atlantis", 400},
			{"ErrBadRole", `{"email":"new@example.com","name":"New","department":"Finance","role":"king"}`, shieldwall.EINVALID, "role", "king", 400},
			{"ErrBadEmail", `{"email":"new","name":"New","department":"Finance"}`, shieldwall.EINVALID, "email", "new", 400},
			{"ErrNameRequired", `{"email":"new@example.com","department":"Finance"}`, shieldwall.EINVALID, "name", "Name", 400},
			{"ErrShortPassword", `{"email":"new@example.com","name":"New","department":"Finance","password":"short"}`, shieldwall.EINVALID, "password", "12", 400},
			{"ErrUnknownField", `{"email":"new@example.com","name":"New","department":"Finance","admin":true}`, shieldwall.EINVALID, "admin", `"admin"`, 400},
			{"ErrWrongType", `{"email":"new@example.com","name":42,"department":"Finance"}`, shieldwall.EINVALID, "name", `"name"`, 400},
		} {
			t.Run("Create"+tc.name, func(t *testing.T) {
				before := e.count(t)
				p := e.do(t, "POST", "/api/v1/users", e.admin.token, tc.body).problem(t, tc.status, tc.code)
				if p.Field != tc.field || !strings.Contains(p.Detail, tc.detail) {
					t.Errorf("problem = field %q detail %q; want field %q and a detail naming %q", p.Field, p.Detail, tc.field, tc.detail)
				}
				e.unchanged(t, before)
			})
		}
		t.Run("CreateErrForbidden", func(t *testing.T) {
			before := e.count(t)
			e.do(t, "POST", "/api/v1/users", e.security.token, `{"email":"x@example.com","name":"X","department":"Finance"}`).problem(t, 403, shieldwall.EFORBIDDEN)
			e.unchanged(t, before)
		})
		t.Run("GetErrNotFound", func(t *testing.T) {
			e.do(t, "GET", "/api/v1/users/00000000-0000-0000-0000-000000000000", e.member.token, "").problem(t, 404, shieldwall.ENOTFOUND)
		})
		t.Run("Patch", func(t *testing.T) {
			var u shieldwall.User
			e.do(t, "PATCH", "/api/v1/users/"+e.member.ID, e.admin.token, `{"title":"Controller","department":"Legal"}`).ok(t, 200, &u)
			if u.Title != "Controller" || u.DepartmentName != "Legal" || u.Name != e.member.Name || u.Role != shieldwall.RoleMember {
				t.Errorf("PATCH = %+v; want the new title and department, the rest unchanged", u)
			}
		})
		t.Run("PatchErrUnknownDepartment", func(t *testing.T) {
			before := e.count(t)
			e.do(t, "PATCH", "/api/v1/users/"+e.champion.ID, e.admin.token, `{"name":"Renamed","department":"Atlantis"}`).problem(t, 400, shieldwall.EINVALID)
			e.unchanged(t, before)
			var u shieldwall.User
			e.do(t, "GET", "/api/v1/users/"+e.champion.ID, e.admin.token, "").ok(t, 200, &u)
			if u.Name != e.champion.Name {
				t.Errorf("name after a refused change = %q; want %q (nothing half-written)", u.Name, e.champion.Name)
			}
		})
		t.Run("PatchErrForbidden", func(t *testing.T) {
			e.do(t, "PATCH", "/api/v1/users/"+e.member.ID, e.member.token, `{"role":"admin"}`).problem(t, 403, shieldwall.EFORBIDDEN)
		})
		t.Run("DeactivatedTokenStops", func(t *testing.T) {
			p := e.mustPerson(t, "leaver@example.com", "Lea Ver", shieldwall.RoleMember, "Finance")
			e.do(t, "GET", "/api/v1/me", p.token, "").ok(t, 200, nil)
			e.do(t, "PATCH", "/api/v1/users/"+p.ID, e.admin.token, `{"active":false}`).ok(t, 200, nil)
			e.do(t, "GET", "/api/v1/me", p.token, "").problem(t, 401, shieldwall.EUNAUTHORIZED)
		})
	})
}

func TestUsersList(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// Five people from newEnv plus 25 more in Sales.
		for i := range 25 {
			e.mustPerson(t, fmt.Sprintf("seller%02d@example.com", i), fmt.Sprintf("Seller %02d", i), shieldwall.RoleMember, "Sales")
		}
		get := func(t *testing.T, query string) list[shieldwall.User] {
			t.Helper()
			var l list[shieldwall.User]
			r := e.do(t, "GET", "/api/v1/users?"+query, e.member.token, "")
			r.ok(t, 200, &l)
			checkObjects(t, r.body)
			return l
		}
		t.Run("OK", func(t *testing.T) {
			l := get(t, "")
			if l.Total != 30 || len(l.Items) != 30 || l.Limit != 50 || l.NextOffset != nil {
				t.Errorf("GET /users = %d of %d, limit %d, next %v; want 30 of 30, limit 50, next null", len(l.Items), l.Total, l.Limit, l.NextOffset)
			}
		})
		t.Run("Pages", func(t *testing.T) {
			seen := map[string]bool{}
			offset := 0
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("more than 10 pages of 7")
				}
				l := get(t, fmt.Sprintf("limit=7&offset=%d", offset))
				if l.Total != 30 || l.Limit != 7 || l.Offset != offset {
					t.Fatalf("page at %d: total %d limit %d offset %d; want 30, 7, %d", offset, l.Total, l.Limit, l.Offset, offset)
				}
				for _, u := range l.Items {
					if seen[u.ID] {
						t.Errorf("%s seen on two pages", u.Email)
					}
					seen[u.ID] = true
				}
				if l.NextOffset == nil {
					break
				}
				offset = *l.NextOffset
			}
			if len(seen) != 30 {
				t.Errorf("paging saw %d people; want 30", len(seen))
			}
		})
		for _, tc := range []struct {
			query string
			total int
		}{
			{"q=seller", 25},
			{"q=SELLER%2007", 1},
			{"q=ada%20admin", 1},
			{"q=%25", 0},
			{"q=_", 0},
			{"role=admin", 1},
			{"role=member", 26},
			{"department=sales", 25},
			{"department=Finance", 2},
			{"department=finance&role=champion", 1},
			{"department=sales&q=seller%2001&limit=1", 1},
			{"q=nobody-like-this", 0},
		} {
			t.Run("Filter/"+tc.query, func(t *testing.T) {
				if l := get(t, tc.query); l.Total != tc.total {
					t.Errorf("GET /users?%s total = %d; want %d", tc.query, l.Total, tc.total)
				}
			})
		}
		for _, tc := range []struct{ query, field string }{
			{"limit=1001", "limit"},
			{"limit=abc", "limit"},
			{"limit=0", "limit"},
			{"limit=-5", "limit"},
			{"offset=-1", "offset"},
			{"offset=x", "offset"},
			{"role=king", "role"},
			{"department=atlantis", "department"},
		} {
			t.Run("Err/"+tc.query, func(t *testing.T) {
				p := e.do(t, "GET", "/api/v1/users?"+tc.query, e.member.token, "").problem(t, 400, shieldwall.EINVALID)
				if p.Field != tc.field || !strings.Contains(p.Detail, strings.SplitN(tc.query, "=", 2)[1]) && !strings.Contains(p.Detail, tc.field) {
					t.Errorf("problem = field %q detail %q; want field %q and a detail that says what is wrong", p.Field, p.Detail, tc.field)
				}
			})
		}
		t.Run("Limit1000", func(t *testing.T) {
			if l := get(t, "limit=1000"); l.Limit != 1000 || len(l.Items) != 30 {
				t.Errorf("limit=1000 = limit %d, %d items; want 1000, 30", l.Limit, len(l.Items))
			}
		})
		t.Run("PastTheEnd", func(t *testing.T) {
			if l := get(t, "offset=100"); l.Total != 30 || len(l.Items) != 0 || l.Items == nil || l.NextOffset != nil {
				t.Errorf("offset=100 = %d items (nil %v) of %d, next %v; want [] of 30, next null", len(l.Items), l.Items == nil, l.Total, l.NextOffset)
			}
		})
	})
}

// TestBadInput sends every kind of bad body to every route that takes one:
// each gets a 4xx problem that says what is wrong, and nothing is written.
func TestBadInput(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		routes := []struct{ method, path string }{
			{"POST", "/api/v1/departments"},
			{"PATCH", "/api/v1/departments/finance"},
			{"POST", "/api/v1/users"},
			{"PATCH", "/api/v1/users/" + e.member.ID},
			{"POST", "/api/v1/me/tokens"},
		}
		huge := `{"name":"` + strings.Repeat("a", 2<<20) + `"}`
		for _, tc := range []struct {
			name, body, contentType string
			status                  int
			code, detail            string
		}{
			{"ErrMalformed", `{"name": "x",}`, "application/json", 400, shieldwall.EINVALID, "not valid JSON"},
			{"ErrTruncated", `{"name": "x"`, "application/json", 400, shieldwall.EINVALID, "ends too early"},
			{"ErrUnknownField", `{"name":"x","nickname":"y"}`, "application/json", 400, shieldwall.EINVALID, `"nickname"`},
			{"ErrTrailing", `{"name":"x"}{"name":"y"}`, "application/json", 400, shieldwall.EINVALID, "exactly one JSON object"},
			{"ErrWrongType", `{"name":["x"]}`, "application/json", 400, shieldwall.EINVALID, `"name"`},
			{"ErrArray", `[{"name":"x"}]`, "application/json", 400, shieldwall.EINVALID, "JSON object"},
			{"ErrEmpty", ``, "application/json", 400, shieldwall.EINVALID, "empty"},
			{"ErrNotJSON", `name=x`, "application/x-www-form-urlencoded", 400, shieldwall.EINVALID, "JSON"},
			{"ErrTooLarge", huge, "application/json", 413, shieldwall.ETOOLARGE, "larger than"},
		} {
			for _, rt := range routes {
				t.Run(tc.name+"/"+rt.method+rt.path, func(t *testing.T) {
					before := e.count(t)
					r := e.send(t, rt.method, rt.path, e.admin.token, strings.NewReader(tc.body), tc.contentType)
					p := r.problem(t, tc.status, tc.code)
					if !strings.Contains(p.Detail, tc.detail) {
						t.Errorf("detail = %q; want it to say %q", p.Detail, tc.detail)
					}
					e.unchanged(t, before)
				})
			}
		}
	})
}

// TestNoInternalErrorsFromInput sends text the databases may refuse (NUL,
// invalid UTF-8) in paths and query strings: the answer is never a 500.
func TestNoInternalErrorsFromInput(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, path := range []string{
			"/api/v1/departments/%00",
			"/api/v1/departments/%FF",
			"/api/v1/users/%00",
			"/api/v1/users/%C3%28",
			"/api/v1/users?q=%00",
			"/api/v1/users?q=%FF",
			"/api/v1/users?department=%00",
			"/api/v1/departments?q=%00",
			"/api/v1/departments?q=%FE",
			"/api/v1/audit?object_id=%00",
			"/api/v1/audit?actor_id=%FF",
			"/api/v1/users?offset=9223372036854775807",
			"/api/v1/users?q=%5C",
			"/api/v1/departments?q=%5C%25%5C_",
			"/api/v1/users?q=%27%3B%20DROP%20TABLE%20users%3B%20--",
		} {
			t.Run(path, func(t *testing.T) {
				r := e.do(t, "GET", path, e.admin.token, "")
				if r.status >= 500 {
					t.Errorf("GET %s = %d %s; want a 2xx or 4xx answer", path, r.status, r.body)
				}
				if r.status >= 400 && r.status < 500 {
					r.problem(t, r.status, map[int]string{400: shieldwall.EINVALID, 404: shieldwall.ENOTFOUND}[r.status])
				}
			})
		}
		for _, tc := range []struct{ name, method, path, body string }{
			{"DepartmentNameNUL", "POST", "/api/v1/departments", `{"name":"Fin\u0000ance"}`},
			{"DepartmentNameInvalidUTF8", "POST", "/api/v1/departments", "{\"name\":\"Fin\xffance\"}"},
			{"DepartmentNameLoneSurrogate", "POST", "/api/v1/departments", `{"name":"\ud800"}`},
			{"DepartmentPatchNULPath", "PATCH", "/api/v1/departments/%00", `{"name":"X"}`},
			{"UserDepartmentNUL", "POST", "/api/v1/users", `{"email":"n@example.com","name":"N","department":"\u0000"}`},
			{"UserEmailNUL", "POST", "/api/v1/users", `{"email":"n\u0000@example.com","name":"N","department":"Finance"}`},
			{"UserPatchDepartmentNUL", "PATCH", "/api/v1/users/" + e.member.ID, `{"department":"Fin\u0000"}`},
			{"TokenNameNUL", "POST", "/api/v1/me/tokens", `{"name":"\u0000"}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := e.count(t)
				r := e.do(t, tc.method, tc.path, e.admin.token, tc.body)
				if r.status >= 500 {
					t.Errorf("%s %s %q = %d %s; want a 2xx or 4xx answer", tc.method, tc.path, tc.body, r.status, r.body)
				}
				if r.status >= 400 {
					e.unchanged(t, before)
				}
			})
		}
	})
}

// TestUnknownRoutes: a client that calls a route that does not exist, or
// with the wrong method, is told so in the API's own problem format.
func TestUnknownRoutes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		t.Run("ErrNotFound", func(t *testing.T) {
			e.do(t, "GET", "/api/v1/no-such-thing", e.admin.token, "").problem(t, 404, shieldwall.ENOTFOUND)
		})
		t.Run("ErrMethod", func(t *testing.T) {
			r := e.do(t, "PUT", "/api/v1/me", e.admin.token, `{}`)
			if r.status != 404 && r.status != 405 {
				t.Errorf("PUT /api/v1/me = %d; want 404 or 405", r.status)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("PUT /api/v1/me Content-Type = %q (body %q); want application/problem+json", ct, r.body)
			}
		})
	})
}

func TestInternalErrorsSayNothing(t *testing.T) {
	// The errors below are expected: keep their log lines out of the test output.
	log := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	t.Cleanup(func() { slog.SetDefault(log) })
	each(t, func(t *testing.T, e *env) {
		// A database that has gone away makes every read fail inside the store.
		if err := e.st.Close(); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/api/v1/departments", "/api/v1/users", "/api/v1/audit", "/api/v1/me"} {
			r := e.do(t, "GET", path, e.admin.token, "")
			if r.status < 500 && r.status != 401 {
				t.Errorf("GET %s with the database closed = %d; want 5xx (or 401: the token cannot be checked)", path, r.status)
			}
			p := r.problem(t, r.status, map[int]string{500: shieldwall.EINTERNAL, 503: shieldwall.EUNAVAILABLE, 401: shieldwall.EUNAUTHORIZED}[r.status])
			if r.status == 500 && p.Detail != "An internal error occurred." {
				t.Errorf("detail = %q; want the generic message", p.Detail)
			}
		}
		r := e.do(t, "GET", "/readyz", "", "")
		r.problem(t, 503, shieldwall.EUNAVAILABLE)
	})
}

func TestAuditAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, tc := range []struct {
			who    string
			token  string
			status int
			code   string
		}{
			{"admin", e.admin.token, 200, ""},
			{"auditor", e.auditor.token, 200, ""},
			{"security", e.security.token, 403, shieldwall.EFORBIDDEN},
			{"champion", e.champion.token, 403, shieldwall.EFORBIDDEN},
			{"member", e.member.token, 403, shieldwall.EFORBIDDEN},
			{"nobody", "", 401, shieldwall.EUNAUTHORIZED},
		} {
			t.Run(tc.who, func(t *testing.T) {
				r := e.do(t, "GET", "/api/v1/audit", tc.token, "")
				if tc.status != 200 {
					r.problem(t, tc.status, tc.code)
					return
				}
				var l list[shieldwall.AuditEvent]
				r.ok(t, 200, &l)
				checkObjects(t, r.body)
				// newEnv: 4 new departments, 5 users, 5 tokens.
				if l.Total != 14 || len(l.Items) != 14 {
					t.Fatalf("GET /audit = %d of %d; want 14 of 14", len(l.Items), l.Total)
				}
				for i := 1; i < len(l.Items); i++ {
					if l.Items[i].Seq >= l.Items[i-1].Seq {
						t.Errorf("seq %d listed after %d; want newest first", l.Items[i].Seq, l.Items[i-1].Seq)
					}
				}
				if ev := l.Items[0]; ev.Action != "token.create" || ev.ActorLabel != "system (test)" || len(ev.Hash) != 64 || ev.ID != fmt.Sprint(ev.Seq) {
					t.Errorf("newest event = %+v; want the last token.create by system (test) with its hash", ev)
				}
			})
		}
		t.Run("Filter", func(t *testing.T) {
			var l list[shieldwall.AuditEvent]
			e.do(t, "GET", "/api/v1/audit?object_type=user&object_id="+e.member.ID, e.auditor.token, "").ok(t, 200, &l)
			if l.Total != 1 || l.Items[0].Action != "user.create" {
				t.Errorf("audit of the member = %+v; want the one user.create", l)
			}
			e.do(t, "GET", "/api/v1/audit?limit=1001", e.auditor.token, "").problem(t, 400, shieldwall.EINVALID)
		})
	})
}

func TestTokensAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var created struct {
			shieldwall.APIToken
			Token string `json:"token"`
		}
		t.Run("Create", func(t *testing.T) {
			r := e.do(t, "POST", "/api/v1/me/tokens", e.member.token, `{"name":"laptop"}`)
			r.ok(t, 201, &created)
			checkObjects(t, r.body)
			if !strings.HasPrefix(created.Token, accounts.TokenPrefix) || created.UserID != e.member.ID || created.Name != "laptop" {
				t.Fatalf("POST /me/tokens = %+v; want a swt_ token named laptop for the member", created)
			}
			var me shieldwall.User
			e.do(t, "GET", "/api/v1/me", created.Token, "").ok(t, 200, &me)
			if me.ID != e.member.ID {
				t.Errorf("GET /me with the new token = %q; want the member", me.ID)
			}
		})
		t.Run("List", func(t *testing.T) {
			r := e.do(t, "GET", "/api/v1/me/tokens", e.member.token, "")
			var l list[shieldwall.APIToken]
			r.ok(t, 200, &l)
			checkObjects(t, r.body)
			if l.Total != 2 || len(l.Items) != 2 {
				t.Errorf("GET /me/tokens = %d of %d; want 2 of 2 (newEnv's and laptop)", len(l.Items), l.Total)
			}
			if strings.Contains(string(r.body), created.Token) || strings.Contains(string(r.body), e.member.token) ||
				strings.Contains(string(r.body), `"token"`) || strings.Contains(string(r.body), "hash") {
				t.Errorf("token list %s carries a secret or its hash", r.body)
			}
		})
		t.Run("OnlyOwnTokens", func(t *testing.T) {
			var l list[shieldwall.APIToken]
			e.do(t, "GET", "/api/v1/me/tokens", e.admin.token, "").ok(t, 200, &l)
			for _, tok := range l.Items {
				if tok.UserID != e.admin.ID {
					t.Errorf("admin's token list holds %s's token", tok.UserID)
				}
			}
			e.do(t, "DELETE", "/api/v1/me/tokens/"+created.ID, e.admin.token, "").problem(t, 404, shieldwall.ENOTFOUND)
			e.do(t, "GET", "/api/v1/me", created.Token, "").ok(t, 200, nil)
		})
		t.Run("NotStoredInClear", func(t *testing.T) {
			secret := strings.TrimPrefix(created.Token, accounts.TokenPrefix)
			rows, err := e.db.QueryContext(t.Context(), "SELECT id, user_id, name, token_hash FROM api_tokens")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var id, user, name, hash string
				if err := rows.Scan(&id, &user, &name, &hash); err != nil {
					t.Fatal(err)
				}
				n++
				for _, col := range []string{id, user, name, hash} {
					if strings.Contains(col, secret) {
						t.Errorf("api_tokens row %s holds the token's secret", id)
					}
				}
				if len(hash) != 64 {
					t.Errorf("token_hash = %q; want a 64-digit hex hash", hash)
				}
			}
			if n != 6 {
				t.Errorf("api_tokens has %d rows; want 6", n)
			}
			if e.dialect == "sqlite" {
				for _, f := range []string{e.cfg.Path, e.cfg.Path + "-wal"} {
					b, err := os.ReadFile(f)
					if err != nil {
						continue
					}
					if bytes.Contains(b, []byte(secret)) {
						t.Errorf("%s contains the token's secret", f)
					}
				}
			}
		})
		t.Run("Revoke", func(t *testing.T) {
			e.do(t, "DELETE", "/api/v1/me/tokens/"+created.ID, e.member.token, "").ok(t, 204, nil)
			e.do(t, "GET", "/api/v1/me", created.Token, "").problem(t, 401, shieldwall.EUNAUTHORIZED)
			e.do(t, "POST", "/api/v1/me/tokens", created.Token, `{"name":"resurrect"}`).problem(t, 401, shieldwall.EUNAUTHORIZED)
			var l list[shieldwall.APIToken]
			e.do(t, "GET", "/api/v1/me/tokens", e.member.token, "").ok(t, 200, &l)
			for _, tok := range l.Items {
				if tok.ID == created.ID && tok.RevokedAt == nil {
					t.Errorf("revoked token listed without revoked_at")
				}
			}
			// The member's other token still works.
			e.do(t, "GET", "/api/v1/me", e.member.token, "").ok(t, 200, nil)
		})
		t.Run("ErrNameTooLong", func(t *testing.T) {
			before := e.count(t)
			e.do(t, "POST", "/api/v1/me/tokens", e.member.token, `{"name":"`+strings.Repeat("n", 101)+`"}`).problem(t, 400, shieldwall.EINVALID)
			e.unchanged(t, before)
		})
	})
}
