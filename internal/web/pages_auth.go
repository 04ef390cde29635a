package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

// signInPage is the data of the sign-in page.
type signInPage struct {
	shell
	Form *form
	Next string
}

// handleSignInForm serves GET /signin.
func (h *Handler) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if !httpx.ActorFrom(r).Anonymous() {
		redirect(w, r, next)
		return
	}
	h.renderSignIn(w, r, http.StatusOK, newForm(nil), next)
}

func (h *Handler) renderSignIn(w http.ResponseWriter, r *http.Request, status int, f *form, next string) {
	// Before sign-in there is no session to tie the token to: the
	// double-submit cookie carries it.
	csrf := httpx.EnsureCSRFCookie(w, r)
	data := signInPage{shell: h.shellFor(r, "Sign in", httpx.ActorFrom(r), csrf), Form: f, Next: next}
	h.render(w, r, status, "signin", data)
}

// handleSignIn serves POST /signin.
func (h *Handler) handleSignIn(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	f := newForm(url.Values{"email": {strings.TrimSpace(r.PostFormValue("email"))}})
	next := localPath(r.PostFormValue("next"))
	signed, err := h.acc.SignIn(r.Context(), r.PostFormValue("email"), r.PostFormValue("password"), clientKey(r))
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f.Fail(err)
			h.renderSignIn(w, r, status, f, next)
		})
		return
	}
	h.startSession(w, r, signed)
	redirect(w, r, next)
}

// startSession hands the browser a brand-new session and ends the one it
// held before, if any: a fresh identifier at every sign-in is what defeats
// session fixation.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, signed accounts.SignedIn) {
	if old := httpx.ActorFrom(r); !old.Anonymous() {
		if c, err := r.Cookie(httpx.SessionCookieName(r)); err == nil {
			_ = h.acc.SignOut(r.Context(), old, c.Value)
		}
	}
	httpx.SetSessionCookie(w, r, signed.CookieValue, int(accounts.MaxLifetime.Seconds()))
}

// clientKey is the caller's address for sign-in rate limiting. It lives in
// memory only and is never logged.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// localPath returns next when it is a path on this site, and "/" otherwise,
// so that the sign-in form cannot be used to send people elsewhere.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	// Browsers drop tabs and newlines from URLs ("/\t/evil.example" becomes
	// "//evil.example") and read "\" as "/": refuse all of them.
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// handleSignOut serves POST /signout.
func (h *Handler) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(httpx.SessionCookieName(r)); err == nil && c.Value != "" {
		if err := h.acc.SignOut(r.Context(), httpx.ActorFrom(r), c.Value); err != nil {
			h.renderError(w, r, err)
			return
		}
	}
	httpx.ClearSessionCookie(w, r)
	redirect(w, r, "/signin")
}

// setupPage is the data of the first-run set-up page.
type setupPage struct {
	shell
	Form  *form
	Token string
	Valid bool
}

// handleSetupForm serves GET /setup?token=…, the one-time link printed at
// first start that creates the first administrator.
func (h *Handler) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	f := newForm(url.Values{"department": {"Security"}})
	h.renderSetup(w, r, http.StatusOK, r.URL.Query().Get("token"), f)
}

func (h *Handler) renderSetup(w http.ResponseWriter, r *http.Request, status int, token string, f *form) {
	data := setupPage{Form: f, Token: token, Valid: h.acc.SetupTokenValid(r.Context(), token)}
	if !data.Valid {
		// Used, replaced or mistyped: nothing on this page can help, and the
		// form must not show (the link may have been shared).
		status, data.Form = http.StatusForbidden, newForm(nil)
	}
	data.shell = h.shellFor(r, "Set up Shieldwall", httpx.ActorFrom(r), httpx.EnsureCSRFCookie(w, r))
	h.render(w, r, status, "setup", data)
}

// handleSetup serves POST /setup.
func (h *Handler) handleSetup(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	token := r.PostFormValue("token")
	f := newForm(url.Values{})
	for _, k := range []string{"name", "email", "department"} {
		f.Set(k, r.PostFormValue(k))
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("confirm") {
		f.FieldError("confirm", "The two passwords are not the same. Type the password again in both boxes.")
		h.renderSetup(w, r, http.StatusBadRequest, token, f)
		return
	}
	signed, err := h.acc.CompleteSetup(r.Context(), token, shieldwall.UserInput{
		Name: f.Get("name"), Email: f.Get("email"), Department: f.Get("department"), Password: pw,
	})
	if err != nil {
		// A used link comes back as EFORBIDDEN; renderSetup then says so.
		h.failForm(w, r, err, func(status int) {
			f.Fail(err, "name", "email", "department", "password")
			h.renderSetup(w, r, status, token, f)
		})
		return
	}
	h.startSession(w, r, signed)
	redirect(w, r, withNotice("/", "setup-done"))
}
