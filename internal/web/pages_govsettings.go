package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// registerGovernSettings adds the governance settings page: the risk
// appetite and the review cost above which Finance signs off.
func (h *Handler) registerGovernSettings(rt *httpx.Router) {
	rt.Page("GET /governance/settings", policy.GovernSettings, h.handleGovernSettings)
	rt.Page("POST /governance/settings", policy.GovernSettings, h.handleGovernSettingsSave)
}

// governSettingsFields are the fields of the settings form, named as the
// service names them in its errors.
var governSettingsFields = []string{"risk_appetite", "finance_review_cost"}

// governSettingsPage is the data of /governance/settings.
type governSettingsPage struct {
	shell
	Form *form
	// Saved are the settings in force, which the explanations quote even
	// while the form shows a refused value.
	Saved govern.Settings
}

// handleGovernSettings serves GET /governance/settings.
func (h *Handler) handleGovernSettings(w http.ResponseWriter, r *http.Request) {
	h.renderGovernSettings(w, r, http.StatusOK, nil)
}

func (h *Handler) renderGovernSettings(w http.ResponseWriter, r *http.Request, status int, f *form) {
	s, err := h.govern.GetSettings(r.Context(), httpx.ActorFrom(r))
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	if f == nil {
		f = newForm(url.Values{
			"risk_appetite":       {strconv.Itoa(s.RiskAppetite)},
			"finance_review_cost": {strconv.FormatInt(s.FinanceReviewCost, 10)},
		})
	}
	h.render(w, r, status, "governance_settings", governSettingsPage{shell: h.shell(r, "Governance settings"), Form: f, Saved: s})
}

// handleGovernSettingsSave serves POST /governance/settings.
func (h *Handler) handleGovernSettingsSave(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	v := r.PostForm
	in, err := parseGovernSettings(v)
	if err == nil {
		_, err = h.govern.SetSettings(r.Context(), httpx.ActorFrom(r), in)
	}
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			f := newForm(v)
			f.Fail(err, governSettingsFields...)
			h.renderGovernSettings(w, r, status, f)
		})
		return
	}
	redirect(w, r, withNotice("/governance/settings", "settings-saved"))
}

// parseGovernSettings reads the form's two whole numbers. The ranges are
// the service's to check; this only turns words into numbers, naming the
// field that is not one. Thousands separators are allowed in the cost,
// as people write "10,000".
func parseGovernSettings(v url.Values) (govern.Settings, error) {
	var s govern.Settings
	appetite, err := strconv.Atoi(strings.TrimSpace(v.Get("risk_appetite")))
	if err != nil {
		return s, shieldwall.FieldErrorf(shieldwall.EINVALID, "risk_appetite", "Write the appetite as a whole number from 1 to 25, such as 9.")
	}
	cost := strings.NewReplacer(",", "", " ", "", "_", "").Replace(strings.TrimSpace(v.Get("finance_review_cost")))
	c, err := strconv.ParseInt(cost, 10, 64)
	if err != nil {
		return s, shieldwall.FieldErrorf(shieldwall.EINVALID, "finance_review_cost", "Write the yearly cost as a whole number, such as 10000.")
	}
	s.RiskAppetite, s.FinanceReviewCost = appetite, c
	return s, nil
}
