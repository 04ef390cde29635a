package web

import (
	"net/http"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// homePage is the data of the home page.
type homePage struct {
	shell
	User       shieldwall.User
	Department shieldwall.Department
	CanReport  bool
	// MyReports are the latest few of the person's own reports.
	CanList   bool
	MyReports []shieldwall.Report
	MyTotal   int
	// NewReports counts what waits in the triage queue, for those who triage.
	CanTriage  bool
	NewReports int
}

// handleHome serves GET /, the signed-in person's starting point: the
// Report button first, then their latest reports and what they answered.
func (h *Handler) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx, actor := r.Context(), httpx.ActorFrom(r)
	data := homePage{shell: h.shell(r, "Home"),
		CanReport: policy.Can(actor, policy.ReportCreate, nil),
		CanList:   policy.Can(actor, policy.ReportList, nil) && actor.UserID != "",
		CanTriage: policy.Can(actor, policy.ReportTriage, nil),
	}
	if actor.UserID != "" {
		u, err := h.acc.Store().FindUser(ctx, actor.UserID)
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		d, err := h.acc.Store().FindDepartment(ctx, u.DepartmentID)
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		data.User, data.Department = u, d
	}
	var err error
	if data.CanList {
		f := shieldwall.ReportFilter{ReporterID: actor.UserID, Page: shieldwall.Page{Limit: 3}}
		if data.MyReports, data.MyTotal, err = h.intake.List(ctx, actor, f); err != nil {
			h.renderError(w, r, err)
			return
		}
	}
	if data.CanTriage {
		f := shieldwall.ReportFilter{Status: shieldwall.StatusNew, Page: shieldwall.Page{Limit: 1}}
		if _, data.NewReports, err = h.intake.List(ctx, actor, f); err != nil {
			h.renderError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "home", data)
}
