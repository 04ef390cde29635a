package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/intake"
)

// The anonymous pages keep nothing that could point to the reporter: the
// router does not even look up a signed-in browser's session here, no
// cookie is set but the random CSRF one, no address is kept (the rate
// limit's key lives in memory, inside intake), and no Referer leaves for
// elsewhere. The receipt travels only in POST bodies, never in a URL.

// noReferrer stops the browser telling the next site where it came from.
func noReferrer(w http.ResponseWriter) { w.Header().Set("Referrer-Policy", "no-referrer") }

// anonymousShell is the shell of an anonymous page: before sign-in the
// double-submit cookie carries the CSRF token.
func (h *Handler) anonymousShell(w http.ResponseWriter, r *http.Request, title string) shell {
	noReferrer(w)
	return h.shellFor(r, title, httpx.ActorFrom(r), httpx.EnsureCSRFCookie(w, r))
}

// handleAnonymousForm serves GET /anonymous.
func (h *Handler) handleAnonymousForm(w http.ResponseWriter, r *http.Request) {
	f := newForm(nil)
	if k := shieldwall.ReportKind(r.URL.Query().Get("kind")); k.Valid() {
		f.Set("kind", string(k))
	}
	h.renderAnonymousForm(w, r, http.StatusOK, f, false)
}

func (h *Handler) renderAnonymousForm(w http.ResponseWriter, r *http.Request, status int, f *form, filesLost bool) {
	h.render(w, r, status, "anonymous", reportFormPage{
		shell: h.anonymousShell(w, r, "Report anonymously"), Form: f, Kinds: kindChoices(f),
		Action: "/anonymous", Anonymous: true, FilesLost: filesLost,
	})
}

// handleAnonymousCreate serves POST /anonymous and answers with the receipt.
func (h *Handler) handleAnonymousCreate(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	receipt, ok := h.submitReport(w, r, true, func(status int, f *form, filesLost bool) {
		h.renderAnonymousForm(w, r, status, f, filesLost)
	})
	if ok {
		h.renderReceipt(w, r, receipt)
	}
}

// receiptPage is the data of the page that shows a receipt, once.
type receiptPage struct {
	shell
	Receipt string
}

// renderReceipt shows a new receipt. It is rendered straight from the post
// (never after a redirect, which would need it in a URL) and never again.
func (h *Handler) renderReceipt(w http.ResponseWriter, r *http.Request, receipt string) {
	h.render(w, r, http.StatusCreated, "anonymous_receipt", receiptPage{
		shell: h.anonymousShell(w, r, "Your receipt"), Receipt: receipt,
	})
}

// followUpPage is the data of the follow-up page: the receipt form, and
// once a receipt opened a report, what the reporter may see of it.
type followUpPage struct {
	shell
	Form         *form // the receipt
	View         *intake.AnonymousView
	Conversation []convMessage
	Reply        *form
	Sent         bool
}

// handleFollowUpForm serves GET /anonymous/follow-up.
func (h *Handler) handleFollowUpForm(w http.ResponseWriter, r *http.Request) {
	h.renderFollowUp(w, r, http.StatusOK, followUpPage{Form: newForm(nil)})
}

func (h *Handler) renderFollowUp(w http.ResponseWriter, r *http.Request, status int, data followUpPage) {
	data.shell = h.anonymousShell(w, r, "Follow up an anonymous report")
	if data.View != nil {
		data.Conversation = anonymousConversation(data.View.Messages)
		if data.Reply == nil {
			data.Reply = newForm(nil)
		}
	}
	h.render(w, r, status, "anonymous_follow_up", data)
}

func anonymousConversation(ms []intake.AnonymousMessage) []convMessage {
	out := make([]convMessage, 0, len(ms))
	for _, m := range ms {
		c := convMessage{Who: "You", Body: m.Body, At: m.CreatedAt}
		if m.Author != "you" {
			c.Who, c.Security = "Security team", true
		}
		out = append(out, c)
	}
	return out
}

// failReceipt re-renders the receipt form with the service's refusal: a
// wrong receipt beside the field (the same words for every wrong receipt),
// anything else at the top.
func (h *Handler) failReceipt(w http.ResponseWriter, r *http.Request, receipt string, err error) {
	h.failForm(w, r, err, func(status int) {
		f := newForm(url.Values{"receipt": {receipt}})
		if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
			f.FieldError("receipt", shieldwall.ErrorMessage(err))
		} else {
			f.Fail(err)
		}
		h.renderFollowUp(w, r, status, followUpPage{Form: f})
	})
}

// handleFollowUp serves POST /anonymous/follow-up: the receipt opens the report.
func (h *Handler) handleFollowUp(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	receipt := r.PostFormValue("receipt")
	if strings.TrimSpace(receipt) == "" {
		f := newForm(nil)
		f.FieldError("receipt", "Type the receipt you were given when you sent the report.")
		h.renderFollowUp(w, r, http.StatusBadRequest, followUpPage{Form: f})
		return
	}
	v, err := h.intake.LookupAnonymous(r.Context(), clientKey(r), receipt)
	if err != nil {
		h.failReceipt(w, r, receipt, err)
		return
	}
	h.renderFollowUp(w, r, http.StatusOK, followUpPage{Form: newForm(url.Values{"receipt": {receipt}}), View: &v})
}

// handleAnonymousMessage serves POST /anonymous/messages: the receipt
// holder's answer, with the receipt in the form body.
func (h *Handler) handleAnonymousMessage(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.renderError(w, r, err)
		return
	}
	receipt, body := r.PostFormValue("receipt"), r.PostFormValue("message")
	v, err := h.intake.MessageAnonymous(r.Context(), clientKey(r), receipt, body)
	if shieldwall.ErrorField(err) == "message" {
		// The message was refused before the receipt was checked: open the
		// report again to show the message's error beside it.
		reply := newForm(url.Values{"message": {body}})
		reply.Fail(err, "message")
		if v, err = h.intake.LookupAnonymous(r.Context(), clientKey(r), receipt); err == nil {
			h.renderFollowUp(w, r, http.StatusBadRequest, followUpPage{Form: newForm(url.Values{"receipt": {receipt}}), View: &v, Reply: reply})
			return
		}
	}
	if err != nil {
		h.failReceipt(w, r, receipt, err)
		return
	}
	h.renderFollowUp(w, r, http.StatusOK, followUpPage{Form: newForm(url.Values{"receipt": {receipt}}), View: &v, Sent: true})
}
