// Package web serves the HTML pages: server-rendered html/template pages
// enhanced with htmx, and the static files they use. Handlers stay thin:
// decode the form or query, call the accounts or intake service (which asks
// the policy), and render or redirect.
package web

import (
	"html/template"
	"net/http"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/govern"
	"github.com/shieldwall/shieldwall/internal/httpx"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/notify"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/response"
)

// Handler holds what the pages need: the accounts, intake and response services,
// the parsed templates and the static files.
type Handler struct {
	acc    *accounts.Service
	intake *intake.Service
	notify *notify.Service
	resp   *response.Service
	govern *govern.Service
	// webhooks and acks serve the delivery pages (administrators) and
	// acknowledge links (anyone holding one).
	webhooks *notify.Webhooks
	acks     *notify.AckLinks
	pages    map[string]*template.Template
	assets   *assets
}

// navItem is one entry of the main navigation. It shows only to actors the
// policy allows to perform Action, so a link never leads to a 403.
type navItem struct {
	Label  string
	Href   string
	Action policy.Action
}

// navItems is the main navigation in order; later capabilities add their
// entries here (Cases, Risks …).
var navItems = []navItem{
	{Label: "Home", Href: "/", Action: policy.PageView},
	{Label: "Report", Href: "/report", Action: policy.ReportCreate},
	{Label: "My reports", Href: "/reports/mine", Action: policy.ReportList},
	{Label: "Triage", Href: "/triage", Action: policy.ReportTriage},
	{Label: "Cases", Href: "/cases", Action: policy.CaseList},
	{Label: "Actions", Href: "/actions", Action: policy.ActionItemList},
	{Label: "People", Href: "/people", Action: policy.UserList},
	{Label: "Departments", Href: "/departments", Action: policy.DepartmentList},
	{Label: "Risks", Href: "/risks", Action: policy.RiskList},
	{Label: "Controls", Href: "/controls", Action: policy.ControlList},
	{Label: "Committee", Href: "/committee", Action: policy.CommitteeView},
	{Label: "Reviews", Href: "/project-reviews", Action: policy.ProjectReviewList},
	{Label: "Apps", Href: "/apps", Action: policy.AppList},
	{Label: "Audit log", Href: "/audit", Action: policy.AuditList},
	{Label: "Admin", Href: "/admin", Action: policy.AdminView},
}

// Register adds every page route to rt and sets rt.PageError.
func Register(rt *httpx.Router, acc *accounts.Service, in *intake.Service, resp *response.Service) {
	h := &Handler{acc: acc, intake: in, notify: notify.New(acc.Store()), resp: resp, govern: govern.New(acc.Store()), assets: newAssets(),
		webhooks: notify.NewWebhooks(acc.Store()), acks: notify.NewAckLinks(acc.Store())}
	h.pages = parsePages(h.assets)
	rt.PageError = h.renderError
	// Any other address gets the site's own "not found" page, not Go's plain text.
	rt.Fallback("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, shieldwall.Errorf(shieldwall.ENOTFOUND, "There is no page at this address."))
	}))

	rt.Raw("GET /static/", policy.Public, h.assets)

	rt.Page("GET /{$}", policy.PageView, h.handleHome)

	rt.Page("GET /signin", policy.Public, h.handleSignInForm)
	rt.Page("POST /signin", policy.Public, h.handleSignIn)
	rt.Page("POST /signout", policy.PageView, h.handleSignOut)
	rt.Page("GET /setup", policy.Public, h.handleSetupForm)
	rt.Page("POST /setup", policy.Public, h.handleSetup)

	rt.Page("GET /people", policy.UserList, h.handlePeople)
	rt.Page("GET /people/{id}", policy.UserView, h.handlePerson)

	rt.Page("GET /departments", policy.DepartmentList, h.handleDepartments)
	rt.Page("GET /departments/{slug}", policy.DepartmentView, h.handleDepartment)

	rt.Page("GET /account", policy.TokenManage, h.handleAccount)
	rt.Page("POST /account/tokens", policy.TokenManage, h.handleTokenCreate)
	rt.Page("POST /account/tokens/{id}/revoke", policy.TokenManage, h.handleTokenRevoke)

	rt.Page("GET /admin", policy.AdminView, h.handleAdmin)
	rt.Page("GET /admin/departments/new", policy.DepartmentCreate, h.handleDepartmentNew)
	rt.Page("POST /admin/departments", policy.DepartmentCreate, h.handleDepartmentCreate)
	rt.Page("GET /admin/departments/{id}/edit", policy.DepartmentUpdate, h.handleDepartmentEdit)
	rt.Page("POST /admin/departments/{id}", policy.DepartmentUpdate, h.handleDepartmentUpdate)
	rt.Page("POST /admin/departments/{id}/delete", policy.DepartmentDelete, h.handleDepartmentDelete)
	rt.Page("GET /admin/people/new", policy.UserCreate, h.handlePersonNew)
	rt.Page("POST /admin/people", policy.UserCreate, h.handlePersonCreate)
	rt.Page("GET /admin/people/{id}/edit", policy.UserUpdate, h.handlePersonEdit)
	rt.Page("POST /admin/people/{id}", policy.UserUpdate, h.handlePersonUpdate)

	rt.Page("GET /audit", policy.AuditList, h.handleAudit)

	rt.Page("GET /report", policy.ReportCreate, h.handleReportForm)
	rt.UploadPage("POST /report", policy.ReportCreate, h.handleReportCreate)
	rt.Page("GET /report/sent", policy.ReportCreate, h.handleReportSent)
	rt.Page("GET /reports/mine", policy.ReportList, h.handleMyReports)
	rt.Page("GET /reports/{id}", policy.ReportView, h.handleReport)
	rt.Page("POST /reports/{id}/messages", policy.ReportView, h.handleReportMessage)
	rt.Page("POST /reports/{id}/triage", policy.ReportTriage, h.handleReportTriage)
	rt.Page("GET /reports/{id}/attachments/{attachment}", policy.ReportView, h.handleAttachment)

	rt.Page("GET /anonymous", policy.ReportAnonymous, h.handleAnonymousForm)
	rt.UploadPage("POST /anonymous", policy.ReportAnonymous, h.handleAnonymousCreate)
	rt.Page("GET /anonymous/follow-up", policy.ReportAnonymous, h.handleFollowUpForm)
	rt.Page("POST /anonymous/follow-up", policy.ReportAnonymous, h.handleFollowUp)
	rt.Page("POST /anonymous/messages", policy.ReportAnonymous, h.handleAnonymousMessage)

	rt.Page("GET /notifications", policy.NotificationList, h.handleNotifications)
	rt.Page("GET /notifications/bell", policy.NotificationList, h.handleBell)
	rt.Page("GET /notifications/{id}", policy.NotificationAck, h.handleNotificationOpen)
	rt.Page("POST /notifications/{id}/read", policy.NotificationAck, h.handleNotificationRead)
	rt.Page("POST /notifications/{id}/ack", policy.NotificationAck, h.handleNotificationAck)
	rt.Page("GET /account/notifications", policy.NotificationPreferences, h.handlePreferences)
	rt.Page("POST /account/notifications", policy.NotificationPreferences, h.handlePreferencesSave)
	rt.Page("GET /ack/{token}", policy.NotificationAckLink, h.handleAckLink)
	rt.Page("POST /ack/{token}", policy.NotificationAckLink, h.handleAckLinkConfirm)
	rt.Page("GET /admin/webhooks", policy.WebhookManage, h.handleWebhooks)
	rt.Page("POST /admin/webhooks", policy.WebhookManage, h.handleWebhookCreate)
	rt.Page("GET /admin/webhooks/{id}", policy.WebhookManage, h.handleWebhookDeliveries)
	rt.Page("POST /admin/webhooks/{id}/delete", policy.WebhookManage, h.handleWebhookDelete)
	rt.Page("GET /admin/deliveries/dead", policy.WebhookManage, h.handleDeadLetters)
	rt.Page("POST /admin/deliveries/{id}/retry", policy.WebhookManage, h.handleDeliveryRetry)
	rt.Page("GET /admin/notifications/noise", policy.NotificationNoise, h.handleNoise)

	rt.Page("GET /triage", policy.ReportTriage, h.handleTriage)
	rt.Page("GET /campaigns/{id}", policy.CampaignView, h.handleCampaign)
	rt.Page("POST /campaigns/{id}/decision", policy.CampaignDecide, h.handleCampaignDecision)

	// Respond: the route's action lets the role in; the service asks the
	// policy again about the one case (need-to-know).
	rt.Page("GET /cases", policy.CaseList, h.handleCases)
	rt.Page("GET /cases/new", policy.CaseCreate, h.handleCaseNew)
	rt.Page("POST /cases", policy.CaseCreate, h.handleCaseCreate)
	rt.Page("GET /cases/{id}", policy.CaseView, h.handleCase)
	rt.Page("GET /cases/{id}/live", policy.CaseView, h.handleCaseLive)
	rt.Page("POST /cases/{id}", policy.CaseManage, h.handleCaseUpdate)
	rt.Page("POST /cases/{id}/timeline", policy.CaseContribute, h.handleCaseEntry)
	rt.Page("POST /cases/{id}/ack", policy.CaseContribute, h.handleCaseAck)
	rt.Page("POST /cases/{id}/tasks/{task}", policy.CaseContribute, h.handleCaseTask)
	rt.Page("POST /cases/{id}/clock-events", policy.CaseContribute, h.handleCaseClockEvent)
	rt.Page("POST /cases/{id}/participants", policy.CaseManage, h.handleCaseParticipantAdd)
	rt.Page("POST /cases/{id}/participants/{user}/remove", policy.CaseManage, h.handleCaseParticipantRemove)
	rt.Page("GET /cases/{id}/review", policy.CaseView, h.handleCaseReview)
	rt.Page("POST /cases/{id}/review", policy.CaseContribute, h.handleCaseReviewSave)
	rt.Page("POST /cases/{id}/review/action-items", policy.CaseContribute, h.handleCaseReviewAction)
	rt.Page("GET /actions", policy.ActionItemList, h.handleActions)
	rt.Page("POST /actions/{id}", policy.ActionItemUpdate, h.handleActionUpdate)
	rt.Page("POST /departments/{slug}/duties/{role}", policy.DutyManage, h.handleDutySet)

	h.registerGovern(rt)
}

// roleLabels are the words people see for each role.
var roleLabels = map[shieldwall.Role]string{
	shieldwall.RoleAdmin:    "Administrator",
	shieldwall.RoleSecurity: "Security team",
	shieldwall.RoleChampion: "Security champion",
	shieldwall.RoleMember:   "Member",
	shieldwall.RoleAuditor:  "Auditor",
}

// redirect answers a form post or a bare GET with 303 See Other, so that
// reloading the next page never re-sends the form (post/redirect/get).
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
