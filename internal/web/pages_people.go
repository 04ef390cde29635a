package web

import (
	"net/http"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// peopleResultsID is the element htmx swaps when the directory filters change.
const peopleResultsID = "people-results"

// peoplePage is the data of the directory.
type peoplePage struct {
	shell
	Filter      *form // q, department, role: the filters, echoed back
	Departments []option
	Roles       []option
	People      []shieldwall.User
	Pager       pager
	Filtered    bool
}

// handlePeople serves GET /people: the directory with search, filters and
// pages. With htmx it answers only the results, which the page swaps in.
func (h *Handler) handlePeople(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	page, err := pageFrom(r, 25)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	f := shieldwall.UserFilter{Query: strings.TrimSpace(q.Get("q")), Role: shieldwall.Role(q.Get("role")), Page: page}
	if f.Role != "" && !f.Role.Valid() {
		h.renderError(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "role", "%q is not a role.", f.Role))
		return
	}
	if f.DepartmentID, err = h.acc.DepartmentFilter(ctx, q.Get("department")); err != nil {
		h.renderError(w, r, err)
		return
	}
	people, total, err := h.acc.Store().ListUsers(ctx, f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	data := peoplePage{
		shell:    h.shell(r, "People"),
		Filter:   newForm(q),
		Roles:    roleOptions("Any role"),
		People:   people,
		Pager:    newPager(r.URL, total, page, len(people), peopleResultsID),
		Filtered: f.Query != "" || f.Role != "" || f.DepartmentID != "",
	}
	w.Header().Set("Vary", "HX-Request, HX-Target")
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == peopleResultsID {
		h.execute(w, r, http.StatusOK, "people", "people-results", data)
		return
	}
	if data.Departments, err = h.departmentOptions(r, "Any department", true); err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "people", data)
}

// departmentOptions lists every department for a select, by slug (for
// readable filter URLs) or by id (for forms).
func (h *Handler) departmentOptions(r *http.Request, first string, bySlug bool) ([]option, error) {
	deps, _, err := h.acc.Store().ListDepartments(r.Context(), shieldwall.DepartmentFilter{Page: shieldwall.Page{Limit: shieldwall.MaxLimit}})
	if err != nil {
		return nil, err
	}
	var out []option
	if first != "" {
		out = append(out, option{Value: "", Label: first})
	}
	for _, d := range deps {
		v := d.ID
		if bySlug {
			v = d.Slug
		}
		out = append(out, option{Value: v, Label: d.Name})
	}
	return out, nil
}

// personPage is the data of one person's page.
type personPage struct {
	shell
	Person     shieldwall.User
	Department shieldwall.Department
	CanEdit    bool
}

// handlePerson serves GET /people/{id}.
func (h *Handler) handlePerson(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	u, err := h.acc.Store().FindUser(r.Context(), id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	d, err := h.acc.Store().FindDepartment(r.Context(), u.DepartmentID)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	actor := httpx.ActorFrom(r)
	h.render(w, r, http.StatusOK, "person", personPage{
		shell: h.shell(r, u.Name), Person: u, Department: d,
		CanEdit: policy.Can(actor, policy.UserUpdate, u),
	})
}
