package web

import (
	"net/http"
	"net/url"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
)

// auditObjectTypes are the object types the audit filter offers; later
// capabilities add theirs (report, case …). Other types still filter when
// named in the URL.
var auditObjectTypes = []option{
	{Value: "", Label: "Everything"},
	{Value: "user", Label: "People"},
	{Value: "department", Label: "Departments"},
	{Value: "api_token", Label: "API tokens"},
}

// auditPage is the data of the audit log.
type auditPage struct {
	shell
	Filter *form
	Types  []option
	Events []shieldwall.AuditEvent
	Pager  pager
}

// handleAudit serves GET /audit: the tamper-evident log, newest first.
func (h *Handler) handleAudit(w http.ResponseWriter, r *http.Request) {
	page, err := pageFrom(r, 50)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.AuditFilter{ObjectType: q.Get("object_type"), Page: page}
	events, total, err := h.acc.ListAudit(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "audit", auditPage{
		shell:  h.shell(r, "Audit log"),
		Filter: newForm(url.Values{"object_type": {f.ObjectType}}),
		Types:  auditObjectTypes,
		Events: events,
		Pager:  newPager(r.URL, total, page, len(events), ""),
	})
}

// objectURL links an audit event to the page of its object, when there is one.
func objectURL(ev shieldwall.AuditEvent) string {
	switch ev.ObjectType {
	case "user":
		if ev.ObjectID != "" {
			return "/people/" + url.PathEscape(ev.ObjectID)
		}
	case "department":
		if ev.Action != "department.delete" {
			return "/departments/" + url.PathEscape(ev.ObjectID)
		}
	}
	return ""
}
