package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
	"github.com/shieldwall/shieldwall/internal/testdb"
)

func TestSignIn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Finance", "")
		a.mustUser("alice@example.com", "Alice Example", shieldwall.RoleMember, "Finance", testPassword)

		t.Run("OK", func(t *testing.T) {
			c := a.client()
			r := c.postForm("/signin?next=%2Fpeople", "/signin", url.Values{
				"email": {"Alice@Example.com"}, "password": {testPassword}, "next": {"/people?q=ali"},
			})
			wantLocation(t, r, "/people?q=ali")
			if c.cookie(sessionCookie) == "" {
				t.Fatalf("no %s cookie after sign-in", sessionCookie)
			}
			home := c.get("/")
			wantStatus(t, home, http.StatusOK)
			wantBody(t, home, "Hello, Alice Example", `href="/departments/finance"`)
		})

		t.Run("ErrWrongPassword", func(t *testing.T) {
			c := a.client()
			r := c.postForm("/signin", "/signin", url.Values{"email": {"alice@example.com"}, "password": {"not the password at all"}})
			wantStatus(t, r, http.StatusUnauthorized)
			wantBody(t, r, `value="alice@example.com"`, `role="alert"`, "The email or password is not right.")
			if c.cookie(sessionCookie) != "" {
				t.Error("a failed sign-in set a session cookie")
			}
		})

		t.Run("NextStaysOnSite", func(t *testing.T) {
			for _, next := range []string{"//evil.example/", `/\evil.example`, "https://evil.example/", "/\t/evil.example", "javascript:alert(1)", ""} {
				c := a.client()
				r := c.postForm("/signin", "/signin", url.Values{"email": {"alice@example.com"}, "password": {testPassword}, "next": {next}})
				wantLocation(t, r, "/")
			}
		})

		t.Run("FormCarriesNext", func(t *testing.T) {
			r := a.client().get("/signin?next=%2Fdepartments%2Ffinance")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, `name="next" value="/departments/finance"`, `<label for="f-email">`, `<label for="f-password">`)
		})
	})
}

func TestSignedOutRedirectsToSignIn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		c := a.client()
		wantLocation(t, c.get("/people"), "/signin?next=%2Fpeople")
		wantLocation(t, c.get("/"), "/signin?next=%2F")
		wantLocation(t, c.get("/departments/finance?offset=50"), "/signin?next=%2Fdepartments%2Ffinance%3Foffset%3D50")

		// htmx must load the sign-in page whole, not swap it into a fragment.
		r := c.get("/people?q=x", "HX-Request", "true", "HX-Target", "people-results")
		wantStatus(t, r, http.StatusUnauthorized)
		if got := r.Header.Get("HX-Redirect"); got != "/signin?next=%2Fpeople%3Fq%3Dx" {
			t.Errorf("HX-Redirect %q; want the sign-in page", got)
		}
	})
}

func TestCSRF(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Finance", "")
		a.mustUser("alice@example.com", "Alice Example", shieldwall.RoleMember, "Finance", testPassword)
		creds := url.Values{"email": {"alice@example.com"}, "password": {testPassword}}

		t.Run("ErrSignInWithoutToken", func(t *testing.T) {
			c := a.client()
			c.get("/signin") // has the double-submit cookie, but the form lacks the token
			r := c.post("/signin", creds)
			wantStatus(t, r, http.StatusForbidden)
			if c.cookie(sessionCookie) != "" {
				t.Error("signed in without a CSRF token")
			}
		})

		t.Run("ErrCrossSite", func(t *testing.T) {
			c := a.client()
			form := url.Values{"email": creds["email"], "password": creds["password"], "csrf_token": {c.csrf("/signin")}}
			r := c.post("/signin", form, "Sec-Fetch-Site", "cross-site")
			wantStatus(t, r, http.StatusForbidden)
		})

		t.Run("ErrSignedInPostWithoutToken", func(t *testing.T) {
			c := a.client()
			c.signIn("alice@example.com", testPassword)
			wantStatus(t, c.post("/account/tokens", url.Values{"name": {"sneaky"}}), http.StatusForbidden)
			wantStatus(t, c.post("/signout", url.Values{"csrf_token": {"guessed"}}), http.StatusForbidden)
			wantStatus(t, c.get("/"), http.StatusOK) // still signed in
		})

		t.Run("HeaderTokenFromHtmx", func(t *testing.T) {
			c := a.client()
			c.signIn("alice@example.com", testPassword)
			home := c.get("/")
			m := regexp.MustCompile(`hx-headers="([^"]+)"`).FindStringSubmatch(home.body)
			if m == nil {
				t.Fatal("no hx-headers on <body>")
			}
			hx := html.UnescapeString(m[1])
			token := c.csrf("/")
			if want := `{"X-CSRF-Token":"` + token + `"}`; hx != want {
				t.Fatalf("hx-headers %s; want %s", hx, want)
			}
			wantLocation(t, c.post("/signout", url.Values{}, "X-CSRF-Token", token), "/signin")
		})
	})
}

func TestSessionRotatesAndEnds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Finance", "")
		a.mustUser("alice@example.com", "Alice Example", shieldwall.RoleMember, "Finance", testPassword)

		c := a.client()
		u, _ := url.Parse(a.url)
		// A value planted before sign-in (session fixation) must not survive it.
		c.jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: "planted-by-someone-else", Path: "/", Secure: true}})
		c.signIn("alice@example.com", testPassword)
		first := c.cookie(sessionCookie)
		if first == "" || first == "planted-by-someone-else" {
			t.Fatalf("session cookie after sign-in = %q; want a new value", first)
		}

		// Signing in again, while signed in, issues yet another session and ends the first.
		wantLocation(t, c.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {testPassword}, "csrf_token": {c.csrf("/")}}), "/")
		second := c.cookie(sessionCookie)
		if second == "" || second == first {
			t.Fatalf("second sign-in kept the session %q", second)
		}
		stale := a.client()
		stale.jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: first, Path: "/", Secure: true}})
		wantLocation(t, stale.get("/"), "/signin?next=%2F")

		// Sign-out destroys the session on the server, not only in the browser.
		token := c.csrf("/")
		wantLocation(t, c.post("/signout", url.Values{"csrf_token": {token}}), "/signin")
		if v := c.cookie(sessionCookie); v != "" {
			t.Errorf("session cookie still held after sign-out: %q", v)
		}
		replay := a.client()
		replay.jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: second, Path: "/", Secure: true}})
		wantLocation(t, replay.get("/"), "/signin?next=%2F")
	})
}

func TestSecurityHeaders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Finance", "")
		a.mustUser("alice@example.com", "Alice Example", shieldwall.RoleMember, "Finance", testPassword)
		c := a.client()
		signin := c.get("/signin")
		c.signIn("alice@example.com", testPassword)
		for _, r := range []*response{signin, c.get("/"), c.get("/people"), c.get("/account")} {
			h := r.Header
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") {
				t.Errorf("%s: Content-Security-Policy %q", r.Request.URL.Path, csp)
			}
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "same-origin",
				"Cache-Control":          "no-store",
				"Content-Type":           "text/html; charset=utf-8",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s: %s %q; want %q", r.Request.URL.Path, name, got, want)
				}
			}
			// Nothing inline: the CSP would block it, and it would hide a bug.
			for _, bad := range []string{"<style", " style=", "<script>", " onclick=", " onsubmit=", "javascript:"} {
				if strings.Contains(r.body, bad) {
					t.Errorf("%s: page has inline %q", r.Request.URL.Path, bad)
				}
			}
		}

		t.Run("StaticFiles", func(t *testing.T) {
			home := c.get("/")
			for _, tc := range []struct{ file, ctype string }{
				{"app.css", "text/css; charset=utf-8"},
				{"app.js", "text/javascript; charset=utf-8"},
				{"htmx-2.0.11.min.js", "text/javascript; charset=utf-8"},
			} {
				m := regexp.MustCompile(`/static/` + regexp.QuoteMeta(tc.file) + `\?v=[0-9a-f]+`).FindString(home.body)
				if m == "" {
					t.Errorf("home page does not link a versioned %s", tc.file)
					continue
				}
				r := c.get(m)
				wantStatus(t, r, http.StatusOK)
				if got := r.Header.Get("Content-Type"); got != tc.ctype {
					t.Errorf("%s: Content-Type %q; want %q", m, got, tc.ctype)
				}
				if got := r.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
					t.Errorf("%s: Cache-Control %q; want a year, immutable", m, got)
				}
				if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("%s: X-Content-Type-Options %q", m, got)
				}
			}
			if got := c.get("/static/app.css?v=old").Header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("stale version: Cache-Control %q; want no-cache", got)
			}
			wantStatus(t, c.get("/static/"), http.StatusNotFound)
			wantStatus(t, c.get("/static/nope.js"), http.StatusNotFound)
		})
	})
}

func TestSetupLink(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		token, err := a.acc().StartSetup(t.Context())
		if err != nil || token == "" {
			t.Fatalf("StartSetup = %q, %v", token, err)
		}
		setup := "/setup?token=" + url.QueryEscape(token)
		c := a.client()

		t.Run("ErrWrongToken", func(t *testing.T) {
			r := c.get("/setup?token=wrong")
			wantStatus(t, r, http.StatusForbidden)
			wantBody(t, r, "This set-up link is not valid")
			wantNoBody(t, r, `name="password"`)
		})

		form := func(confirm string) url.Values {
			return url.Values{"token": {token}, "name": {"Ada Admin"}, "email": {"ada@example.com"},
				"department": {"Security"}, "password": {testPassword}, "confirm": {confirm}}
		}
		t.Run("ErrPasswordsDiffer", func(t *testing.T) {
			r := c.postForm(setup, "/setup", form("something else entirely"))
			wantStatus(t, r, http.StatusBadRequest)
			if msg := fieldError(r.body, "confirm"); !strings.Contains(msg, "not the same") {
				t.Errorf("confirm error %q", msg)
			}
			wantBody(t, r, `value="Ada Admin"`, `value="ada@example.com"`)
			wantNoBody(t, r, testPassword)
		})

		t.Run("OK", func(t *testing.T) {
			r := c.get(setup)
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, `name="department" type="text" value="Security"`)
			wantLocation(t, c.postForm(setup, "/setup", form(testPassword)), "/?notice=setup-done")
			home := c.get("/?notice=setup-done")
			wantStatus(t, home, http.StatusOK)
			wantBody(t, home, "Hello, Ada Admin", `href="/admin"`, "Your administrator account is ready")
		})

		t.Run("ErrSecondUse", func(t *testing.T) {
			other := a.client()
			r := other.postForm("/signin", "/setup", url.Values{"token": {token}, "name": {"Mallory"}, "email": {"mallory@example.com"},
				"department": {"Security"}, "password": {testPassword}, "confirm": {testPassword}})
			wantStatus(t, r, http.StatusForbidden)
			wantBody(t, r, "This set-up link is not valid")
			wantStatus(t, other.get(setup), http.StatusForbidden)
			if other.cookie(sessionCookie) != "" {
				t.Error("the used link signed someone in")
			}
		})
	})
}

var departmentOptionRE = regexp.MustCompile(`<option value="([^"]+)"[^>]*>Finance</option>`)

func TestAdminCreatesDepartmentAndPerson(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Security", "")
		a.mustUser("ada@example.com", "Ada Admin", shieldwall.RoleAdmin, "Security", testPassword)
		c := a.client()
		c.signIn("ada@example.com", testPassword)
		wantStatus(t, c.get("/admin"), http.StatusOK)

		t.Run("ErrDepartmentNameRequired", func(t *testing.T) {
			r := c.postForm("/admin/departments/new", "/admin/departments", url.Values{"name": {"  "}, "description": {"Pays the bills & the people"}})
			wantStatus(t, r, http.StatusBadRequest)
			if msg := fieldError(r.body, "name"); msg != "Name is required." {
				t.Errorf("name error %q; want %q", msg, "Name is required.")
			}
			wantBody(t, r, `>Pays the bills &amp; the people</textarea>`, `aria-invalid="true"`, `role="alert"`)
		})

		t.Run("OK", func(t *testing.T) {
			r := c.postForm("/admin/departments/new", "/admin/departments", url.Values{"name": {"Finance"}, "description": {"Pays the bills"}})
			wantLocation(t, r, "/departments/finance?notice=department-created")
			page := c.get("/departments/finance?notice=department-created")
			wantStatus(t, page, http.StatusOK)
			wantBody(t, page, "<h1>Finance</h1>", "Pays the bills", "The department was created.")
		})

		t.Run("ErrDepartmentExists", func(t *testing.T) {
			r := c.postForm("/admin/departments/new", "/admin/departments", url.Values{"name": {"finance"}})
			wantStatus(t, r, http.StatusConflict)
			if msg := fieldError(r.body, "name"); !strings.Contains(msg, "already exists") {
				t.Errorf("name error %q", msg)
			}
		})

		newPerson := c.get("/admin/people/new")
		wantStatus(t, newPerson, http.StatusOK)
		m := departmentOptionRE.FindStringSubmatch(newPerson.body)
		if m == nil {
			t.Fatal("the person form offers no Finance department")
		}
		financeID := m[1]

		t.Run("ErrPersonEmail", func(t *testing.T) {
			r := c.postForm("/admin/people/new", "/admin/people", url.Values{
				"email": {"bob-at-example"}, "name": {"Bob Builder"}, "role": {"champion"}, "department": {financeID},
			})
			wantStatus(t, r, http.StatusBadRequest)
			if msg := fieldError(r.body, "email"); !strings.Contains(msg, "is not an email address") {
				t.Errorf("email error %q", msg)
			}
			wantBody(t, r, `value="bob-at-example"`, `value="Bob Builder"`, `<option value="champion" selected>`,
				`<option value="`+financeID+`" selected>Finance</option>`)
		})

		var bobURL string
		t.Run("PersonOK", func(t *testing.T) {
			r := c.postForm("/admin/people/new", "/admin/people", url.Values{
				"email": {"bob@example.com"}, "name": {"Bob Builder"}, "title": {"Accountant"}, "role": {"member"}, "department": {financeID},
			})
			wantStatus(t, r, http.StatusSeeOther)
			loc := r.Header.Get("Location")
			if !strings.HasPrefix(loc, "/people/") || !strings.HasSuffix(loc, "?notice=person-created") {
				t.Fatalf("Location %q; want the new person's page", loc)
			}
			bobURL, _, _ = strings.Cut(loc, "?")
			page := c.get(loc)
			wantStatus(t, page, http.StatusOK)
			wantBody(t, page, "<h1>Bob Builder</h1>", "Accountant", "bob@example.com", `href="/departments/finance"`, "The person was added.")
		})

		t.Run("PersonBecomesChampion", func(t *testing.T) {
			id := strings.TrimPrefix(bobURL, "/people/")
			r := c.postForm("/admin/people/"+id+"/edit", "/admin/people/"+id, url.Values{
				"name": {"Bob Builder"}, "title": {""}, "role": {"champion"}, "department": {financeID}, "active": {"on"},
			})
			wantLocation(t, r, bobURL+"?notice=person-updated")
			dep := c.get("/departments/finance")
			champions, _, _ := strings.Cut(mainOf(dep.body), `id="people-heading"`)
			if !strings.Contains(champions, "Bob Builder") {
				t.Error("Bob is not among Finance's security champions")
			}
			wantNoBody(t, c.get(bobURL), "Accountant")
		})

		t.Run("ErrDeleteDepartmentWithPeople", func(t *testing.T) {
			edit := "/admin/departments/" + financeID + "/edit"
			r := c.postForm(edit, "/admin/departments/"+financeID+"/delete", url.Values{})
			wantStatus(t, r, http.StatusConflict)
			wantBody(t, r, "still has people")
		})

		t.Run("DeleteEmptyDepartment", func(t *testing.T) {
			d := a.mustDepartment("Old Projects", "")
			r := c.postForm("/admin/departments/"+d.ID+"/edit", "/admin/departments/"+d.ID+"/delete", url.Values{})
			wantLocation(t, r, "/admin?notice=department-deleted")
			wantStatus(t, c.get("/departments/old-projects"), http.StatusNotFound)
		})
	})
}

func TestMemberCannotAdminister(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		d := a.mustDepartment("Finance", "")
		a.mustUser("alice@example.com", "Alice Example", shieldwall.RoleMember, "Finance", testPassword)
		c := a.client()
		c.signIn("alice@example.com", testPassword)

		home := c.get("/")
		wantNoBody(t, home, `href="/admin"`, `href="/audit"`)
		for _, path := range []string{"/admin", "/admin/departments/new", "/admin/people/new", "/admin/departments/" + d.ID + "/edit", "/audit"} {
			r := c.get(path)
			wantStatus(t, r, http.StatusForbidden)
			wantBody(t, r, "You do not have permission to do this.", "Alice Example") // still shown as signed in
		}
		token := c.csrf("/")
		r := c.post("/admin/departments", url.Values{"csrf_token": {token}, "name": {"Shadow IT"}})
		wantStatus(t, r, http.StatusForbidden)
		wantStatus(t, c.get("/departments/shadow-it"), http.StatusNotFound)
	})
}

func TestPeopleDirectory(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Finance", "Pays the bills")
		a.mustDepartment("Legal", "")
		a.mustUser("alice@example.com", "Alice Example", shieldwall.RoleMember, "Finance", testPassword)
		a.mustUser("bob@example.com", "Bob Builder", shieldwall.RoleChampion, "Finance", "")
		a.mustUser("carol@example.com", "Carol Counsel", shieldwall.RoleMember, "Legal", "")
		c := a.client()
		c.signIn("alice@example.com", testPassword)

		t.Run("Search", func(t *testing.T) {
			r := c.get("/people?q=bob")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "Bob Builder", `value="bob"`, "1 person match")
			wantNoBody(t, r, "Carol Counsel")
		})
		t.Run("Filters", func(t *testing.T) {
			r := c.get("/people?department=legal")
			wantBody(t, r, "Carol Counsel", `<option value="legal" selected>Legal</option>`)
			wantNoBody(t, r, "Bob Builder")
			r = c.get("/people?role=champion")
			wantBody(t, r, "Bob Builder", "Security champion")
			if strings.Contains(mainOf(r.body), "Alice Example") {
				t.Error("role=champion lists Alice, a member")
			}
			wantStatus(t, c.get("/people?role=wizard"), http.StatusBadRequest)
			wantStatus(t, c.get("/people?department=nowhere"), http.StatusBadRequest)
		})
		t.Run("Pages", func(t *testing.T) {
			r := c.get("/people?limit=1&q=example")
			wantBody(t, r, "Alice Example", "Showing 1–1 of 3", `href="/people?limit=1&amp;offset=1&amp;q=example"`)
			r = c.get("/people?limit=1&offset=2&q=example")
			wantBody(t, r, "Carol Counsel", `href="/people?limit=1&amp;offset=1&amp;q=example"`)
			wantNoBody(t, r, "Next page")
		})
		t.Run("HtmxFragment", func(t *testing.T) {
			r := c.get("/people?q=carol", "HX-Request", "true", "HX-Target", "people-results")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "Carol Counsel")
			wantNoBody(t, r, "<html", "<nav class=\"main-nav\"")
		})
		t.Run("Empty", func(t *testing.T) {
			wantBody(t, c.get("/people?q=zebra"), "Nobody matches", `href="/people">clear the filters`)
		})
		t.Run("Department", func(t *testing.T) {
			r := c.get("/departments/finance")
			wantStatus(t, r, http.StatusOK)
			wantBody(t, r, "This is your department.", "Pays the bills", "Alice Example", "Bob Builder")
			champions, _, _ := strings.Cut(mainOf(r.body), `id="people-heading"`)
			if !strings.Contains(champions, "Bob Builder") || strings.Contains(champions, "Alice Example") {
				t.Error("the champions section should list Bob and only Bob")
			}
			legal := c.get("/departments/legal")
			wantNoBody(t, legal, "This is your department.")
			wantBody(t, legal, "Legal has no security champion yet.")
			wantStatus(t, c.get("/departments/nowhere"), http.StatusNotFound)
		})
		t.Run("DepartmentList", func(t *testing.T) {
			r := c.get("/departments")
			wantBody(t, r, `href="/departments/finance"`, "2 people", `href="/departments/legal"`, "1 person")
			wantNoBody(t, r, "New department")
		})
	})
}

func TestAccountTokens(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Finance", "")
		a.mustUser("alice@example.com", "Alice Example", shieldwall.RoleMember, "Finance", testPassword)
		c := a.client()
		c.signIn("alice@example.com", testPassword)

		r := c.get("/account")
		wantBody(t, r, "You have no API tokens.")

		r = c.postForm("/account", "/account/tokens", url.Values{"name": {""}})
		wantStatus(t, r, http.StatusBadRequest)
		if msg := fieldError(r.body, "name"); msg == "" {
			t.Error("no error beside the token name")
		}

		r = c.postForm("/account", "/account/tokens", url.Values{"name": {"SIEM import"}})
		wantStatus(t, r, http.StatusCreated)
		secret := regexp.MustCompile(`value="(swt_[^"]+)"`).FindStringSubmatch(r.body)
		if secret == nil {
			t.Fatal("the new token's secret is not shown")
		}
		wantBody(t, r, "shown only this once")
		wantBody(t, c.get("/account"), `<td data-label="Last used">Never</td>`)

		api := func() int {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, a.url+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+secret[1])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := api(); got != http.StatusOK {
			t.Fatalf("API with the new token: %d; want 200", got)
		}

		list := c.get("/account")
		wantBody(t, list, "SIEM import", `<td data-label="Last used"><time datetime=`)
		wantNoBody(t, list, secret[1])
		id := regexp.MustCompile(`action="/account/tokens/([^/"]+)/revoke"`).FindStringSubmatch(list.body)
		if id == nil {
			t.Fatal("no revoke button")
		}
		wantLocation(t, c.postForm("/account", "/account/tokens/"+id[1]+"/revoke", url.Values{}), "/account?notice=token-revoked")
		wantBody(t, c.get("/account?notice=token-revoked"), "The token was revoked.", "Revoked <time")
		if got := api(); got != http.StatusUnauthorized {
			t.Errorf("API with the revoked token: %d; want 401", got)
		}
		wantStatus(t, c.postForm("/account", "/account/tokens/no-such-token/revoke", url.Values{}), http.StatusNotFound)
	})
}

func TestAuditLog(t *testing.T) {
	testdb.Each(t, func(t *testing.T, st *store.Store) {
		a := newApp(t, st)
		a.mustDepartment("Security", "")
		a.mustDepartment("Finance", "")
		a.mustUser("ada@example.com", "Ada Admin", shieldwall.RoleAdmin, "Security", testPassword)
		c := a.client()
		c.signIn("ada@example.com", testPassword)

		r := c.get("/audit")
		wantStatus(t, r, http.StatusOK)
		// Ada chose no time zone in her settings, so the log's times show in
		// UTC, named (TestPageTimesInViewerZone covers someone who chose one).
		wantBody(t, r, "department.create", `created department &#34;Finance&#34;`, "user.create", "session.create", " UTC</time>")
		// Newest first: the sign-in happened after the departments were made.
		if strings.Index(r.body, "session.create") > strings.Index(r.body, "department.create") {
			t.Error("the audit log is not newest first")
		}
		r = c.get("/audit?object_type=department")
		wantBody(t, r, "department.create", `<option value="department" selected>`)
		wantNoBody(t, r, "user.create")
		wantBody(t, c.get("/audit?object_type=report"), "No changes of this kind yet.")
	})
}
