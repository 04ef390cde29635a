package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

// adminPage is the data of the administration overview.
type adminPage struct {
	shell
	Departments     []shieldwall.Department
	DepartmentCount int
	PeopleCount     int
	AdminCount      int
	ChampionCount   int
	Recent          []shieldwall.AuditEvent
}

// handleAdmin serves GET /admin: counts, the departments to manage, and
// the latest changes.
func (h *Handler) handleAdmin(w http.ResponseWriter, r *http.Request) {
	ctx, st := r.Context(), h.acc.Store()
	data := adminPage{shell: h.shell(r, "Admin")}
	var err error
	if data.Departments, data.DepartmentCount, err = st.ListDepartments(ctx, shieldwall.DepartmentFilter{Page: shieldwall.Page{Limit: 200}}); err != nil {
		h.renderError(w, r, err)
		return
	}
	for _, c := range []struct {
		role shieldwall.Role
		dst  *int
	}{{"", &data.PeopleCount}, {shieldwall.RoleAdmin, &data.AdminCount}, {shieldwall.RoleChampion, &data.ChampionCount}} {
		if _, *c.dst, err = st.ListUsers(ctx, shieldwall.UserFilter{Role: c.role, Page: shieldwall.Page{Limit: 1}}); err != nil {
			h.renderError(w, r, err)
			return
		}
	}
	if data.Recent, _, err = h.acc.ListAudit(ctx, httpx.ActorFrom(r), shieldwall.AuditFilter{Page: shieldwall.Page{Limit: 5}}); err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "admin", data)
}

// departmentFormPage is the data of the new and edit department forms.
type departmentFormPage struct {
	shell
	Form       *form
	Department shieldwall.Department // empty for a new one
	DeleteForm *form
}

// handleDepartmentNew serves GET /admin/departments/new.
func (h *Handler) handleDepartmentNew(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "admin_department", departmentFormPage{shell: h.shell(r, "New department"), Form: newForm(nil)})
}

func departmentForm(r *http.Request) (*form, shieldwall.DepartmentInput) {
	in := shieldwall.DepartmentInput{Name: r.PostFormValue("name"), Description: r.PostFormValue("description")}
	return newForm(url.Values{"name": {in.Name}, "description": {in.Description}}), in
}

// handleDepartmentCreate serves POST /admin/departments.
func (h *Handler) handleDepartmentCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	f, in := departmentForm(r)
	d, err := h.acc.CreateDepartment(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f.Fail(err, "name", "description")
			h.render(w, r, status, "admin_department", departmentFormPage{shell: h.shell(r, "New department"), Form: f})
		})
		return
	}
	redirect(w, r, withNotice("/departments/"+url.PathEscape(d.Slug), "department-created"))
}

// findDepartmentByID loads the department an admin route names by id.
func (h *Handler) findDepartmentByID(r *http.Request) (shieldwall.Department, error) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		return shieldwall.Department{}, err
	}
	d, err := h.acc.Store().FindDepartment(r.Context(), id)
	if err == nil && d.ID != id {
		// Admin routes take ids only, so that a department named like
		// another's id can never be edited by mistake.
		return shieldwall.Department{}, shieldwall.Errorf(shieldwall.ENOTFOUND, "Department not found.")
	}
	return d, err
}

// handleDepartmentEdit serves GET /admin/departments/{id}/edit.
func (h *Handler) handleDepartmentEdit(w http.ResponseWriter, r *http.Request) {
	d, err := h.findDepartmentByID(r)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	f := newForm(url.Values{"name": {d.Name}, "description": {d.Description}})
	h.render(w, r, http.StatusOK, "admin_department", departmentFormPage{
		shell: h.shell(r, "Edit "+d.Name), Form: f, Department: d, DeleteForm: newForm(nil),
	})
}

// handleDepartmentUpdate serves POST /admin/departments/{id}.
func (h *Handler) handleDepartmentUpdate(w http.ResponseWriter, r *http.Request) {
	d, err := h.findDepartmentByID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	f, in := departmentForm(r)
	updated, err := h.acc.UpdateDepartment(r.Context(), httpx.ActorFrom(r), d.ID, in)
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f.Fail(err, "name", "description")
			h.render(w, r, status, "admin_department", departmentFormPage{
				shell: h.shell(r, "Edit "+d.Name), Form: f, Department: d, DeleteForm: newForm(nil),
			})
		})
		return
	}
	redirect(w, r, withNotice("/departments/"+url.PathEscape(updated.Slug), "department-updated"))
}

// handleDepartmentDelete serves POST /admin/departments/{id}/delete.
func (h *Handler) handleDepartmentDelete(w http.ResponseWriter, r *http.Request) {
	d, err := h.findDepartmentByID(r)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if err := h.acc.DeleteDepartment(r.Context(), httpx.ActorFrom(r), d.ID); err != nil {
		h.failForm(w, r, err, func(status int) {
			del := newForm(nil)
			del.Fail(err)
			f := newForm(url.Values{"name": {d.Name}, "description": {d.Description}})
			h.render(w, r, status, "admin_department", departmentFormPage{
				shell: h.shell(r, "Edit "+d.Name), Form: f, Department: d, DeleteForm: del,
			})
		})
		return
	}
	redirect(w, r, withNotice("/admin", "department-deleted"))
}

// personFormPage is the data of the new and edit person forms.
type personFormPage struct {
	shell
	Form        *form
	Person      shieldwall.User // empty for a new one
	Roles       []option
	Departments []option
}

func (h *Handler) renderPersonForm(w http.ResponseWriter, r *http.Request, status int, title string, f *form, p shieldwall.User) {
	deps, err := h.departmentOptions(r, "", false)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, status, "admin_person", personFormPage{
		shell: h.shell(r, title), Form: f, Person: p, Roles: roleOptions(""), Departments: deps,
	})
}

// handlePersonNew serves GET /admin/people/new. A department may be
// chosen in advance with ?department=<id> (the department page links so).
func (h *Handler) handlePersonNew(w http.ResponseWriter, r *http.Request) {
	f := newForm(url.Values{"role": {string(shieldwall.RoleMember)}, "department": {r.URL.Query().Get("department")}})
	h.renderPersonForm(w, r, http.StatusOK, "Add a person", f, shieldwall.User{})
}

// handlePersonCreate serves POST /admin/people.
func (h *Handler) handlePersonCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	in := shieldwall.UserInput{
		Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Title: r.PostFormValue("title"),
		Role: shieldwall.Role(r.PostFormValue("role")), Department: r.PostFormValue("department"),
		Password: r.PostFormValue("password"),
	}
	f := newForm(url.Values{"email": {in.Email}, "name": {in.Name}, "title": {in.Title}, "role": {string(in.Role)}, "department": {in.Department}})
	u, err := h.acc.CreateUser(r.Context(), httpx.ActorFrom(r), in, accounts.CreateUserOptions{})
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f.Fail(err, "email", "name", "title", "role", "department", "password")
			h.renderPersonForm(w, r, status, "Add a person", f, shieldwall.User{})
		})
		return
	}
	redirect(w, r, withNotice("/people/"+url.PathEscape(u.ID), "person-created"))
}

// handlePersonEdit serves GET /admin/people/{id}/edit.
func (h *Handler) handlePersonEdit(w http.ResponseWriter, r *http.Request) {
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
	f := newForm(url.Values{"name": {u.Name}, "title": {u.Title}, "role": {string(u.Role)}, "department": {u.DepartmentID}})
	if u.Active {
		f.Set("active", "on")
	}
	h.renderPersonForm(w, r, http.StatusOK, "Edit "+u.Name, f, u)
}

// handlePersonUpdate serves POST /admin/people/{id}.
func (h *Handler) handlePersonUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	u, err := h.acc.Store().FindUser(r.Context(), id)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	title := r.PostFormValue("title")
	// An unticked checkbox is simply absent from the form: absent means inactive.
	active := r.PostFormValue("active") == "on"
	in := accounts.UserUpdate{
		Name: r.PostFormValue("name"), Title: &title, Role: shieldwall.Role(r.PostFormValue("role")),
		Department: r.PostFormValue("department"), Active: &active,
	}
	f := newForm(url.Values{"name": {in.Name}, "title": {title}, "role": {string(in.Role)}, "department": {in.Department}})
	if active {
		f.Set("active", "on")
	}
	fail := func(err error) {
		h.failForm(w, r, err, func(status int) {
			f.Fail(err, "name", "title", "role", "department", "active")
			h.renderPersonForm(w, r, status, "Edit "+u.Name, f, u)
		})
	}
	if strings.TrimSpace(in.Name) == "" {
		// The service keeps the old name when none is given; on a form an
		// emptied box is a mistake to point out, not a silent no-op.
		fail(shieldwall.FieldErrorf(shieldwall.EINVALID, "name", "Name is required."))
		return
	}
	if _, err := h.acc.UpdateUser(r.Context(), httpx.ActorFrom(r), u.ID, in); err != nil {
		fail(err)
		return
	}
	redirect(w, r, withNotice("/people/"+url.PathEscape(u.ID), "person-updated"))
}
