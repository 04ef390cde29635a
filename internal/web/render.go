package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
)

//go:embed templates
var templateFS embed.FS

// parsePages parses every page once: each page is the layout (with the
// shared partials of templates/partials) cloned and completed by the page's
// own "main" block. A broken template stops the program at start-up, never
// at a request.
func parsePages(a *assets) map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs(a)).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		if path.Base(name) == "layout.html" {
			continue
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, name))
		pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return pages
}

// funcs are the template helpers. whenIn is the only one that shows a
// time, in the zone it is given (a page's shell.Zone): there is
// deliberately no UTC-only helper, so that a new page cannot quietly show
// UTC again.
func funcs(a *assets) template.FuncMap {
	return template.FuncMap{
		"static":    a.url,
		"whenIn":    formatTimeIn,
		"isoTime":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"roleLabel": func(r shieldwall.Role) string { return roleLabels[r] },
		"csrfField": func() string { return httpx.CSRFField },
		// hxHeaders is the JSON of <body hx-headers>: htmx sends the CSRF
		// token with every request it makes. Built with encoding/json, and
		// html/template escapes it for the attribute.
		"hxHeaders": func(token string) (string, error) {
			b, err := json.Marshal(map[string]string{httpx.CSRFHeader: token})
			return string(b), err
		},
		"field":       newField,
		"selectField": newSelect,
		"objectURL":   objectURL,
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return "1 " + one
			}
			return strconv.Itoa(n) + " " + many
		},
		"kindLabel":     kindLabel,
		"statusLabel":   statusLabel,
		"verdictLabel":  verdictLabel,
		"decisionLabel": decisionLabel,
		"reporter":      reporterLabel,
		"details":       detailRows,
		"fileSize":      fileSize,
		"caseStatus":    caseStatusLabel,
		"severity":      severityLabel,
		"affectedLabel": affectedLabel,
		"entryKind":     entryKindLabel,
		"clockStatus":   clockStatusLabel,
		"measure":       measure,
		"eventLabel":    func(e string) string { return recordableLabel(e) },
		"clockCard": func(v clockView, caseID, csrf string, zone *time.Location) clockCard {
			return clockCard{V: v, CaseID: caseID, CSRF: csrf, Zone: zone}
		},
		"taskItem": func(t taskView, caseID, csrf string, can bool, zone *time.Location) taskItem {
			return taskItem{T: t, CaseID: caseID, CSRF: csrf, CanContribute: can, Zone: zone}
		},
		"timelineEntry": func(e shieldwall.TimelineEntry, zone *time.Location) timelineEntry {
			return timelineEntry{TimelineEntry: e, Zone: zone}
		},
		"conversation": func(ms []convMessage, zone *time.Location) conversation {
			return conversation{Messages: ms, Zone: zone}
		},
		"affectedArgs": func(f *form, opts []checkOption) affectedArgs { return affectedArgs{Form: f, Affected: opts} },
		"dutyRow": func(d dutyRow, slug, csrf string, people []option) dutyRowView {
			return dutyRowView{dutyRow: d, Slug: slug, CSRF: csrf, People: people}
		},
		"label":        func(s string) string { return strings.ReplaceAll(s, "-", " ") },
		"levelOptions": levelOptions,
		"impactField":  impactField,
		"impactScore":  impactScore,
		"dutyField":    dutyField,
		"dutyLabel":    func(d string) string { return govern.DutyDepartments[d] },
	}
}

// formatTimeIn shows a time in loc (the page's shell.Zone, see
// viewerLocation) as "27 Nov 2026, 19:40 CET", the zone named. A nil loc
// is UTC, still named, so a missing zone shows a true time.
func formatTimeIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 2006, 15:04 MST")
}

// shell is what the layout needs on every page; page data embeds it.
type shell struct {
	Title  string
	Actor  shieldwall.Actor
	CSRF   string
	Nav    []navLink
	Notice string // a confirmation after a redirect, from the notices table
	// OnAccount marks the account link in the header as the current page.
	OnAccount bool
	// Unread is the count on the notification bell; OnNotifications marks
	// the bell as the current page.
	Unread          int
	OnNotifications bool
	// Zone is the viewer's time zone (viewerLocation), looked up once per
	// page: every time on the page shows in it, zone named. UTC for
	// someone not signed in, who has no settings to look up.
	Zone *time.Location
}

// navLink is a navItem the actor may follow.
type navLink struct {
	Label, Href string
	Current     bool
}

// SignedIn reports whether someone is signed in (the layout shows the
// navigation and the sign-out button only then).
func (s shell) SignedIn() bool { return !s.Actor.Anonymous() }

// CanAdmin reports whether the actor may see the administration links on a page.
func (s shell) CanAdmin() bool { return policy.Can(s.Actor, policy.AdminView, nil) }

// notices are the confirmations a redirect may ask for with ?notice=key.
// Only these fixed texts can appear, so the query string cannot inject words.
var notices = map[string]string{
	"department-created":  "The department was created.",
	"department-updated":  "The department was saved.",
	"department-deleted":  "The department was deleted.",
	"person-created":      "The person was added.",
	"person-updated":      "The changes were saved.",
	"token-revoked":       "The token was revoked. Programs using it can no longer sign in with it.",
	"setup-done":          "Welcome! Your administrator account is ready. Add your departments and people from Admin.",
	"message-sent":        "Your message was sent.",
	"report-updated":      "The report was saved.",
	"notification-read":   "The notification was marked as read.",
	"case-created":        "The case is open. The people its playbook names have been engaged and told.",
	"case-updated":        "The case was saved.",
	"entry-added":         "Added to the timeline.",
	"task-updated":        "The task was updated.",
	"case-acknowledged":   "Thank you: your role is acknowledged, and the team can see you are on it.",
	"clock-recorded":      "Recorded. The clock shows it now.",
	"participant-added":   "The person was added and told.",
	"participant-removed": "The person was removed from the case.",
	"review-saved":        "The review was saved.",
	"review-published":    "The review was published.",
	"action-added":        "The action item was added.",
	"action-updated":      "The action item was updated.",
	"duty-saved":          "The duty directory was saved.",
	"risk-created":        "The risk was added. Each department it concerns can now write its impact in its own words.",
	"risk-updated":        "The risk was saved.",
	"impact-saved":        "The impact was saved.",
	"risk-signed":         "Your sign-off was recorded.",
	"control-created":     "The control was added.",
	"control-updated":     "The control was saved.",
	"evidence-added":      "The evidence was added.",
	"framework-imported":  "The framework was imported. Controls can now map to its requirements.",
	"member-added":        "The committee seat was saved.",
	"meeting-created":     "The meeting was scheduled. Its agenda is below.",
	"item-added":          "The item was added to the agenda.",
	"minutes-saved":       "The minutes were saved.",
	"decision-recorded":   "The decision was recorded in the register.",
	"review-requested":    "Your review was requested. Each department that must sign off has been told.",
	"review-decided":      "Your decision was recorded.",
	"app-saved":           "The app was saved in the catalogue.",
	"controls-imported":   "The controls were imported.",
	"notification-acked":  "Acknowledged. Nobody further up the chain will be called for it.",
	"preferences-saved":   "Your notification settings were saved.",
	"webhook-deleted":     "The webhook was removed with its deliveries.",
	"delivery-retried":    "The message is queued again, with the same message id.",
	"settings-saved":      "The governance settings were saved. They apply from now on.",
}

// withNotice adds ?notice=key to a local URL.
func withNotice(to, key string) string {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	return to + sep + "notice=" + url.QueryEscape(key)
}

func (h *Handler) shell(r *http.Request, title string) shell {
	return h.shellFor(r, title, httpx.ActorFrom(r), httpx.CSRFFrom(r))
}

func (h *Handler) shellFor(r *http.Request, title string, actor shieldwall.Actor, csrf string) shell {
	s := shell{Title: title, Actor: actor, CSRF: csrf, Notice: notices[r.URL.Query().Get("notice")], OnAccount: r.URL.Path == "/account", Zone: time.UTC}
	if actor.Anonymous() {
		return s
	}
	s.Zone = h.viewerLocation(r.Context(), actor.UserID)
	s.OnNotifications = r.URL.Path == "/notifications"
	if n, err := h.notify.Unread(r.Context(), actor); err == nil {
		s.Unread = n
	} else {
		// The bell is not worth failing a page over.
		slog.WarnContext(r.Context(), "count unread notifications", "err", err)
	}
	for _, it := range navItems {
		if !policy.Can(actor, it.Action, nil) {
			continue
		}
		cur := r.URL.Path == it.Href || (it.Href != "/" && strings.HasPrefix(r.URL.Path, it.Href+"/"))
		s.Nav = append(s.Nav, navLink{Label: it.Label, Href: it.Href, Current: cur})
	}
	return s
}

// render answers with a whole page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	h.execute(w, r, status, page, "layout", data)
}

// execute runs one template of a page into a buffer first, so that a
// template error becomes a clean 500 instead of half a page.
func (h *Handler) execute(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	t, ok := h.pages[page]
	if !ok {
		panic("web: no page template " + page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		slog.ErrorContext(r.Context(), "render page", "page", page, "template", name, "err", err)
		http.Error(w, "An internal error occurred.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// errorPage is the data of the error page.
type errorPage struct {
	shell
	Status  int
	Message string
	SignIn  string // a sign-in link when signing in would help
}

// errorTitles are the page headings per error code.
var errorTitles = map[string]string{
	shieldwall.ECONFLICT:     "That clashes with something that exists",
	shieldwall.EINTERNAL:     "Something went wrong on our side",
	shieldwall.EINVALID:      "That request is not right",
	shieldwall.ENOTFOUND:     "Page not found",
	shieldwall.EUNAUTHORIZED: "Please sign in",
	shieldwall.EFORBIDDEN:    "You do not have access to this",
	shieldwall.ETOOLARGE:     "That is too large",
	shieldwall.ERATELIMITED:  "Too many attempts",
	shieldwall.EUNAVAILABLE:  "Shieldwall cannot answer right now",
}

// renderError is the router's PageError: a signed-out GET goes to the
// sign-in page and comes back afterwards; everything else is an error page
// with the right status and a plain message, never internal details.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := shieldwall.ErrorCode(err)
	if code == shieldwall.EUNAUTHORIZED && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		loc := signInURL(r.URL.RequestURI())
		if r.Header.Get("HX-Request") == "true" {
			// An htmx request would follow a redirect and swap the sign-in
			// page into a fragment; HX-Redirect makes htmx load it whole.
			w.Header().Set("HX-Redirect", loc)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		redirect(w, r, loc)
		return
	}
	if code == shieldwall.EINTERNAL {
		slog.ErrorContext(r.Context(), "internal error", "method", r.Method, "pattern", r.Pattern, "err", err)
	}
	actor, csrf := httpx.ActorFrom(r), httpx.CSRFFrom(r)
	if actor.Anonymous() && code != shieldwall.EUNAUTHORIZED && code != shieldwall.EINTERNAL && code != shieldwall.EUNAVAILABLE {
		// The router refused before it put the actor in the context (a 403
		// on /admin, say): look the session up again so the page keeps the
		// navigation and the sign-out button.
		if c, cerr := r.Cookie(httpx.SessionCookieName(r)); cerr == nil && c.Value != "" {
			if a, token, serr := h.acc.SessionActor(r.Context(), c.Value); serr == nil {
				actor, csrf = a, token
			}
		}
	}
	data := errorPage{
		shell:   h.shellFor(r, errorTitles[code], actor, csrf),
		Status:  httpx.Status(err),
		Message: shieldwall.ErrorMessage(err),
	}
	if code == shieldwall.EUNAUTHORIZED {
		data.SignIn = "/signin"
	}
	if data.Title == "" {
		data.Title = "Something went wrong"
	}
	h.render(w, r, data.Status, "error", data)
}

// signInURL is the sign-in page that returns to next afterwards.
func signInURL(next string) string {
	if next == "" || next == "/" {
		return "/signin?next=%2F"
	}
	return "/signin?next=" + url.QueryEscape(next)
}

// form holds a submitted form's values and the errors about it, so that a
// failed post re-renders with everything the person typed and each message
// beside its field.
type form struct {
	Values url.Values
	Errors map[string]string
	Error  string // about the whole form; shown at the top in role="alert"
}

func newForm(v url.Values) *form {
	if v == nil {
		v = url.Values{}
	}
	return &form{Values: v, Errors: map[string]string{}}
}

// Get returns the entered value of a field.
func (f *form) Get(name string) string { return f.Values.Get(name) }

// Err returns the message about a field, if any.
func (f *form) Err(name string) string { return f.Errors[name] }

// Set replaces the value of a field.
func (f *form) Set(name, value string) { f.Values.Set(name, value) }

// Failed reports whether the form has any error.
func (f *form) Failed() bool { return f.Error != "" || len(f.Errors) > 0 }

// Fail places err's message beside its field when the form has that field,
// and at the top otherwise.
func (f *form) Fail(err error, fields ...string) {
	msg, field := shieldwall.ErrorMessage(err), shieldwall.ErrorField(err)
	for _, x := range fields {
		if x == field {
			f.Errors[field] = msg
			return
		}
	}
	f.Error = msg
}

// FieldError sets the message about one field.
func (f *form) FieldError(field, msg string) { f.Errors[field] = msg }

// fieldView is what the "input" and "select" partials draw.
type fieldView struct {
	ID, Name, Label, Type string
	Value, Error, Hint    string
	Autocomplete          string
	InputMode             string // the keyboard a phone shows: decimal, numeric …
	Required, Autofocus   bool
	Optional              bool // says "(optional)" beside the label
	MaxLength             int
	Rows                  int // of a textarea; 4 when unset
	Options               []option
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// DescribedBy is the aria-describedby of the control: its hint and its error.
func (f fieldView) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// newField describes an input; attrs are "required", "optional",
// "autofocus", "autocomplete=…", "inputmode=…", "hint=…", "maxlength=…" and
// "rows=…". Passwords are never echoed back.
func newField(f *form, name, label, typ string, attrs ...string) (fieldView, error) {
	v := fieldView{ID: "f-" + name, Name: name, Label: label, Type: typ, Value: f.Get(name), Error: f.Err(name)}
	if typ == "password" {
		v.Value = ""
	}
	for _, a := range attrs {
		k, val, _ := strings.Cut(a, "=")
		switch k {
		case "required":
			v.Required = true
		case "optional":
			v.Optional = true
		case "autofocus":
			v.Autofocus = true
		case "autocomplete":
			v.Autocomplete = val
		case "inputmode":
			v.InputMode = val
		case "hint":
			v.Hint = val
		case "maxlength", "rows":
			n, err := strconv.Atoi(val)
			if err != nil {
				return v, fmt.Errorf("field %s: %s %q", name, k, val)
			}
			if k == "rows" {
				v.Rows = n
			} else {
				v.MaxLength = n
			}
		default:
			return v, fmt.Errorf("field %s: unknown attribute %q", name, a)
		}
	}
	return v, nil
}

// newSelect describes a select whose chosen option is the entered value.
func newSelect(f *form, name, label string, opts []option, attrs ...string) (fieldView, error) {
	v, err := newField(f, name, label, "select", attrs...)
	if err != nil {
		return v, err
	}
	v.Options = make([]option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == v.Value
		v.Options[i] = o
	}
	return v, nil
}

// roleOptions lists the roles for a select, with an optional first choice.
func roleOptions(first string) []option {
	var out []option
	if first != "" {
		out = append(out, option{Value: "", Label: first})
	}
	for _, r := range shieldwall.Roles {
		out = append(out, option{Value: string(r), Label: roleLabels[r]})
	}
	return out
}

// pager is the "previous / next" navigation of a list. Its links keep
// every filter of the current URL, so a list's state lives in the URL.
type pager struct {
	Total, From, To  int
	PrevURL, NextURL string
	Target           string // the element htmx swaps, or "" for plain links
	Label            string // names the navigation when a page has two lists; "Pages" if empty
}

func newPager(u *url.URL, total int, p shieldwall.Page, shown int, target string) pager {
	return newPagerParam(u, total, p, shown, target, "offset")
}

// newPagerParam is newPager for a list whose offset has its own name, for
// a page that shows two lists.
func newPagerParam(u *url.URL, total int, p shieldwall.Page, shown int, target, param string) pager {
	p = p.Normalize()
	pg := pager{Total: total, Target: target}
	if shown > 0 {
		pg.From, pg.To = p.Offset+1, p.Offset+shown
	}
	at := func(offset int) string {
		q := u.Query()
		q.Del("notice")
		if offset <= 0 {
			q.Del(param)
		} else {
			q.Set(param, strconv.Itoa(offset))
		}
		if len(q) == 0 {
			return u.Path
		}
		return u.Path + "?" + q.Encode()
	}
	if p.Offset > 0 {
		pg.PrevURL = at(max(p.Offset-p.Limit, 0))
	}
	if p.Offset+shown < total {
		pg.NextURL = at(p.Offset + p.Limit)
	}
	return pg
}

// pageFrom reads limit and offset from the URL with a page-friendly default.
func pageFrom(r *http.Request, defaultLimit int) (shieldwall.Page, error) {
	p, err := httpx.PageFrom(r)
	if err != nil {
		return p, err
	}
	if r.URL.Query().Get("limit") == "" {
		p.Limit = defaultLimit
	}
	return p, nil
}

// parseForm reads a posted form, at most httpx.MaxFormBody bytes.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxFormBody)
	if err := r.ParseForm(); err != nil {
		return shieldwall.Errorf(shieldwall.EINVALID, "The form could not be read. Reload the page and try again.")
	}
	return nil
}

// failForm answers a form post that the service refused: internal faults
// become the error page; the person's mistakes re-render the form.
func (h *Handler) failForm(w http.ResponseWriter, r *http.Request, err error, rerender func(status int)) {
	if !httpx.IsClientError(err) {
		h.renderError(w, r, err)
		return
	}
	rerender(httpx.Status(err))
}
