package web

import (
	"net/http"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// departmentsPage is the data of the department list.
type departmentsPage struct {
	shell
	Filter      *form
	Departments []shieldwall.Department
	Pager       pager
	Own         string // the viewer's department id
	CanCreate   bool
}

// handleDepartments serves GET /departments.
func (h *Handler) handleDepartments(w http.ResponseWriter, r *http.Request) {
	page, err := pageFrom(r, 50)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.DepartmentFilter{Query: strings.TrimSpace(q.Get("q")), Page: page}
	deps, total, err := h.acc.Store().ListDepartments(r.Context(), f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	actor := httpx.ActorFrom(r)
	h.render(w, r, http.StatusOK, "departments", departmentsPage{
		shell:       h.shell(r, "Departments"),
		Filter:      newForm(q),
		Departments: deps,
		Pager:       newPager(r.URL, total, page, len(deps), ""),
		Own:         actor.DepartmentID,
		CanCreate:   policy.Can(actor, policy.DepartmentCreate, nil),
	})
}

// departmentPage is the data of one department's page.
type departmentPage struct {
	shell
	Department shieldwall.Department
	Champions  []shieldwall.User
	People     []shieldwall.User
	Pager      pager
	Own        bool
	CanEdit    bool
	// The duty directory: who fills each case role for the department.
	Duties        []dutyRow
	DutyPeople    []option
	CanEditDuties bool
}

// handleDepartment serves GET /departments/{slug}: who is in the
// department and who its security champions are. The department may also
// be named by id, which is how other pages link it when they know no slug.
func (h *Handler) handleDepartment(w http.ResponseWriter, r *http.Request) {
	h.renderDepartment(w, r, http.StatusOK, "", nil)
}

// renderDepartment draws a department's page; failedRole and f bring back
// a duty-directory row whose save failed.
func (h *Handler) renderDepartment(w http.ResponseWriter, r *http.Request, status int, failedRole string, f *form) {
	ref, err := httpx.PathValue(r, "slug")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	page, err := pageFrom(r, 50)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	ctx := r.Context()
	d, err := h.acc.Store().FindDepartment(ctx, ref)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	champions, _, err := h.acc.Store().ListUsers(ctx, shieldwall.UserFilter{
		DepartmentID: d.ID, Role: shieldwall.RoleChampion, Page: shieldwall.Page{Limit: shieldwall.MaxLimit},
	})
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	people, total, err := h.acc.Store().ListUsers(ctx, shieldwall.UserFilter{DepartmentID: d.ID, Page: page})
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	actor := httpx.ActorFrom(r)
	duties, err := h.dutyRows(r, d, failedRole, f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	canDuties := policy.Can(actor, policy.DutyManage, shieldwall.Duty{DepartmentID: d.ID})
	var dutyPeople []option
	if canDuties {
		if dutyPeople, err = h.dutyPeople(r, d); err != nil {
			h.renderError(w, r, err)
			return
		}
	}
	h.render(w, r, status, "department", departmentPage{
		Duties:        duties,
		DutyPeople:    dutyPeople,
		CanEditDuties: canDuties,
		shell:         h.shell(r, d.Name),
		Department:    d,
		Champions:     activeOnly(champions),
		People:        people,
		Pager:         newPager(r.URL, total, page, len(people), ""),
		Own:           actor.DepartmentID == d.ID,
		CanEdit:       policy.Can(actor, policy.DepartmentUpdate, d),
	})
}

// activeOnly drops deactivated people: a champion who has left cannot be
// anyone's first contact.
func activeOnly(us []shieldwall.User) []shieldwall.User {
	out := us[:0:0]
	for _, u := range us {
		if u.Active {
			out = append(out, u)
		}
	}
	return out
}
