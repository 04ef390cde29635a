package web

import (
	"net/http"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

// homePage is the data of the home page.
type homePage struct {
	shell
	User       shieldwall.User
	Department shieldwall.Department
}

// handleHome serves GET /, the signed-in person's starting point.
func (h *Handler) handleHome(w http.ResponseWriter, r *http.Request) {
	actor := httpx.ActorFrom(r)
	data := homePage{shell: h.shell(r, "Home")}
	if actor.UserID != "" {
		u, err := h.acc.Store().FindUser(r.Context(), actor.UserID)
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		d, err := h.acc.Store().FindDepartment(r.Context(), u.DepartmentID)
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		data.User, data.Department = u, d
	}
	h.render(w, r, http.StatusOK, "home", data)
}
