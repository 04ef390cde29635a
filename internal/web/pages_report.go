package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/api"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// kindInfo is how a report kind is offered to people: plain words, never jargon.
type kindInfo struct {
	Label, Hint string
}

// kindInfos holds the words of every kind in shieldwall.ReportKinds.
var kindInfos = map[shieldwall.ReportKind]kindInfo{
	shieldwall.KindPhishing:            {"A suspicious email", "It asks you to click, pay, sign in or open something."},
	shieldwall.KindPaymentFraud:        {"A strange payment request", "An invoice, new bank details or an urgent transfer."},
	shieldwall.KindSuspiciousBehaviour: {"Someone behaving oddly", "Odd questions, or someone where they should not be."},
	shieldwall.KindLostDevice:          {"I lost a device", "A laptop, phone, badge or USB stick."},
	shieldwall.KindShadowIT:            {"An app we don't know", "A tool or website used for work that IT may not know."},
	shieldwall.KindDataExposure:        {"Data went where it shouldn't", "Sent to the wrong person, posted, or left open."},
	shieldwall.KindMistake:             {"I made a mistake", "You clicked, shared or sent something. No blame."},
	shieldwall.KindOther:               {"Something else", "Anything that feels wrong."},
}

func kindLabel(k shieldwall.ReportKind) string {
	if i, ok := kindInfos[k]; ok {
		return i.Label
	}
	return string(k)
}

// statusLabels are the words everyone sees for each status.
var statusLabels = map[shieldwall.ReportStatus]string{
	shieldwall.StatusNew:      "Received",
	shieldwall.StatusTriaging: "Being looked at",
	shieldwall.StatusResolved: "Answered",
	shieldwall.StatusClosed:   "Closed",
}

func statusLabel(s shieldwall.ReportStatus) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// statusOptions lists the statuses for a select, with an optional first choice.
func statusOptions(first string) []option {
	var out []option
	if first != "" {
		out = append(out, option{Value: "", Label: first})
	}
	for _, s := range []shieldwall.ReportStatus{shieldwall.StatusNew, shieldwall.StatusTriaging, shieldwall.StatusResolved, shieldwall.StatusClosed} {
		out = append(out, option{Value: string(s), Label: statusLabel(s)})
	}
	return out
}

// detailRow is one answer to a kind's question, as a page shows it.
type detailRow struct {
	Label, Value string
	Long         bool // a pasted email: shown folded, as preformatted text
}

// detailRows turns a report's details into labelled answers, in the order
// the form asks them; answers to questions the form no longer asks follow
// under their key.
func detailRows(kind shieldwall.ReportKind, raw json.RawMessage) []detailRow {
	var obj map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &obj) != nil || len(obj) == 0 {
		return nil
	}
	show := func(v any) string {
		switch v := v.(type) {
		case bool:
			if v {
				return "Yes"
			}
			return "No"
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		case string:
			return v
		case nil:
			return ""
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	var rows []detailRow
	for _, f := range intake.DetailFields[kind] {
		if v, ok := obj[f.Name]; ok {
			if s := show(v); s != "" {
				rows = append(rows, detailRow{Label: f.Label, Value: s, Long: f.Type == "longtext"})
			}
			delete(obj, f.Name)
		}
	}
	rest := make([]string, 0, len(obj))
	for k := range obj {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	for _, k := range rest {
		rows = append(rows, detailRow{Label: k, Value: show(obj[k])})
	}
	return rows
}

// fileSize shows a byte count the way people read it.
func fileSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.0f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
}

// kindChoice is one kind on the report form's picker, with its questions.
type kindChoice struct {
	Kind        shieldwall.ReportKind
	Label, Hint string
	Checked     bool
	Questions   []fieldView
}

// reportFormPage is the data of the report form, signed in or anonymous.
type reportFormPage struct {
	shell
	Form  *form
	Kinds []kindChoice
	// Action is where the form posts: /report or /anonymous.
	Action string
	// Anonymous marks the anonymous page, where no name is asked or kept.
	Anonymous bool
	// FilesLost says files were chosen but the form came back: browsers
	// cannot keep them, so they must be chosen again.
	FilesLost bool
}

// detailName is the form field of one kind's question. Each kind has its own
// fields, so answers to another kind's questions never mix in.
func detailName(k shieldwall.ReportKind, name string) string { return string(k) + "." + name }

// kindChoices builds the picker with every kind's questions; the chosen
// kind's show (app.css reveals them when their kind is picked).
func kindChoices(f *form) []kindChoice {
	chosen := shieldwall.ReportKind(f.Get("kind"))
	out := make([]kindChoice, 0, len(shieldwall.ReportKinds))
	for _, k := range shieldwall.ReportKinds {
		info := kindInfos[k]
		c := kindChoice{Kind: k, Label: info.Label, Hint: info.Hint, Checked: k == chosen}
		for _, df := range intake.DetailFields[k] {
			c.Questions = append(c.Questions, questionField(f, k, df))
		}
		out = append(out, c)
	}
	return out
}

func questionField(f *form, k shieldwall.ReportKind, df intake.DetailField) fieldView {
	name := detailName(k, df.Name)
	v := fieldView{ID: "f-" + name, Name: name, Label: df.Label, Value: f.Get(name), Error: f.Err(name)}
	switch df.Type {
	case "longtext":
		v.Type, v.Rows = "textarea", 4
		if df.Name == "pasted_email" {
			v.Rows = 8
			v.Hint = "Or attach the email itself below: in Outlook drag it to your desktop; in Gmail use “Download message”. Then choose the .eml file."
		}
	case "number":
		// Not type=number: browsers silently drop what they cannot read,
		// such as "1,250.50"; the server reads it and says when it cannot.
		v.Type, v.InputMode, v.MaxLength = "text", "decimal", 40
	case "datetime":
		v.Type = "datetime-local"
	case "yesno":
		v.Type = "yesno"
	case "select":
		v.Type = "select"
		v.Options = append(v.Options, option{Value: "", Label: "Choose…", Selected: v.Value == ""})
		for _, o := range df.Options {
			v.Options = append(v.Options, option{Value: o, Label: o, Selected: o == v.Value})
		}
	default:
		v.Type, v.MaxLength = "text", 2000
	}
	return v
}

// readReportForm reads a posted report form: the values to show again, and
// the input for the service. Mistakes it can see itself are set on f, so
// that every one shows at once.
func readReportForm(r *http.Request) (*form, shieldwall.ReportInput) {
	f := newForm(nil)
	for _, k := range []string{"kind", "title", "description", "anonymous"} {
		f.Set(k, r.PostFormValue(k))
	}
	for _, k := range shieldwall.ReportKinds {
		for _, df := range intake.DetailFields[k] {
			if v := r.PostFormValue(detailName(k, df.Name)); v != "" {
				f.Set(detailName(k, df.Name), v)
			}
		}
	}
	kind := shieldwall.ReportKind(f.Get("kind"))
	in := shieldwall.ReportInput{Kind: kind, Title: f.Get("title"), Description: f.Get("description")}
	if !kind.Valid() {
		f.FieldError("kind", "Choose what happened: pick one of the choices.")
	}
	if strings.TrimSpace(in.Title) == "" {
		f.FieldError("title", "Write in a few words what happened.")
	}
	if !kind.Valid() {
		return f, in
	}
	details := map[string]any{}
	for _, df := range intake.DetailFields[kind] {
		name := detailName(kind, df.Name)
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			continue
		}
		switch df.Type {
		case "number":
			n, err := parseNumber(v)
			if err != "" {
				f.FieldError(name, err)
				continue
			}
			details[df.Name] = n
		case "yesno":
			if v != "yes" && v != "no" {
				f.FieldError(name, "Choose yes or no.")
				continue
			}
			details[df.Name] = v == "yes"
		case "select":
			if !slices.Contains(df.Options, v) {
				f.FieldError(name, "Choose one of the answers.")
				continue
			}
			details[df.Name] = v
		default:
			details[df.Name] = v
		}
	}
	if len(details) > 0 {
		in.Details, _ = json.Marshal(details)
	}
	return f, in
}

// parseNumber reads a number as people write it: "1250", "1 250,50",
// "1,250.50". A lone comma before three digits could mean either; the
// answer asks rather than guesses.
func parseNumber(s string) (float64, string) {
	const bad = "Write a number, such as 1250 or 99.50."
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' || r == '_' {
			return -1
		}
		return r
	}, s)
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case dots > 0 && commas > 0:
		// Whichever comes last separates the decimals.
		if strings.LastIndex(s, ",") > strings.LastIndex(s, ".") {
			s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
		} else {
			s = strings.ReplaceAll(s, ",", "")
		}
	case commas == 1:
		if i := strings.Index(s, ","); len(s)-i-1 == 3 {
			return 0, "Is that " + strings.Replace(s, ",", "", 1) + " or " + strings.Replace(s, ",", ".", 1) + "? Write it without a thousands separator."
		}
		s = strings.Replace(s, ",", ".", 1)
	case commas > 1:
		s = strings.ReplaceAll(s, ",", "")
	case dots > 1:
		s = strings.ReplaceAll(s, ".", "")
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, bad
	}
	return n, ""
}

// failReport places a service error beside its field on the report form,
// or at the top when no field is its own.
func failReport(f *form, kind shieldwall.ReportKind, err error) {
	field := shieldwall.ErrorField(err)
	if d, ok := strings.CutPrefix(field, "details."); ok {
		field = detailName(kind, d)
	}
	switch {
	case field == "kind", field == "title", field == "description", field == "attachments",
		kind.Valid() && strings.HasPrefix(field, string(kind)+"."):
		f.FieldError(field, shieldwall.ErrorMessage(err))
	default:
		f.Error = shieldwall.ErrorMessage(err)
	}
}

// parseUpload reads a posted form that may carry files. The router has
// usually read it already (for its CSRF token); a request that sent the
// token as a header is read here, within the same limits. cleanup removes
// the temporary files of a form read here.
func parseUpload(w http.ResponseWriter, r *http.Request) (cleanup func(), err error) {
	cleanup = func() {}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return cleanup, parseForm(w, r)
	}
	if r.MultipartForm != nil {
		return cleanup, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxUploadBody)
	if err := r.ParseMultipartForm(httpx.MaxUploadMemory); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, multipart.ErrMessageTooLarge) {
			return cleanup, shieldwall.Errorf(shieldwall.ETOOLARGE, "The files are too large together: send at most %d MB at once.", httpx.MaxUploadBody>>20)
		}
		return cleanup, shieldwall.Errorf(shieldwall.EINVALID, "The form could not be read. Reload the page and try again.")
	}
	// The server removes the temporary files of the request it handed
	// out; this one is a copy, so its files are removed here.
	mf := r.MultipartForm
	return func() { _ = mf.RemoveAll() }, nil
}

// chosenFiles returns the files of the form's attachments field, leaving
// out the empty part a browser sends when no file was chosen.
func chosenFiles(r *http.Request) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	var out []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Filename != "" || fh.Size > 0 {
			out = append(out, fh)
		}
	}
	return out
}

// readUploads reads the chosen files, refusing too many or too large ones
// before holding them in memory.
func readUploads(r *http.Request) ([]intake.Upload, error) {
	files := chosenFiles(r)
	if len(files) > intake.MaxAttachments {
		return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "attachments", "Attach at most %d files.", intake.MaxAttachments)
	}
	var ups []intake.Upload
	for _, fh := range files {
		if fh.Size > intake.MaxAttachment {
			return nil, shieldwall.FieldErrorf(shieldwall.ETOOLARGE, "attachments", "“%s” is larger than %d MB.", fh.Filename, intake.MaxAttachment>>20)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("web: open upload: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, intake.MaxAttachment+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("web: read upload: %w", err)
		}
		ups = append(ups, intake.Upload{Filename: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data})
	}
	return ups, nil
}

// handleReportForm serves GET /report; ?kind= picks a kind in advance,
// which is also how the questions appear without CSS support.
func (h *Handler) handleReportForm(w http.ResponseWriter, r *http.Request) {
	f := newForm(nil)
	if k := shieldwall.ReportKind(r.URL.Query().Get("kind")); k.Valid() {
		f.Set("kind", string(k))
	}
	h.renderReportForm(w, r, http.StatusOK, f, false)
}

func (h *Handler) renderReportForm(w http.ResponseWriter, r *http.Request, status int, f *form, filesLost bool) {
	h.render(w, r, status, "report_new", reportFormPage{
		shell: h.shell(r, "Report something"), Form: f, Kinds: kindChoices(f), Action: "/report", FilesLost: filesLost,
	})
}

// submitReport reads and files a posted report form, anonymously when
// anonymous is set or the reporter ticked the box; it returns the receipt
// of an anonymous report. fail re-renders the form with the person's
// mistakes; on success the caller renders what comes next.
func (h *Handler) submitReport(w http.ResponseWriter, r *http.Request, anonymous bool, fail func(status int, f *form, filesLost bool)) (receipt string, ok bool) {
	cleanup, err := parseUpload(w, r)
	defer cleanup()
	if err != nil {
		h.renderError(w, r, err)
		return "", false
	}
	f, in := readReportForm(r)
	filesLost := len(chosenFiles(r)) > 0
	status := http.StatusBadRequest
	ups, err := readUploads(r)
	if err != nil {
		if !httpx.IsClientError(err) {
			h.renderError(w, r, err)
			return "", false
		}
		failReport(f, in.Kind, err)
		status = httpx.Status(err)
	}
	if f.Failed() {
		fail(status, f, filesLost)
		return "", false
	}
	if anonymous || f.Get("anonymous") == "on" {
		_, receipt, err = h.intake.SubmitAnonymous(r.Context(), clientKey(r), in, ups)
	} else {
		_, err = h.intake.Submit(r.Context(), httpx.ActorFrom(r), in, shieldwall.SourcePortal, ups)
	}
	if err != nil {
		h.failForm(w, r, err, func(status int) {
			failReport(f, in.Kind, err)
			fail(status, f, filesLost)
		})
		return "", false
	}
	return receipt, true
}

// handleReportCreate serves POST /report. A report under the reporter's
// name goes on to the confirmation; one they asked to keep anonymous
// answers with its receipt, which can be shown only now.
func (h *Handler) handleReportCreate(w http.ResponseWriter, r *http.Request) {
	receipt, ok := h.submitReport(w, r, false, func(status int, f *form, filesLost bool) {
		h.renderReportForm(w, r, status, f, filesLost)
	})
	if !ok {
		return
	}
	if receipt != "" {
		noReferrer(w)
		h.renderReceipt(w, r, receipt)
		return
	}
	redirect(w, r, "/report/sent")
}

// reportSentPage is the data of the confirmation.
type reportSentPage struct {
	shell
	CanList bool
}

// handleReportSent serves GET /report/sent, the confirmation after a report.
func (h *Handler) handleReportSent(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "report_sent", reportSentPage{
		shell: h.shell(r, "Thank you"), CanList: policy.Can(httpx.ActorFrom(r), policy.ReportList, nil),
	})
}

// convMessage is one message of a conversation as a page shows it.
type convMessage struct {
	Who      string
	Security bool
	Body     string
	At       time.Time
}

// conversation is what the conversation partial draws: the messages and
// the zone to show their times in (the page's shell.Zone).
type conversation struct {
	Messages []convMessage
	Zone     *time.Location
}

// reporterConversation is a conversation as the reporter reads it.
func reporterConversation(ms []shieldwall.Message) []convMessage {
	out := make([]convMessage, 0, len(ms))
	for _, m := range ms {
		c := convMessage{Who: "You", Body: m.Body, At: m.CreatedAt}
		if m.Author != "reporter" {
			c.Who, c.Security = "Security team", true
		}
		out = append(out, c)
	}
	return out
}

// reportCard is a report on My reports, with its conversation.
type reportCard struct {
	shieldwall.Report
	Conversation []convMessage
}

// myReportsPage is the data of My reports.
type myReportsPage struct {
	shell
	Filter   *form
	Statuses []option
	Reports  []reportCard
	Pager    pager
	Filtered bool
}

// handleMyReports serves GET /reports/mine: the reporter's own reports,
// newest first, each with the answer from security and the conversation.
func (h *Handler) handleMyReports(w http.ResponseWriter, r *http.Request) {
	ctx, actor := r.Context(), httpx.ActorFrom(r)
	page, err := pageFrom(r, 10)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := shieldwall.ReportFilter{ReporterID: actor.UserID, Status: shieldwall.ReportStatus(q.Get("status")), Page: page}
	if f.Status != "" && !f.Status.Valid() {
		h.renderError(w, r, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "%q is not a status.", f.Status))
		return
	}
	reports, total, err := h.intake.List(ctx, actor, f)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	data := myReportsPage{
		shell: h.shell(r, "My reports"), Filter: newForm(q), Statuses: statusOptions("Any status"),
		Pager: newPager(r.URL, total, page, len(reports), ""), Filtered: f.Status != "",
	}
	for _, rep := range reports {
		// The list leaves out conversations; a page holds few reports.
		full, err := h.intake.Get(ctx, actor, rep.ID)
		if err != nil {
			h.renderError(w, r, err)
			return
		}
		data.Reports = append(data.Reports, reportCard{Report: full, Conversation: reporterConversation(full.Messages)})
	}
	h.render(w, r, http.StatusOK, "reports_mine", data)
}

// reporterPage is the data of a report as its reporter sees it.
type reporterPage struct {
	shell
	Report       shieldwall.Report
	Conversation []convMessage
	Reply        *form
}

// handleReport serves GET /reports/{id}: the analyst view for those who
// may triage the report, the reporter's view for the reporter.
func (h *Handler) handleReport(w http.ResponseWriter, r *http.Request) {
	rep, err := h.findReport(r)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	h.renderReport(w, r, http.StatusOK, rep, nil, nil)
}

func (h *Handler) findReport(r *http.Request) (shieldwall.Report, error) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		return shieldwall.Report{}, err
	}
	return h.intake.Get(r.Context(), httpx.ActorFrom(r), id)
}

// renderReport draws the right view of rep; triage and reply are the forms
// to show again with their mistakes, or nil for fresh ones.
func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, status int, rep shieldwall.Report, triage, reply *form) {
	if reply == nil {
		reply = newForm(nil)
	}
	if policy.Can(httpx.ActorFrom(r), policy.ReportTriage, rep) {
		h.renderAnalyst(w, r, status, rep, triage, reply)
		return
	}
	h.render(w, r, status, "report", reporterPage{
		shell: h.shell(r, rep.Title), Report: rep, Conversation: reporterConversation(rep.Messages), Reply: reply,
	})
}

// handleReportMessage serves POST /reports/{id}/messages: the reporter's
// answer, or the security team's question.
func (h *Handler) handleReportMessage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	body := r.PostFormValue("body")
	if _, err := h.intake.Reply(r.Context(), httpx.ActorFrom(r), id, body); err != nil {
		h.failForm(w, r, err, func(status int) {
			rep, gerr := h.intake.Get(r.Context(), httpx.ActorFrom(r), id)
			if gerr != nil || shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
				h.renderError(w, r, err)
				return
			}
			reply := newForm(url.Values{"body": {body}})
			reply.Fail(err, "body")
			h.renderReport(w, r, status, rep, nil, reply)
		})
		return
	}
	redirect(w, r, withNotice("/reports/"+url.PathEscape(id), "message-sent")+"#conversation")
}

// handleAttachment serves GET /reports/{id}/attachments/{attachment} as a
// download: nothing a reporter sent is ever shown or run in the browser.
func (h *Handler) handleAttachment(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathValue(r, "id")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	aid, err := httpx.PathValue(r, "attachment")
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	a, data, compressed, err := h.intake.Attachment(r.Context(), httpx.ActorFrom(r), id, aid)
	if err != nil {
		h.renderError(w, r, err)
		return
	}
	api.ServeEvidence(w, a, data, compressed)
}
