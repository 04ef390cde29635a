package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// registerGovern adds the governance pages.
func (h *Handler) registerGovern(rt *httpx.Router) {
	rt.Page("GET /risks", policy.RiskList, h.handleRisks)
	rt.Page("POST /risks", policy.RiskCreate, h.handleRiskCreate)
	rt.Page("GET /risks/{id}", policy.RiskView, h.handleRisk)
	rt.Page("POST /risks/{id}", policy.RiskUpdate, h.handleRiskUpdate)
	rt.Page("POST /risks/{id}/impacts", policy.RiskImpactEdit, h.handleRiskImpact)
	rt.Page("POST /risks/{id}/acceptance", policy.RiskAccept, h.handleRiskAcceptance)
	h.registerControls(rt)
	h.registerGovernSettings(rt)
}

// heatSVG is the heat map drawn as SVG on the server: 5×5 cells coloured by
// level, each with its count, and an accessible name that states the data.
type heatSVG struct {
	Cells   []heatSVGCell
	Label   string
	Total   int
	ByLevel map[string]int
}

type heatSVGCell struct {
	X, Y, TextX, TextY int
	Count              int
	Level, Title       string
}

const heatCell = 56 // pixels per cell in the SVG's own units

func newHeatSVG(m [5][5]govern.HeatCell, scope string) heatSVG {
	h := heatSVG{ByLevel: map[string]int{}}
	for row := range m {
		for col, c := range m[row] {
			x, y := 40+col*heatCell, row*heatCell
			h.Cells = append(h.Cells, heatSVGCell{X: x, Y: y, TextX: x + heatCell/2, TextY: y + heatCell/2 + 6, Count: c.Count, Level: c.Level,
				Title: strconv.Itoa(c.Count) + " at likelihood " + strconv.Itoa(c.Likelihood) + ", impact " + strconv.Itoa(c.Impact) + " (" + c.Level + ")"})
			h.Total += c.Count
			h.ByLevel[c.Level] += c.Count
		}
	}
	var parts []string
	for _, l := range govern.Levels {
		parts = append(parts, strconv.Itoa(h.ByLevel[l])+" "+l)
	}
	h.Label = "Heat map of " + scope + ": " + strconv.Itoa(h.Total) + " risks by residual likelihood and impact — " + strings.Join(parts, ", ") + "."
	return h
}

// riskRow is one line of the register, with the slice department's view of it.
type riskRow struct {
	shieldwall.Risk
	Statement string
	DeptScore int
	DeptLevel string
}

// risksPage is the data of the register.
type risksPage struct {
	shell
	Filter      *form
	New         *form
	Risks       []riskRow
	SliceName   string // the department whose terms the list is in; empty for the whole register
	Pager       pager
	Heat        heatSVG
	Scope       string
	Departments []option
	WholeView   bool
	CanCreate   bool
	Appetite    int
	Categories  []option
	Treatments  []option
	Scores      []option
	Open        bool // the new-risk form is open (after an error)
	CanSettings bool // the viewer may change the appetite on /governance/settings
}

func scoreOptions(first string) []option {
	out := []option{}
	if first != "" {
		out = append(out, option{Label: first})
	}
	for i := 1; i <= 5; i++ {
		out = append(out, option{Value: strconv.Itoa(i), Label: strconv.Itoa(i)})
	}
	return out
}

func valueOptions(vals []string) []option {
	out := make([]option, len(vals))
	for i, v := range vals {
		out[i] = option{Value: v, Label: strings.ReplaceAll(v, "-", " ")}
	}
	return out
}

// handleRisks serves GET /risks: the heat map and register of the viewer's scope.
func (h *Handler) handleRisks(w http.ResponseWriter, r *http.Request) {
	h.renderRisks(w, r, http.StatusOK, newForm(nil))
}

func (h *Handler) renderRisks(w http.ResponseWriter, r *http.Request, status int, nf *form) {
	page, err := pageFrom(r, 50)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	actor := httpx.ActorFrom(r)
	f := shieldwall.RiskFilter{Level: q.Get("level"), Query: strings.TrimSpace(q.Get("q")), Page: page}
	if f.DepartmentID, err = h.acc.DepartmentFilter(r.Context(), q.Get("department")); err != nil {
		h.renderError(w, r, err)
		return
	}
	l, err := h.govern.ListRisks(r.Context(), actor, f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	deps, _, err := h.acc.Store().ListDepartments(r.Context(), shieldwall.DepartmentFilter{Page: shieldwall.Page{Limit: shieldwall.MaxLimit}})
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	scope, depOpts := "the whole register", []option{{Label: "All departments"}}
	for _, d := range deps {
		depOpts = append(depOpts, option{Value: d.Slug, Label: d.Name})
		if d.ID == l.DepartmentID {
			scope = d.Name + "'s risks, in " + d.Name + "'s terms"
		}
	}
	// In a department's slice each risk reads in that department's terms:
	// its own statement and its own level.
	rows, sliceName := make([]riskRow, len(l.Items)), ""
	for _, d := range deps {
		if d.ID == l.DepartmentID {
			sliceName = d.Name
		}
	}
	for i, risk := range l.Items {
		rows[i] = riskRow{Risk: risk}
		if l.DepartmentID == "" {
			continue
		}
		for _, im := range risk.Impacts {
			if im.DepartmentID == l.DepartmentID {
				rows[i].Statement = im.Statement
				rows[i].DeptScore = risk.ResidualLikelihood * im.Score
				rows[i].DeptLevel = govern.LevelOf(rows[i].DeptScore)
			}
		}
	}
	if nf.Get("owner_department") == "" {
		for _, d := range deps {
			if d.ID == actor.DepartmentID {
				nf.Set("owner_department", d.Slug)
			}
		}
	}
	h.render(w, r, status, "risks", risksPage{
		shell: h.shell(r, "Risks"), Filter: newForm(q), New: nf, Risks: rows, SliceName: sliceName,
		Pager: newPager(r.URL, l.Total, page, len(l.Items), ""), Heat: newHeatSVG(l.HeatMap, scope), Scope: scope,
		Departments: depOpts, WholeView: policy.SeesWholeRegister(actor), CanCreate: policy.Can(actor, policy.RiskCreate, nil),
		Appetite: l.Appetite, Categories: valueOptions(govern.CategoryNames), Treatments: valueOptions(shieldwall.RiskTreatments),
		Scores: scoreOptions(""), Open: nf.Failed(), CanSettings: policy.Can(actor, policy.GovernSettings, nil),
	})
}

// formInt reads a 1–5 select; 0 when empty or not a number (the service names the field).
func formInt(v url.Values, name string) *int {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		n = 0
	}
	return &n
}

func formStr(v url.Values, name string) *string {
	if _, ok := v[name]; !ok {
		return nil
	}
	s := v.Get(name)
	return &s
}

var riskFields = []string{"title", "description", "category", "owner_department", "inherent_likelihood", "inherent_impact",
	"residual_likelihood", "residual_impact", "treatment", "treatment_plan", "review_on", "statement", "score", "department"}

// handleRiskCreate serves POST /risks.
func (h *Handler) handleRiskCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	in := shieldwall.RiskInput{
		Title: formStr(v, "title"), Description: formStr(v, "description"), Category: formStr(v, "category"),
		OwnerDepartment: formStr(v, "owner_department"), InherentLikelihood: formInt(v, "inherent_likelihood"),
		InherentImpact: formInt(v, "inherent_impact"), Treatment: formStr(v, "treatment"), TreatmentPlan: formStr(v, "treatment_plan"),
		ReviewOn: formStr(v, "review_on"),
	}
	risk, err := h.govern.CreateRisk(r.Context(), httpx.ActorFrom(r), in)
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, riskFields...)
			r.URL.RawQuery = ""
			h.renderRisks(w, r, status, f)
		})
		return
	}
	redirect(w, r, withNotice("/risks/"+risk.ID, "risk-created"))
}

// riskPage is the data of one risk's page.
type riskPage struct {
	shell
	Risk       shieldwall.Risk
	Edit       *form
	Impact     *form
	ImpactFor  string // the department whose impact form failed
	CanUpdate  bool
	CanSign    bool
	NeedsSign  bool
	Appetite   int
	Editable   map[string]bool // department id → the viewer may write its impact
	CanAddOwn  bool            // the viewer's department has no impact yet and may add one
	OwnDept    string
	Treatments []option
	Scores     []option
	Controls   []option // every control, the linked ones selected
	Linked     []option // the linked controls, for reading
}

// handleRisk serves GET /risks/{id}.
func (h *Handler) handleRisk(w http.ResponseWriter, r *http.Request) {
	h.renderRisk(w, r, http.StatusOK, nil, nil, "")
}

func (h *Handler) renderRisk(w http.ResponseWriter, r *http.Request, status int, edit, impact *form, impactFor string) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	actor := httpx.ActorFrom(r)
	risk, err := h.govern.GetRisk(r.Context(), actor, id)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if edit == nil {
		edit = newForm(url.Values{
			"title": {risk.Title}, "description": {risk.Description}, "treatment": {risk.Treatment}, "treatment_plan": {risk.TreatmentPlan},
			"review_on": {risk.ReviewOn}, "inherent_likelihood": {strconv.Itoa(risk.InherentLikelihood)}, "inherent_impact": {strconv.Itoa(risk.InherentImpact)},
			"residual_likelihood": {strconv.Itoa(risk.ResidualLikelihood)}, "residual_impact": {strconv.Itoa(risk.ResidualImpact)},
		})
	}
	if impact == nil {
		impact = newForm(nil)
	}
	p := riskPage{
		shell: h.shell(r, risk.Title), Risk: risk, Edit: edit, Impact: impact, ImpactFor: impactFor,
		CanUpdate: policy.Can(actor, policy.RiskUpdate, risk), CanSign: policy.Can(actor, policy.RiskAccept, risk),
		Appetite: h.govern.Appetite(r.Context()), Editable: map[string]bool{}, OwnDept: actor.DepartmentID,
		Treatments: valueOptions(shieldwall.RiskTreatments), Scores: scoreOptions(""),
	}
	p.NeedsSign = govern.NeedsSignoff(risk, p.Appetite)
	controls, _, err := h.govern.ListControls(r.Context(), actor, shieldwall.ControlFilter{Page: shieldwall.Page{Limit: shieldwall.MaxLimit}})
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	chosen := map[string]bool{}
	for _, id := range risk.ControlIDs {
		chosen[id] = true
	}
	if edit.Values["control_ids"] != nil {
		chosen = map[string]bool{}
		for _, id := range edit.Values["control_ids"] {
			chosen[id] = true
		}
	}
	for _, c := range controls {
		o := option{Value: c.ID, Label: c.Title + " (" + c.OwnerDepartmentName + ")", Selected: chosen[c.ID]}
		p.Controls = append(p.Controls, o)
		if slices.Contains(risk.ControlIDs, c.ID) {
			p.Linked = append(p.Linked, o)
		}
	}
	hasOwn := false
	for _, im := range risk.Impacts {
		p.Editable[im.DepartmentID] = policy.Can(actor, policy.RiskImpactEdit, im)
		hasOwn = hasOwn || im.DepartmentID == actor.DepartmentID
	}
	p.CanAddOwn = !hasOwn && actor.DepartmentID != "" && policy.Can(actor, policy.RiskImpactEdit, shieldwall.RiskImpact{DepartmentID: actor.DepartmentID})
	h.render(w, r, status, "risk", p)
}

// handleRiskUpdate serves POST /risks/{id}: treatment, scores, plan, review date.
func (h *Handler) handleRiskUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	in := shieldwall.RiskInput{
		Title: formStr(v, "title"), Description: formStr(v, "description"), Treatment: formStr(v, "treatment"),
		TreatmentPlan: formStr(v, "treatment_plan"), ReviewOn: formStr(v, "review_on"),
		InherentLikelihood: formInt(v, "inherent_likelihood"), InherentImpact: formInt(v, "inherent_impact"),
		ResidualLikelihood: formInt(v, "residual_likelihood"), ResidualImpact: formInt(v, "residual_impact"),
	}
	if v.Get("controls_shown") == "1" {
		ids := v["control_ids"]
		if ids == nil {
			ids = []string{}
		}
		in.ControlIDs = &ids
	}
	if _, err := h.govern.UpdateRisk(r.Context(), httpx.ActorFrom(r), id, in); err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, riskFields...)
			h.renderRisk(w, r, status, f, nil, "")
		})
		return
	}
	redirect(w, r, withNotice("/risks/"+id, "risk-updated"))
}

// handleRiskImpact serves POST /risks/{id}/impacts: one department's impact.
func (h *Handler) handleRiskImpact(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	score, _ := strconv.Atoi(v.Get("score"))
	in := shieldwall.RiskImpactInput{Department: v.Get("department"), Statement: v.Get("statement"), Score: score}
	if _, err := h.govern.PutImpact(r.Context(), httpx.ActorFrom(r), id, in); err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, riskFields...)
			h.renderRisk(w, r, status, nil, f, v.Get("department"))
		})
		return
	}
	redirect(w, r, withNotice("/risks/"+id, "impact-saved"))
}

// handleRiskAcceptance serves POST /risks/{id}/acceptance.
func (h *Handler) handleRiskAcceptance(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		_, err = h.govern.SignOffAcceptance(r.Context(), httpx.ActorFrom(r), id)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	redirect(w, r, withNotice("/risks/"+id, "risk-signed"))
}

// levelOptions lists the level filter's choices.
func levelOptions() []option {
	out := []option{{Label: "Any level"}}
	for _, l := range govern.Levels {
		out = append(out, option{Value: l, Label: l})
	}
	return out
}

// impactField is the statement box of one department's impact form: its
// own id, so several forms share the page; the impact's text, or what was
// typed when this form failed.
func impactField(f *form, failedFor string, im shieldwall.RiskImpact, name string) fieldView {
	v := fieldView{ID: "f-" + name + "-" + im.DepartmentID, Name: name, Label: "In " + im.DepartmentName + "'s terms", Type: "textarea",
		Value: im.Statement, Required: true, MaxLength: 2000}
	if failedFor == im.DepartmentID {
		v.Value, v.Error = f.Get(name), f.Err(name)
	}
	return v
}

// impactScore is the score select of one department's impact form.
func impactScore(f *form, failedFor string, im shieldwall.RiskImpact, scores []option) fieldView {
	v := fieldView{ID: "f-score-" + im.DepartmentID, Name: "score", Label: "Impact on " + im.DepartmentName + " (1–5)", Type: "select",
		Value: strconv.Itoa(im.Score)}
	if failedFor == im.DepartmentID {
		v.Value, v.Error = f.Get("score"), f.Err("score")
	}
	for _, o := range scores {
		o.Selected = o.Value == v.Value
		v.Options = append(v.Options, o)
	}
	return v
}
