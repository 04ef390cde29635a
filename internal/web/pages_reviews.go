package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
)

func (h *Handler) registerReviews(rt *httpx.Router) {
	rt.Page("GET /project-reviews", policy.ProjectReviewList, h.handleReviews)
	rt.Page("POST /project-reviews", policy.ProjectReviewCreate, h.handleReviewCreate)
	rt.Page("GET /project-reviews/{id}", policy.ProjectReviewList, h.handleReview)
	rt.Page("POST /project-reviews/{id}/decisions", policy.ProjectReviewDecide, h.handleReviewDecide)
	rt.Page("GET /apps", policy.AppList, h.handleApps)
	rt.Page("POST /apps", policy.AppManage, h.handleAppPut)
	rt.Page("POST /apps/declarations", policy.AppDeclare, h.handleAppDeclare)
}

// reviewsPage is the data of /project-reviews.
type reviewsPage struct {
	shell
	Reviews   []shieldwall.ProjectReview
	Pager     pager
	New       *form
	CanCreate bool
	DataKinds []dataKind
}

type dataKind struct {
	Value, Label string
	Checked      bool
}

var dataLabels = map[string]string{
	shieldwall.DataPersonal: "Personal data (names, emails, phone numbers)", shieldwall.DataEmployee: "Employee data (HR records, salaries)",
	shieldwall.DataPayment: "Payment data (cards, bank details)", shieldwall.DataCustomer: "Customer data", shieldwall.DataConfidentialIP: "Confidential plans, code or designs",
}

func (h *Handler) handleReviews(w http.ResponseWriter, r *http.Request) {
	h.renderReviews(w, r, http.StatusOK, newForm(nil))
}

func (h *Handler) renderReviews(w http.ResponseWriter, r *http.Request, status int, nf *form) {
	page, err := pageFrom(r, 50)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	actor := httpx.ActorFrom(r)
	items, total, err := h.govern.ListReviews(r.Context(), actor, r.URL.Query().Get("status"), page)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	var kinds []dataKind
	for _, k := range shieldwall.DataKinds {
		kinds = append(kinds, dataKind{Value: k, Label: dataLabels[k], Checked: slices.Contains(nf.Values["data"], k)})
	}
	h.render(w, r, status, "project_reviews", reviewsPage{shell: h.shell(r, "Security reviews"), Reviews: items, Pager: newPager(r.URL, total, page, len(items), ""),
		New: nf, CanCreate: policy.Can(actor, policy.ProjectReviewCreate, nil), DataKinds: kinds})
}

func (h *Handler) handleReviewCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	in := shieldwall.ProjectReviewInput{Title: v.Get("title"), Description: v.Get("description"), Vendor: v.Get("vendor"), Data: v["data"],
		Integrations: v.Get("integrations") == "on", SSO: v.Get("sso") == "on", NewContract: v.Get("new_contract") == "on", AppName: v.Get("app_name")}
	for _, d := range strings.Split(v.Get("departments"), ",") {
		if d = strings.TrimSpace(d); d != "" {
			in.Departments = append(in.Departments, d)
		}
	}
	var err error
	if c := strings.TrimSpace(strings.ReplaceAll(v.Get("cost"), ",", "")); c != "" {
		if in.Cost, err = strconv.ParseInt(c, 10, 64); err != nil {
			err = shieldwall.FieldErrorf(shieldwall.EINVALID, "cost", "Write the yearly cost as a whole number, such as 12000.")
		}
	}
	var p shieldwall.ProjectReview
	if err == nil {
		p, err = h.govern.RequestReview(r.Context(), httpx.ActorFrom(r), in)
	}
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, "title", "description", "vendor", "cost", "app_name", "data", "departments")
			h.renderReviews(w, r, status, f)
		})
		return
	}
	redirect(w, r, withNotice("/project-reviews/"+p.ID, "review-requested"))
}

// projectReviewPage is the data of one review's page.
type projectReviewPage struct {
	shell
	Review   shieldwall.ProjectReview
	Decide   *form
	Mine     map[string]bool // duties the viewer decides
	Failed   string          // the duty whose form failed
	Outcomes []option
	UsedBy   []string // names of the departments using it
}

func (h *Handler) handleReview(w http.ResponseWriter, r *http.Request) {
	h.renderProjectReview(w, r, http.StatusOK, newForm(nil), "")
}

func (h *Handler) renderProjectReview(w http.ResponseWriter, r *http.Request, status int, f *form, failed string) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	actor := httpx.ActorFrom(r)
	p, err := h.govern.GetReview(r.Context(), actor, id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	mine := map[string]bool{}
	if policy.Can(actor, policy.ProjectReviewDecide, nil) {
		duties, err := h.govern.Duties(r.Context(), actor)
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		for _, d := range duties {
			mine[d] = true
		}
	}
	deps, err := h.departmentOptions(r, "", false)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	var usedBy []string
	for _, d := range deps {
		if slices.Contains(p.Departments, d.Value) {
			usedBy = append(usedBy, d.Label)
		}
	}
	h.render(w, r, status, "project_review", projectReviewPage{shell: h.shell(r, p.Title), Review: p, Decide: f, Mine: mine, Failed: failed, UsedBy: usedBy,
		Outcomes: []option{{Value: "approve", Label: "Approve"}, {Value: "approve-with-conditions", Label: "Approve with conditions"}, {Value: "reject", Label: "Reject"}}})
}

func (h *Handler) handleReviewDecide(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	in := shieldwall.ReviewDecisionInput{Duty: v.Get("duty"), Decision: v.Get("decision"), Conditions: v.Get("conditions")}
	if _, err := h.govern.Decide(r.Context(), httpx.ActorFrom(r), id, in); err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, "decision", "conditions")
			h.renderProjectReview(w, r, status, f, in.Duty)
		})
		return
	}
	redirect(w, r, withNotice("/project-reviews/"+id, "review-decided"))
}

// appsPage is the data of /apps.
type appsPage struct {
	shell
	Apps       []shieldwall.App
	Declare    *form
	Declared   *govern.Declaration
	Put        *form
	CanDeclare bool
	CanManage  bool
	Statuses   []option
}

func (h *Handler) handleApps(w http.ResponseWriter, r *http.Request) {
	h.renderApps(w, r, http.StatusOK, newForm(nil), newForm(nil), nil)
}

func (h *Handler) renderApps(w http.ResponseWriter, r *http.Request, status int, declare, put *form, declared *govern.Declaration) {
	actor := httpx.ActorFrom(r)
	apps, err := h.govern.ListApps(r.Context(), actor, "")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, status, "apps", appsPage{shell: h.shell(r, "Apps"), Apps: apps, Declare: declare, Declared: declared, Put: put,
		CanDeclare: policy.Can(actor, policy.AppDeclare, nil), CanManage: policy.Can(actor, policy.AppManage, nil),
		Statuses: valueOptions([]string{shieldwall.AppApproved, shieldwall.AppTolerated, shieldwall.AppBanned})})
}

// handleAppDeclare serves POST /apps/declarations: the answer is shown at
// once on the page (its standing, its alternative, or the review opened).
func (h *Handler) handleAppDeclare(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	d, err := h.govern.Declare(r.Context(), httpx.ActorFrom(r), govern.DeclareInput{Name: v.Get("name"), Purpose: v.Get("purpose")})
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, "name", "purpose")
			h.renderApps(w, r, status, f, newForm(nil), nil)
		})
		return
	}
	h.renderApps(w, r, http.StatusOK, newForm(nil), newForm(nil), &d)
}

func (h *Handler) handleAppPut(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	_, err := h.govern.PutApp(r.Context(), httpx.ActorFrom(r), shieldwall.App{Name: v.Get("name"), Status: v.Get("status"), Reason: v.Get("reason"), Alternative: v.Get("alternative")})
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, "name", "status", "reason", "alternative")
			h.renderApps(w, r, status, newForm(nil), f, nil)
		})
		return
	}
	redirect(w, r, withNotice("/apps", "app-saved"))
}

// dutyField is one field of a sign-off's form, with an id of its own since
// a reviewer may decide several sign-offs on one page.
func dutyField(f *form, failed, duty, name string, opts []option) fieldView {
	v := fieldView{ID: "f-" + name + "-" + duty, Name: name, Type: "textarea", Label: "Conditions, or why it is rejected", Optional: true, MaxLength: 5000, Rows: 2}
	if opts != nil {
		v.Type, v.Label, v.Optional = "select", "Your decision", false
	}
	if failed == duty {
		v.Value, v.Error = f.Get(name), f.Err(name)
	}
	for _, o := range opts {
		o.Selected = o.Value == v.Value
		v.Options = append(v.Options, o)
	}
	return v
}
