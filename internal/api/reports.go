package api

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/intake"
)

func (h *Handler) handleReportCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.ReportInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	if in.Anonymous {
		// The reporter asked not to be known: file it exactly as an anonymous
		// report, with a receipt as their only way back to it.
		h.handleAnonymousCreateWith(w, r, in)
		return
	}
	rep, err := h.intake.Submit(r.Context(), httpx.ActorFrom(r), in, shieldwall.SourceAPI, nil)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/reports/"+rep.ID)
	httpx.WriteJSON(w, http.StatusCreated, rep)
}

func (h *Handler) handleReportList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.ReportFilter{Status: shieldwall.ReportStatus(q.Get("status")), Kind: shieldwall.ReportKind(q.Get("kind")),
		CampaignID: q.Get("campaign"), Page: page}
	if f.Status != "" && !f.Status.Valid() {
		httpx.WriteProblem(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "%q is not a status.", f.Status))
		return
	}
	if f.Kind != "" && !f.Kind.Valid() {
		httpx.WriteProblem(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "kind", "%q is not a report kind.", f.Kind))
		return
	}
	if f.DepartmentID, err = h.accounts.DepartmentFilter(r.Context(), q.Get("department")); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, total, err := h.intake.List(r.Context(), httpx.ActorFrom(r), f)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleReportGet(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var rep shieldwall.Report
		if rep, err = h.intake.Get(r.Context(), httpx.ActorFrom(r), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, rep)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

func (h *Handler) handleReportTriage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in intake.TriageUpdate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	rep, err := h.intake.Triage(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

func (h *Handler) handleReportMessage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	rep, err := h.intake.Reply(r.Context(), httpx.ActorFrom(r), id, in.Body)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, rep)
}

func (h *Handler) handleReportAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	aid, err := httpx.PathValue(r, "attachment")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	a, data, compressed, err := h.intake.Attachment(r.Context(), httpx.ActorFrom(r), id, aid)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	ServeEvidence(w, a, data, compressed)
}

// ServeEvidence sends a stored file as a download, never as something the
// browser would render or run.
func ServeEvidence(w http.ResponseWriter, a shieldwall.Attachment, data []byte, compressed bool) {
	name := a.Filename
	if compressed {
		name += ".gz"
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(name))
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// clientKey identifies the caller for in-memory rate limiting only; it is
// never stored or logged.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// anonymousCreated answers a new anonymous report: the receipt, shown only here.
type anonymousCreated struct {
	ID        string                  `json:"id"`
	Kind      shieldwall.ReportKind   `json:"kind"`
	Anonymous bool                    `json:"anonymous"` // always true
	Receipt   string                  `json:"receipt"`
	Status    shieldwall.ReportStatus `json:"status"`
	CreatedAt time.Time               `json:"created_at"`
}

func (h *Handler) handleAnonymousCreate(w http.ResponseWriter, r *http.Request) {
	var in shieldwall.ReportInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	h.handleAnonymousCreateWith(w, r, in)
}

func (h *Handler) handleAnonymousCreateWith(w http.ResponseWriter, r *http.Request, in shieldwall.ReportInput) {
	rep, receipt, err := h.intake.SubmitAnonymous(r.Context(), clientKey(r), in, nil)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, anonymousCreated{ID: rep.ID, Kind: rep.Kind, Anonymous: true, Receipt: receipt, Status: rep.Status, CreatedAt: rep.CreatedAt})
}

// receiptInput carries the receipt in the body: it must never travel in a
// URL, where proxies and browser histories would keep it.
type receiptInput struct {
	Receipt string `json:"receipt"`
	Body    string `json:"body,omitempty"`
}

func (h *Handler) handleAnonymousLookup(w http.ResponseWriter, r *http.Request) {
	var in receiptInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	v, err := h.intake.LookupAnonymous(r.Context(), clientKey(r), in.Receipt)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

func (h *Handler) handleAnonymousMessage(w http.ResponseWriter, r *http.Request) {
	var in receiptInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	v, err := h.intake.MessageAnonymous(r.Context(), clientKey(r), in.Receipt, in.Body)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, v)
}

func (h *Handler) handleCampaignList(w http.ResponseWriter, r *http.Request) {
	page, err := httpx.PageFrom(r)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	items, total, err := h.intake.ListCampaigns(r.Context(), httpx.ActorFrom(r), r.URL.Query().Get("status"), page)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.NewList(items, total, page))
}

func (h *Handler) handleCampaignGet(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		var c shieldwall.Campaign
		if c, err = h.intake.GetCampaign(r.Context(), httpx.ActorFrom(r), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, c)
			return
		}
	}
	httpx.WriteProblem(w, r, err)
}

type campaignDecided struct {
	shieldwall.Campaign
	ReportsResolved int64 `json:"reports_resolved"`
}

func (h *Handler) handleCampaignDecide(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	var in intake.CampaignDecision
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	c, n, err := h.intake.DecideCampaign(r.Context(), httpx.ActorFrom(r), id, in)
	if err != nil {
		httpx.WriteProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, campaignDecided{Campaign: c, ReportsResolved: n})
}
