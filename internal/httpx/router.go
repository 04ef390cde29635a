package httpx

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/auth"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// Kind says how a route answers: JSON problems or HTML pages.
type Kind int

// Route kinds.
const (
	KindAPI  Kind = iota // JSON; bearer token or session cookie
	KindPage             // HTML; session cookie
	KindRaw              // health, metrics, static files: no session lookup at all
)

// Route is one registered route; the table is what the authorization test
// and the OpenAPI test walk.
type Route struct {
	Method  string
	Path    string
	Action  policy.Action
	Kind    Kind
	Pattern string // as given to ServeMux, "GET /api/v1/me"
}

// Authenticator turns credentials into an actor.
type Authenticator interface {
	SessionActor(ctx context.Context, cookieValue string) (shieldwall.Actor, string, error)
	TokenActor(ctx context.Context, secret string) (shieldwall.Actor, error)
}

// Router registers routes, each with the policy action it needs.
type Router struct {
	mux    *http.ServeMux
	routes []Route
	auth   Authenticator
	// uploads holds a slot per upload being read (see UploadPage).
	uploads chan struct{}
	// PageError renders an error as an HTML page; set by the web package.
	PageError func(w http.ResponseWriter, r *http.Request, err error)
}

// NewRouter returns an empty router.
func NewRouter(a Authenticator) *Router {
	return &Router{mux: http.NewServeMux(), auth: a, uploads: make(chan struct{}, maxConcurrentUploads)}
}

// Routes returns every registered route.
func (rt *Router) Routes() []Route { return append([]Route(nil), rt.routes...) }

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

// Fallback answers requests under prefix that no route matches (a
// method-less pattern, so wrong methods land here too). It is not a route:
// it does nothing but say "not found".
func (rt *Router) Fallback(prefix string, h http.Handler) {
	rt.mux.Handle(prefix, h)
}

// API registers a JSON route.
func (rt *Router) API(pattern string, act policy.Action, h http.HandlerFunc) {
	rt.handle(pattern, act, KindAPI, h)
}

// Page registers an HTML route. Its forms may post at most MaxFormBody.
func (rt *Router) Page(pattern string, act policy.Action, h http.HandlerFunc) {
	rt.handle(pattern, act, KindPage, h)
}

// UploadPage registers an HTML route whose form carries files: a multipart
// post of up to MaxUploadBody. Only these routes read large bodies, and only
// after the policy has allowed the actor.
func (rt *Router) UploadPage(pattern string, act policy.Action, h http.HandlerFunc) {
	rt.handleLimit(pattern, act, KindPage, MaxUploadBody, h)
}

// Raw registers a route that needs no actor (health, metrics, static files).
// Its action must be public.
func (rt *Router) Raw(pattern string, act policy.Action, h http.Handler) {
	if !policy.IsPublic(act) {
		panic("httpx: raw route " + pattern + " must have a public action")
	}
	rt.routes = append(rt.routes, newRoute(pattern, act, KindRaw))
	rt.mux.Handle(pattern, h)
}

func newRoute(pattern string, act policy.Action, kind Kind) Route {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic("httpx: pattern " + pattern + " has no method")
	}
	return Route{Method: method, Path: path, Action: act, Kind: kind, Pattern: pattern}
}

func (rt *Router) handle(pattern string, act policy.Action, kind Kind, h http.HandlerFunc) {
	rt.handleLimit(pattern, act, kind, MaxFormBody, h)
}

func (rt *Router) handleLimit(pattern string, act policy.Action, kind Kind, maxForm int64, h http.HandlerFunc) {
	if !policy.Known(act) {
		panic(fmt.Sprintf("httpx: route %s uses action %q that the policy does not know", pattern, act))
	}
	rt.routes = append(rt.routes, newRoute(pattern, act, kind))
	rt.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var actor shieldwall.Actor
		var csrf string
		var viaToken bool
		if policy.IgnoresIdentity(act) {
			// Anonymous reporting: who is asking is neither looked up nor touched.
			csrf = rt.csrfCookie(r)
		} else {
			var err error
			if actor, csrf, viaToken, err = rt.authenticate(r, kind); err != nil {
				rt.fail(w, r, kind, err)
				return
			}
		}
		// The policy comes first: it needs no body, so a refused request
		// never gets its body read.
		if err := policy.Authorize(actor, act, nil); err != nil {
			rt.fail(w, r, kind, err)
			return
		}
		// Large uploads are read a few at a time, so that memory stays bounded
		// however many arrive at once.
		if maxForm > MaxFormBody && !safeMethod(r.Method) {
			select {
			case rt.uploads <- struct{}{}:
				defer func() { <-rt.uploads }()
			case <-r.Context().Done():
				return
			}
		}
		// Ambient credentials (a session cookie) and HTML forms need the CSRF
		// token; a bearer token or a bare API call carries no ambient authority.
		if !safeMethod(r.Method) && !viaToken && (kind == KindPage || !actor.Anonymous()) {
			if err := checkCSRF(r, csrf, maxForm); err != nil {
				rt.fail(w, r, kind, err)
				return
			}
		}
		ctx := context.WithValue(r.Context(), actorKey{}, actor)
		ctx = context.WithValue(ctx, csrfKey{}, csrf)
		h(w, r.WithContext(ctx))
	}))
}

// AccessHeader marks an answer refused by the router itself (authentication,
// CSRF or policy), as opposed to one a handler gave; the route-access test
// tells the two apart by it. It reveals nothing the status does not.
const AccessHeader = "Shieldwall-Access"

func (rt *Router) fail(w http.ResponseWriter, r *http.Request, kind Kind, err error) {
	w.Header().Set(AccessHeader, "denied")
	if kind == KindPage && rt.PageError != nil {
		rt.PageError(w, r, err)
		return
	}
	WriteProblem(w, r, err)
}

// authenticate finds the actor: a bearer token (API only) or a session
// cookie. A bad token is an error; a missing or stale cookie is simply
// nobody, so that public pages still work. csrf is the token unsafe
// requests must echo: the session's, or for nobody the double-submit cookie.
func (rt *Router) authenticate(r *http.Request, kind Kind) (actor shieldwall.Actor, csrf string, viaToken bool, err error) {
	if h := r.Header.Get("Authorization"); h != "" && kind == KindAPI {
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return actor, "", false, shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "Use Authorization: Bearer <token>.")
		}
		actor, err = rt.auth.TokenActor(r.Context(), strings.TrimSpace(secret))
		return actor, "", true, err
	}
	if c, err := r.Cookie(SessionCookieName(r)); err == nil && c.Value != "" {
		a, token, err := rt.auth.SessionActor(r.Context(), c.Value)
		if err == nil {
			return a, token, false, nil
		}
		if shieldwall.ErrorCode(err) != shieldwall.EUNAUTHORIZED {
			return actor, "", false, err
		}
	}
	return shieldwall.Actor{}, rt.csrfCookie(r), false, nil
}

// csrfCookie returns the double-submit token of a browser not signed in.
func (rt *Router) csrfCookie(r *http.Request) string {
	if c, err := r.Cookie(CSRFCookieName(r)); err == nil {
		return c.Value
	}
	return ""
}

// CSRFHeader is the header htmx sends with every request (set once on <body hx-headers>).
const CSRFHeader = "X-CSRF-Token"

// CSRFField is the hidden form field of every HTML form.
const CSRFField = "csrf_token"

// checkCSRF is the second line behind http.CrossOriginProtection: the
// request must echo the token tied to its session (or cookie).
func checkCSRF(r *http.Request, want string, maxForm int64) error {
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		// Only read the form for form posts; JSON bodies stay untouched.
		switch ct := r.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
			r.Body = http.MaxBytesReader(nil, r.Body, MaxFormBody)
			got = r.PostFormValue(CSRFField)
		case strings.HasPrefix(ct, "multipart/form-data"):
			// An upload form: its token is one field among the files, so the
			// whole form is read here, within the upload limit, and the
			// handler finds it parsed. Files beyond MaxUploadMemory wait in
			// temporary files that the server removes when the request ends.
			r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
			if err := r.ParseMultipartForm(MaxUploadMemory); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) || errors.Is(err, multipart.ErrMessageTooLarge) {
					return shieldwall.Errorf(shieldwall.ETOOLARGE, "The form is too large: send at most %d MB at once.", maxForm>>20)
				}
			}
			got = r.PostFormValue(CSRFField)
		}
	}
	if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return shieldwall.Errorf(shieldwall.EFORBIDDEN, "The form has expired or did not come from this site. Reload the page and try again.")
	}
	return nil
}

// MaxFormBody bounds HTML form posts.
const MaxFormBody = 1 << 20

// MaxUploadBody bounds multipart form posts: a report's five files of
// 10 MB each and its text.
const MaxUploadBody = 55 << 20

// maxConcurrentUploads bounds the uploads read at once: each may hold its
// files in memory while the report is filed.
const maxConcurrentUploads = 4

// MaxUploadMemory is how much of a multipart form is held in memory.
const MaxUploadMemory = 8 << 20

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

type actorKey struct{}
type csrfKey struct{}

// ActorFrom returns the actor of a request that passed through the router.
func ActorFrom(r *http.Request) shieldwall.Actor {
	a, _ := r.Context().Value(actorKey{}).(shieldwall.Actor)
	return a
}

// CSRFFrom returns the CSRF token pages must embed in their forms.
func CSRFFrom(r *http.Request) string {
	s, _ := r.Context().Value(csrfKey{}).(string)
	return s
}

// SecureContext reports whether cookies may carry the Secure attribute:
// over TLS, or on loopback where browsers treat http as a secure context.
func SecureContext(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SessionCookieName is the session cookie's name. The __Host- prefix makes
// the browser refuse it unless Secure, host-only and Path=/; plain HTTP on a
// network address cannot have it, so it gets a plain name there.
func SessionCookieName(r *http.Request) string {
	if SecureContext(r) {
		return "__Host-shieldwall_session"
	}
	return "shieldwall_session"
}

// CSRFCookieName names the double-submit cookie used before sign-in.
func CSRFCookieName(r *http.Request) string {
	if SecureContext(r) {
		return "__Host-shieldwall_csrf"
	}
	return "shieldwall_csrf"
}

// SetSessionCookie gives the browser its session.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookieName(r), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: SecureContext(r), SameSite: http.SameSiteLaxMode,
	})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	SetSessionCookie(w, r, "", -1)
}

// EnsureCSRFCookie returns the pre-sign-in CSRF token, setting the cookie when absent.
func EnsureCSRFCookie(w http.ResponseWriter, r *http.Request) string {
	if t := CSRFFrom(r); t != "" {
		return t
	}
	t := auth.NewSecret("")
	http.SetCookie(w, &http.Cookie{
		Name: CSRFCookieName(r), Value: t, Path: "/",
		HttpOnly: true, Secure: SecureContext(r), SameSite: http.SameSiteLaxMode,
	})
	return t
}
