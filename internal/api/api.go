// Package api serves the /api/v1 JSON API and its OpenAPI document.
// Handlers decode, call a service (which asks the policy), and answer.
package api

import (
	"net/http"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/response"
)

// Handler holds the API's dependencies.
type Handler struct {
	accounts *accounts.Service
	intake   *intake.Service
	notify   *notify.Service
	response *response.Service
	govern   *govern.Service
	webhooks *notify.Webhooks
}

// Register adds every API route to rt.
func Register(rt *httpx.Router, acc *accounts.Service, in *intake.Service, resp *response.Service) {
	h := &Handler{accounts: acc, intake: in, notify: notify.New(acc.Store()), response: resp, govern: govern.New(acc.Store()),
		webhooks: notify.NewWebhooks(acc.Store())}
	for _, op := range operations {
		rt.API(op.pattern, op.action, op.handler(h))
	}
	rt.Raw("GET /api/openapi.json", policy.Public, http.HandlerFunc(serveOpenAPI))
	// Anything else under /api/ answers as the API does, with a problem.
	rt.Fallback("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteProblem(w, r, shieldwall.Errorf(shieldwall.ENOTFOUND, "There is no %s %s in this API; see /api/openapi.json.", r.Method, r.URL.Path))
	}))
}

func (h *Handler) handleMe(w http.ResponseWriter, r *http.Request) {
	u, err := h.accounts.Store().FindUser(r.Context(), httpx.ActorFrom(r).UserID)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, u)
}

func (h *Handler) handleDepartmentList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	f := shieldwall.DepartmentFilter{Query: r.URL.Query().Get("q"), Page: page}
	items, total, err := h.accounts.Store().ListDepartments(r.Context(), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleDepartmentGet(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var d shieldwall.Department
		if d, err = h.accounts.Store().FindDepartment(r.Context(), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, d)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleDepartmentCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.DepartmentInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	d, err := h.accounts.CreateDepartment(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/departments/"+d.ID)
	httpx.WriteJSON(w, http.StatusCreated, d)
}

func (h *Handler) handleDepartmentUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in accounts.DepartmentPatch
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	d, err := h.accounts.PatchDepartment(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, d)
}

func (h *Handler) handleDepartmentDelete(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = h.accounts.DeleteDepartment(r.Context(), httpx.ActorFrom(r), id)
	}
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) handleUserList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.UserFilter{Query: q.Get("q"), Role: shieldwall.Role(q.Get("role")), Page: page}
	if f.Role != "" && !f.Role.Valid() {
		httpx.WriteProblem(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "role", "%q is not a role.", f.Role))
		return
	}
	if f.DepartmentID, err = h.accounts.DepartmentFilter(r.Context(), q.Get("department")); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, total, err := h.accounts.Store().ListUsers(r.Context(), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleUserGet(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var u shieldwall.User
		if u, err = h.accounts.Store().FindUser(r.Context(), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, u)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.UserInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	u, err := h.accounts.CreateUser(r.Context(), httpx.ActorFrom(r), in, accounts.CreateUserOptions{})
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	httpx.WriteJSON(w, http.StatusCreated, u)
}

func (h *Handler) handleUserUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in accounts.UserUpdate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	u, err := h.accounts.UpdateUser(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, u)
}

func (h *Handler) handleAuditList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.AuditFilter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), ActorID: q.Get("actor_id"), Page: page}
	items, total, err := h.accounts.ListAudit(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

// tokenCreated is the one answer that carries a token's secret.
type tokenCreated struct {
	shieldwall.APIToken
	Token string `json:"token"`
}

func (h *Handler) handleTokenList(w http.ResponseWriter, r *http.Request) {
	items, err := h.accounts.Store().ListTokens(r.Context(), httpx.ActorFrom(r).UserID)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, len(items), shieldwall.Page{Limit: shieldwall.MaxLimit}))
}

func (h *Handler) handleTokenCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	actor := httpx.ActorFrom(r)
	secret, t, err := h.accounts.CreateToken(r.Context(), actor, actor.Email, in.Name)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, tokenCreated{APIToken: t, Token: secret})
}

func (h *Handler) handleTokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = h.accounts.RevokeToken(r.Context(), httpx.ActorFrom(r), id)
	}
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
