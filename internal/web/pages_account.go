package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

// accountPage is the data of "My account".
type accountPage struct {
	shell
	User   shieldwall.User
	Tokens []shieldwall.APIToken
	Form   *form
	// Secret is a token just created, shown this once and never again.
	Secret    string
	NewToken  shieldwall.APIToken
	HasActive bool
}

// handleAccount serves GET /account.
func (h *Handler) handleAccount(w http.ResponseWriter, r *http.Request) {
	h.renderAccount(w, r, http.StatusOK, newForm(nil), "", shieldwall.APIToken{})
}

func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, f *form, secret string, created shieldwall.APIToken) {
	actor := httpx.ActorFrom(r)
	u, err := h.acc.Store().FindUser(r.Context(), actor.UserID)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	tokens, err := h.acc.Store().ListTokens(r.Context(), actor.UserID)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	data := accountPage{shell: h.shell(r, "My account"), User: u, Tokens: tokens, Form: f, Secret: secret, NewToken: created}
	for _, t := range tokens {
		if t.RevokedAt == nil {
			data.HasActive = true
		}
	}
	h.render(w, r, status, "account", data)
}

// handleTokenCreate serves POST /account/tokens. Unlike every other form it
// answers with the page itself (201) rather than a redirect: the secret
// must be shown once, and a redirect would have to park it somewhere
// (a cookie, the URL) where it outlives the page.
func (h *Handler) handleTokenCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	f := newForm(url.Values{"name": {strings.TrimSpace(r.PostFormValue("name"))}})
	if f.Get("name") == "" {
		f.FieldError("name", "Give the token a name, such as the program that will use it.")
		h.renderAccount(w, r, http.StatusBadRequest, f, "", shieldwall.APIToken{})
		return
	}
	actor := httpx.ActorFrom(r)
	secret, t, err := h.acc.CreateToken(r.Context(), actor, actor.Email, f.Get("name"))
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f.Fail(err, "name")
			h.renderAccount(w, r, status, f, "", shieldwall.APIToken{})
		})
		return
	}
	h.renderAccount(w, r, http.StatusCreated, newForm(nil), secret, t)
}

// handleTokenRevoke serves POST /account/tokens/{id}/revoke.
func (h *Handler) handleTokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = h.acc.RevokeToken(r.Context(), httpx.ActorFrom(r), id)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, withNotice("/account", "token-revoked"))
}
