package web_test

import (
	"bytes"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/server"
	"github.com/shieldwall/shieldwall/internal/store"
)

// testPassword is long enough for the password rule; every test user shares it.
const testPassword = "correct horse battery staple"

// sessionCookie is the session cookie's name on loopback, where browsers
// treat plain HTTP as a secure context.
const sessionCookie = "__Host-shieldwall_session"

// app is the real application on a real database, served over loopback HTTP.
type app struct {
	t   *testing.T
	srv *server.Server
	url string
}

// newApp starts the whole server over st, as `shieldwall serve` would.
func newApp(t *testing.T, st *store.Store) *app {
	t.Helper()
	srv := server.New(st, slog.New(slog.DiscardHandler))
	ts := httptest.NewServer(srv.Handler)
	// Registered after the store's cleanup, so it runs first: the server
	// stops before its database closes.
	t.Cleanup(ts.Close)
	return &app{t: t, srv: srv, url: ts.URL}
}

func (a *app) acc() *accounts.Service { return a.srv.Accounts }

// mustDepartment creates a department as the command line would.
func (a *app) mustDepartment(name, description string) shieldwall.Department {
	a.t.Helper()
	d, err := a.acc().CreateDepartment(a.t.Context(), shieldwall.SystemActor("test"), shieldwall.DepartmentInput{Name: name, Description: description})
	if err != nil {
		a.t.Fatalf("CreateDepartment(%q): %v", name, err)
	}
	return d
}

// mustUser creates a person; an empty password leaves them without one
// (and saves the ~100 ms an argon2id hash costs).
func (a *app) mustUser(email, name string, role shieldwall.Role, department, password string) shieldwall.User {
	a.t.Helper()
	u, err := a.acc().CreateUser(a.t.Context(), shieldwall.SystemActor("test"), shieldwall.UserInput{
		Email: email, Name: name, Role: role, Department: department, Password: password,
	}, accounts.CreateUserOptions{})
	if err != nil {
		a.t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

// actorOf is the actor u acts as when signed in.
func actorOf(u shieldwall.User) shieldwall.Actor {
	return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}
}

// mustReport files a report as u would from the portal.
func (a *app) mustReport(u shieldwall.User, in shieldwall.ReportInput) shieldwall.Report {
	a.t.Helper()
	r, err := a.srv.Intake.Submit(a.t.Context(), actorOf(u), in, shieldwall.SourcePortal, nil)
	if err != nil {
		a.t.Fatalf("Submit(%q): %v", in.Title, err)
	}
	return r
}

// client is a browser stand-in: a cookie jar, and no automatic redirects so
// that tests see each 303 and its Location.
type client struct {
	t    *testing.T
	base string
	jar  http.CookieJar
	http *http.Client
}

func (a *app) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return &client{t: a.t, base: a.url, jar: jar, http: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// response is an answer with its body read.
type response struct {
	*http.Response
	body string
}

// do sends a request; headers come as name, value pairs.
func (c *client) do(method, path string, body io.Reader, headers ...string) *response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &response{Response: resp, body: string(b)}
}

func (c *client) get(path string, headers ...string) *response {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, headers...)
}

func (c *client) post(path string, form url.Values, headers ...string) *response {
	c.t.Helper()
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()), headers...)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf loads page and returns the CSRF token its forms carry.
func (c *client) csrf(page string) string {
	c.t.Helper()
	r := c.get(page)
	m := csrfRE.FindStringSubmatch(r.body)
	if m == nil {
		c.t.Fatalf("GET %s (%d): no csrf_token field in the page", page, r.StatusCode)
	}
	return html.UnescapeString(m[1])
}

// postForm posts form from page with the token that page carries.
func (c *client) postForm(page, action string, form url.Values) *response {
	c.t.Helper()
	form.Set("csrf_token", c.csrf(page))
	return c.post(action, form)
}

// upload is one file of a multipart form.
type upload struct {
	field, name string
	data        []byte
}

// postMultipart posts fields and files as multipart/form-data, the way a
// browser sends a form with a file input; the CSRF token comes from page.
func (c *client) postMultipart(page, action string, fields url.Values, files ...upload) *response {
	c.t.Helper()
	fields.Set("csrf_token", c.csrf(page))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			c.t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			c.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	return c.do(http.MethodPost, action, &buf, "Content-Type", mw.FormDataContentType())
}

// signIn signs in through the form and checks it worked.
func (c *client) signIn(email, password string) {
	c.t.Helper()
	r := c.postForm("/signin", "/signin", url.Values{"email": {email}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: status %d; want 303\n%s", email, r.StatusCode, r.body)
	}
}

// cookie returns the value of the named cookie the client holds, or "".
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// wantStatus fails unless r has status want.
func wantStatus(t *testing.T, r *response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d; want %d\n%s", r.Request.Method, r.Request.URL.RequestURI(), r.StatusCode, want, excerpt(r.body))
	}
}

// wantLocation fails unless r redirects (303) to want.
func wantLocation(t *testing.T, r *response, want string) {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != want {
		t.Fatalf("%s %s: Location %q; want %q", r.Request.Method, r.Request.URL.RequestURI(), got, want)
	}
}

// wantBody fails unless the body holds every one of subs.
func wantBody(t *testing.T, r *response, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.body, s) {
			t.Errorf("%s %s: body lacks %q\n%s", r.Request.Method, r.Request.URL.RequestURI(), s, excerpt(r.body))
		}
	}
}

// wantNoBody fails if the body holds any of subs.
func wantNoBody(t *testing.T, r *response, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(r.body, s) {
			t.Errorf("%s %s: body has %q; want it absent", r.Request.Method, r.Request.URL.RequestURI(), s)
		}
	}
}

// fieldError returns the message shown beside the field with this name.
func fieldError(body, name string) string {
	re := regexp.MustCompile(`id="f-` + regexp.QuoteMeta(name) + `-error"><span class="visually-hidden">Error: </span>([^<]*)</p>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// main returns the <main> of a page, which is where a page's own words are.
func mainOf(body string) string {
	_, after, _ := strings.Cut(body, "<main")
	before, _, _ := strings.Cut(after, "</main>")
	return before
}

func excerpt(s string) string {
	const max = 3000
	if m := mainOf(s); m != "" {
		s = m
	}
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
