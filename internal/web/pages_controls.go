package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
)

func (h *Handler) registerControls(rt *httpx.Router) {
	rt.Page("GET /controls", policy.ControlList, h.handleControls)
	rt.Page("POST /controls", policy.ControlCreate, h.handleControlCreate)
	rt.Page("GET /controls/{id}", policy.ControlList, h.handleControl)
	rt.Page("POST /controls/{id}", policy.ControlUpdate, h.handleControlUpdate)
	rt.UploadPage("POST /controls/{id}/evidence", policy.ControlUpdate, h.handleEvidenceAdd)
	rt.UploadPage("POST /controls/import", policy.ControlCreate, h.handleControlImport)
	rt.Page("GET /frameworks", policy.ControlList, h.handleFrameworks)
	rt.UploadPage("POST /frameworks", policy.FrameworkImport, h.handleFrameworkImport)
	rt.Page("GET /frameworks/{id}", policy.ControlList, h.handleFramework)
	h.registerCommittee(rt)
}

// controlsPage is the data of /controls.
type controlsPage struct {
	shell
	Filter      *form
	New         *form
	Controls    []shieldwall.Control
	Pager       pager
	Compliance  []govern.FrameworkCompliance
	Expiring    []shieldwall.Evidence
	Today       string
	CanCreate   bool
	Departments []option
	Statuses    []option
	Import      *form
}

// handleControls serves GET /controls: compliance at a glance, the
// viewer's department's expiring evidence, and the controls.
func (h *Handler) handleControls(w http.ResponseWriter, r *http.Request) {
	h.renderControls(w, r, http.StatusOK, newForm(url.Values{"status": {shieldwall.ControlNotStarted}}))
}

func (h *Handler) renderControlsImport(w http.ResponseWriter, r *http.Request, status int, imp *form) {
	h.renderControlsWith(w, r, status, newForm(url.Values{"status": {shieldwall.ControlNotStarted}}), imp)
}

func (h *Handler) renderControls(w http.ResponseWriter, r *http.Request, status int, nf *form) {
	h.renderControlsWith(w, r, status, nf, newForm(nil))
}

func (h *Handler) renderControlsWith(w http.ResponseWriter, r *http.Request, status int, nf, imp *form) {
	page, err := pageFrom(r, 50)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	ctx, actor, q := r.Context(), httpx.ActorFrom(r), r.URL.Query()
	f := shieldwall.ControlFilter{Status: q.Get("status"), FrameworkID: q.Get("framework"), Page: page}
	if f.DepartmentID, err = h.acc.DepartmentFilter(ctx, q.Get("department")); err != nil {
		h.renderError(w, r, err)
		return
	}
	cs, total, err := h.govern.ListControls(ctx, actor, f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	comp, err := h.govern.Compliance(ctx, actor)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	exp, err := h.govern.ExpiringEvidence(ctx, actor, false)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	deps, err := h.departmentOptions(r, "All departments", true)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	statuses := append([]option{{Label: "Any status"}}, valueOptions(shieldwall.ControlStatuses)...)
	h.render(w, r, status, "controls", controlsPage{
		shell: h.shell(r, "Controls"), Filter: newForm(q), New: nf, Controls: cs, Pager: newPager(r.URL, total, page, len(cs), ""),
		Compliance: comp, Expiring: exp, Today: h.govern.Today(), CanCreate: policy.Can(actor, policy.ControlCreate, nil),
		Departments: deps, Statuses: statuses, Import: imp,
	})
}

// parseMappings reads "framework requirement" pairs, one per line or
// separated by commas: "iso27001-2022 A.5.1, nist-csf-2.0 PR.AA-01".
func parseMappings(s string) *[]shieldwall.ControlMapping {
	out := []shieldwall.ControlMapping{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		fields := strings.Fields(part)
		switch len(fields) {
		case 0:
			continue
		case 1:
			out = append(out, shieldwall.ControlMapping{RequirementID: fields[0]})
		default:
			out = append(out, shieldwall.ControlMapping{FrameworkID: fields[0], RequirementID: strings.Join(fields[1:], " ")})
		}
	}
	return &out
}

var controlFields = []string{"title", "description", "owner_department", "status", "justification", "mappings", "url", "valid_until"}

// mappingsField maps errors about one mapping to the form's mappings box.
func mappingsField(err error) error {
	if e, ok := err.(*shieldwall.Error); ok && strings.HasPrefix(e.Field, "mappings[") {
		return &shieldwall.Error{Code: e.Code, Field: "mappings", Message: e.Message}
	}
	return err
}

// handleControlCreate serves POST /controls.
func (h *Handler) handleControlCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	in := shieldwall.ControlInput{Title: formStr(v, "title"), Description: formStr(v, "description"), OwnerDepartment: formStr(v, "owner_department"),
		Status: formStr(v, "status"), Justification: formStr(v, "justification"), Mappings: parseMappings(v.Get("mappings"))}
	c, err := h.govern.CreateControl(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(mappingsField(err), controlFields...)
			r.URL.RawQuery = ""
			h.renderControls(w, r, status, f)
		})
		return
	}
	redirect(w, r, withNotice("/controls/"+c.ID, "control-created"))
}

// controlPage is the data of one control's page.
type controlPage struct {
	shell
	Control   shieldwall.Control
	Evidence  []shieldwall.Evidence
	Edit      *form
	Add       *form
	CanUpdate bool
	Today     string
	Statuses  []option
}

func (h *Handler) handleControl(w http.ResponseWriter, r *http.Request) {
	h.renderControl(w, r, http.StatusOK, nil, newForm(nil))
}

func (h *Handler) renderControl(w http.ResponseWriter, r *http.Request, status int, edit, add *form) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	actor := httpx.ActorFrom(r)
	c, ev, err := h.govern.GetControl(r.Context(), actor, id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if edit == nil {
		var ms []string
		for _, m := range c.Mappings {
			ms = append(ms, m.FrameworkID+" "+m.RequirementID)
		}
		edit = newForm(url.Values{"status": {c.Status}, "justification": {c.Justification}, "mappings": {strings.Join(ms, "\n")}})
	}
	h.render(w, r, status, "control", controlPage{shell: h.shell(r, c.Title), Control: c, Evidence: ev, Edit: edit, Add: add,
		CanUpdate: policy.Can(actor, policy.ControlUpdate, c), Today: h.govern.Today(), Statuses: valueOptions(shieldwall.ControlStatuses)})
}

// handleControlUpdate serves POST /controls/{id}: status, justification, mappings.
func (h *Handler) handleControlUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	in := shieldwall.ControlInput{Status: formStr(v, "status"), Justification: formStr(v, "justification"), Mappings: parseMappings(v.Get("mappings"))}
	if _, err := h.govern.UpdateControl(r.Context(), httpx.ActorFrom(r), id, in); err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(mappingsField(err), controlFields...)
			h.renderControl(w, r, status, f, newForm(nil))
		})
		return
	}
	redirect(w, r, withNotice("/controls/"+id, "control-updated"))
}

// handleEvidenceAdd serves POST /controls/{id}/evidence: a link or a small
// file, with its validity.
func (h *Handler) handleEvidenceAdd(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	var cleanup func()
	if err == nil {
		cleanup, err = parseUpload(w, r)
		defer cleanup()
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.Form
	in := shieldwall.EvidenceInput{Title: v.Get("title"), URL: v.Get("url"), ValidUntil: v.Get("valid_until")}
	if r.MultipartForm != nil && len(r.MultipartForm.File["file"]) > 0 && r.MultipartForm.File["file"][0].Size > 0 {
		fh := r.MultipartForm.File["file"][0]
		if fh.Size > govern.MaxEvidenceFile {
			err = shieldwall.FieldErrorf(shieldwall.ETOOLARGE, "file", "The file is %d KiB; evidence files may be at most %d KiB. Add a link to larger files.", fh.Size>>10, govern.MaxEvidenceFile>>10)
		} else if f, oerr := fh.Open(); oerr != nil {
			err = shieldwall.FieldErrorf(shieldwall.EINVALID, "file", "The file could not be read.")
		} else {
			in.Data, err = io.ReadAll(io.LimitReader(f, govern.MaxEvidenceFile+1))
			f.Close()
			in.Filename, in.ContentType = fh.Filename, fh.Header.Get("Content-Type")
		}
	}
	if err == nil {
		_, err = h.govern.AddEvidence(r.Context(), httpx.ActorFrom(r), id, in)
	}
	if err != nil {
		if shieldwall.ErrorField(err) == "data" || shieldwall.ErrorField(err) == "filename" {
			err = &shieldwall.Error{Code: shieldwall.ErrorCode(err), Field: "file", Message: shieldwall.ErrorMessage(err)}
		}
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, append(controlFields, "file", "title")...)
			h.renderControl(w, r, status, nil, f)
		})
		return
	}
	redirect(w, r, withNotice("/controls/"+id, "evidence-added"))
}

// handleControlImport serves POST /controls/import: a CSV of controls.
func (h *Handler) handleControlImport(w http.ResponseWriter, r *http.Request) {
	cleanup, err := parseUpload(w, r)
	defer cleanup()
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	fail := func(err error) {
		h.failForm(w, r, err, func(status int) {
			f := newForm(url.Values{"status": {shieldwall.ControlNotStarted}})
			f.FieldError("csv", shieldwall.ErrorMessage(err))
			r.URL.RawQuery = ""
			h.renderControlsImport(w, r, status, f)
		})
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File["csv"]) == 0 || r.MultipartForm.File["csv"][0].Size == 0 {
		fail(shieldwall.FieldErrorf(shieldwall.EINVALID, "csv", "Choose a CSV file."))
		return
	}
	file, err := r.MultipartForm.File["csv"][0].Open()
	if err != nil {
		fail(shieldwall.FieldErrorf(shieldwall.EINVALID, "csv", "The file could not be read."))
		return
	}
	defer file.Close()
	if _, err := h.govern.ImportControls(r.Context(), httpx.ActorFrom(r), file); err != nil {
		fail(err)
		return
	}
	redirect(w, r, withNotice("/controls", "controls-imported"))
}

// frameworksPage is the data of /frameworks.
type frameworksPage struct {
	shell
	Frameworks []govern.FrameworkInfo
	Compliance map[string]govern.FrameworkCompliance
	Import     *form
	CanImport  bool
}

func (h *Handler) handleFrameworks(w http.ResponseWriter, r *http.Request) {
	h.renderFrameworks(w, r, http.StatusOK, newForm(nil))
}

func (h *Handler) renderFrameworks(w http.ResponseWriter, r *http.Request, status int, imp *form) {
	ctx, actor := r.Context(), httpx.ActorFrom(r)
	fws, err := h.govern.ListFrameworks(ctx, actor)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	comp, err := h.govern.Compliance(ctx, actor)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	byID := map[string]govern.FrameworkCompliance{}
	for _, c := range comp {
		byID[c.FrameworkID] = c
	}
	h.render(w, r, status, "frameworks", frameworksPage{shell: h.shell(r, "Frameworks"), Frameworks: fws, Compliance: byID, Import: imp,
		CanImport: policy.Can(actor, policy.FrameworkImport, nil)})
}

// handleFrameworkImport serves POST /frameworks: an OSCAL catalog file.
func (h *Handler) handleFrameworkImport(w http.ResponseWriter, r *http.Request) {
	cleanup, err := parseUpload(w, r)
	defer cleanup()
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	fail := func(err error) {
		h.failForm(w, r, err, func(status int) {
			f := newForm(r.PostForm)
			f.Fail(err, "id", "catalog")
			if f.Error != "" && f.Err("catalog") == "" {
				f.FieldError("catalog", f.Error)
				f.Error = ""
			}
			h.renderFrameworks(w, r, status, f)
		})
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File["catalog"]) == 0 || r.MultipartForm.File["catalog"][0].Size == 0 {
		fail(shieldwall.FieldErrorf(shieldwall.EINVALID, "catalog", "Choose an OSCAL catalog file (JSON)."))
		return
	}
	file, err := r.MultipartForm.File["catalog"][0].Open()
	if err != nil {
		fail(shieldwall.FieldErrorf(shieldwall.EINVALID, "catalog", "The file could not be read."))
		return
	}
	defer file.Close()
	if _, err := h.govern.ImportFramework(r.Context(), httpx.ActorFrom(r), strings.TrimSpace(r.FormValue("id")), file); err != nil {
		fail(err)
		return
	}
	redirect(w, r, withNotice("/frameworks", "framework-imported"))
}

// frameworkPage is the data of one framework's page: its requirements with
// their status, in the framework's order.
type frameworkPage struct {
	shell
	Compliance govern.FrameworkCompliance
	Filter     *form
	Rows       []govern.RequirementStatus
	Statuses   []option
}

// handleFramework serves GET /frameworks/{id}; ?status= keeps one status
// (gap: requirements no control meets).
func (h *Handler) handleFramework(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	fc, err := h.govern.FrameworkStatus(r.Context(), httpx.ActorFrom(r), id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	rows := fc.Requirements
	if st := q.Get("status"); st != "" {
		rows = nil
		for _, rs := range fc.Requirements {
			if rs.Status == st {
				rows = append(rows, rs)
			}
		}
	}
	statuses := []option{{Label: "Any status"}}
	for _, st := range []string{govern.ReqImplemented, govern.ReqPartial, govern.ReqNotStarted, govern.ReqGap, govern.ReqNotApplicable} {
		statuses = append(statuses, option{Value: st, Label: strings.ReplaceAll(st, "-", " ")})
	}
	h.render(w, r, http.StatusOK, "framework", frameworkPage{shell: h.shell(r, fc.Title), Compliance: fc, Filter: newForm(q), Rows: rows, Statuses: statuses})
}
