package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/shieldwall/shieldwall/internal/policy"
)

// operation is one API route and what the OpenAPI document says about it.
// Registering from this table keeps the document and the routes together;
// a test still compares the document with what the router really serves.
type operation struct {
	pattern  string
	action   policy.Action
	handler  func(*Handler) http.HandlerFunc
	summary  string
	request  string   // schema name of the JSON body, if any
	response string   // schema name of the answer; "" for 204
	list     bool     // the answer is the list envelope of response
	status   int      // success status
	query    []string // query parameters besides limit and offset
	// extra are properties the list envelope carries besides the usual ones.
	extra map[string]any
}

var operations = []operation{
	{pattern: "GET /api/v1/me", action: policy.MeView, handler: func(h *Handler) http.HandlerFunc { return h.handleMe },
		summary: "The signed-in user", response: "User", status: 200},
	{pattern: "GET /api/v1/me/tokens", action: policy.TokenManage, handler: func(h *Handler) http.HandlerFunc { return h.handleTokenList },
		summary: "My API tokens", response: "APIToken", list: true, status: 200},
	{pattern: "POST /api/v1/me/tokens", action: policy.TokenManage, handler: func(h *Handler) http.HandlerFunc { return h.handleTokenCreate },
		summary: "Create an API token (the secret is shown once)", request: "TokenInput", response: "APITokenCreated", status: 201},
	{pattern: "DELETE /api/v1/me/tokens/{id}", action: policy.TokenManage, handler: func(h *Handler) http.HandlerFunc { return h.handleTokenRevoke },
		summary: "Revoke one of my API tokens", status: 204},
	{pattern: "GET /api/v1/departments", action: policy.DepartmentList, handler: func(h *Handler) http.HandlerFunc { return h.handleDepartmentList },
		summary: "List departments", response: "Department", list: true, status: 200, query: []string{"q"}},
	{pattern: "POST /api/v1/departments", action: policy.DepartmentCreate, handler: func(h *Handler) http.HandlerFunc { return h.handleDepartmentCreate },
		summary: "Create a department", request: "DepartmentInput", response: "Department", status: 201},
	{pattern: "GET /api/v1/departments/{id}", action: policy.DepartmentView, handler: func(h *Handler) http.HandlerFunc { return h.handleDepartmentGet },
		summary: "One department, by id or slug", response: "Department", status: 200},
	{pattern: "PATCH /api/v1/departments/{id}", action: policy.DepartmentUpdate, handler: func(h *Handler) http.HandlerFunc { return h.handleDepartmentUpdate },
		summary: "Rename or describe a department (omitted fields keep their value)", request: "DepartmentPatch", response: "Department", status: 200},
	{pattern: "DELETE /api/v1/departments/{id}", action: policy.DepartmentDelete, handler: func(h *Handler) http.HandlerFunc { return h.handleDepartmentDelete },
		summary: "Delete an empty department", status: 204},
	{pattern: "GET /api/v1/users", action: policy.UserList, handler: func(h *Handler) http.HandlerFunc { return h.handleUserList },
		summary: "List people", response: "User", list: true, status: 200, query: []string{"q", "role", "department"}},
	{pattern: "POST /api/v1/users", action: policy.UserCreate, handler: func(h *Handler) http.HandlerFunc { return h.handleUserCreate },
		summary: "Add a person", request: "UserInput", response: "User", status: 201},
	{pattern: "GET /api/v1/users/{id}", action: policy.UserView, handler: func(h *Handler) http.HandlerFunc { return h.handleUserGet },
		summary: "One person", response: "User", status: 200},
	{pattern: "PATCH /api/v1/users/{id}", action: policy.UserUpdate, handler: func(h *Handler) http.HandlerFunc { return h.handleUserUpdate },
		summary: "Change a person's name, title, role, department or active state", request: "UserUpdate", response: "User", status: 200},
	{pattern: "GET /api/v1/audit", action: policy.AuditList, handler: func(h *Handler) http.HandlerFunc { return h.handleAuditList },
		summary: "The audit log, newest first (administrators and auditors)", response: "AuditEvent", list: true, status: 200,
		query: []string{"object_type", "object_id", "actor_id"}},

	{pattern: "POST /api/v1/reports", action: policy.ReportCreate, handler: func(h *Handler) http.HandlerFunc { return h.handleReportCreate },
		summary: "Report something that looks wrong; with anonymous set, no identity is kept and the answer is an AnonymousReceipt", request: "ReportInput", response: "Report", status: 201},
	{pattern: "GET /api/v1/reports", action: policy.ReportList, handler: func(h *Handler) http.HandlerFunc { return h.handleReportList },
		summary: "Reports you may see: all for security, your department's for champions, your own otherwise", response: "Report", list: true, status: 200,
		query: []string{"status", "kind", "department", "campaign"}},
	{pattern: "GET /api/v1/reports/{id}", action: policy.ReportView, handler: func(h *Handler) http.HandlerFunc { return h.handleReportGet },
		summary: "One report with its indicators, signals, files and messages", response: "Report", status: 200},
	{pattern: "PATCH /api/v1/reports/{id}", action: policy.ReportTriage, handler: func(h *Handler) http.HandlerFunc { return h.handleReportTriage },
		summary: "Triage a report: status, assignee, answer to the reporter, duplicate, case link", request: "TriageUpdate", response: "Report", status: 200},
	{pattern: "POST /api/v1/reports/{id}/messages", action: policy.ReportView, handler: func(h *Handler) http.HandlerFunc { return h.handleReportMessage },
		summary: "Write to the reporter (security) or to security (the reporter)", request: "MessageInput", response: "Report", status: 201},
	{pattern: "GET /api/v1/reports/{id}/attachments/{attachment}", action: policy.ReportView, handler: func(h *Handler) http.HandlerFunc { return h.handleReportAttachment },
		summary: "Download a report's file as evidence (original emails come gzip-compressed)", response: "", status: 200},
	{pattern: "POST /api/v1/anonymous-reports", action: policy.ReportAnonymous, handler: func(h *Handler) http.HandlerFunc { return h.handleAnonymousCreate },
		summary: "Report anonymously, without an account; the receipt is shown only in this answer", request: "ReportInput", response: "AnonymousReceipt", status: 201},
	{pattern: "POST /api/v1/anonymous-reports/lookup", action: policy.ReportAnonymous, handler: func(h *Handler) http.HandlerFunc { return h.handleAnonymousLookup },
		summary: "Status and messages of an anonymous report, by its receipt", request: "ReceiptInput", response: "AnonymousView", status: 200},
	{pattern: "POST /api/v1/anonymous-reports/messages", action: policy.ReportAnonymous, handler: func(h *Handler) http.HandlerFunc { return h.handleAnonymousMessage },
		summary: "Answer the security team on an anonymous report", request: "ReceiptMessageInput", response: "AnonymousView", status: 201},
	{pattern: "GET /api/v1/campaigns", action: policy.CampaignList, handler: func(h *Handler) http.HandlerFunc { return h.handleCampaignList },
		summary: "Campaigns (many reports of one email), largest first", response: "Campaign", list: true, status: 200, query: []string{"status"}},
	{pattern: "GET /api/v1/campaigns/{id}", action: policy.CampaignView, handler: func(h *Handler) http.HandlerFunc { return h.handleCampaignGet },
		summary: "One campaign with its reporters counted per department", response: "Campaign", status: 200},
	{pattern: "POST /api/v1/campaigns/{id}/decision", action: policy.CampaignDecide, handler: func(h *Handler) http.HandlerFunc { return h.handleCampaignDecide },
		summary: "Decide a campaign: resolves every open report in it and tells each reporter", request: "CampaignDecision", response: "CampaignDecided", status: 200},

	{pattern: "GET /api/v1/notifications", action: policy.NotificationList, handler: func(h *Handler) http.HandlerFunc { return h.handleNotificationList },
		summary: "My notifications, newest first; unread=true lists only the unread ones", response: "Notification", list: true, status: 200,
		query: []string{"unread"}, extra: map[string]any{"unread": map[string]any{"type": "integer", "description": "how many of all my notifications are unread"}}},
	{pattern: "POST /api/v1/notifications/{id}/ack", action: policy.NotificationAck, handler: func(h *Handler) http.HandlerFunc { return h.handleNotificationAck },
		summary: "Acknowledge one of my notifications (marks it read as well)", response: "Notification", status: 200},
	{pattern: "GET /api/v1/risks", action: policy.RiskList, handler: func(h *Handler) http.HandlerFunc { return h.handleRiskList },
		summary: "The risk register, gravest first: the whole of it for security, administrators and auditors, your department's slice otherwise", response: "Risk", list: true, status: 200,
		query: []string{"department", "level", "q"}, extra: map[string]any{
			"heat_map": map[string]any{"type": "array", "description": "5 rows (impact 5 down to 1) of 5 cells (likelihood 1 to 5), counting the risks of the whole scope",
				"items": map[string]any{"type": "array", "items": ref("HeatCell")}},
			"appetite": map[string]any{"type": "integer", "description": "the highest score accepted without sign-off"}}},
	{pattern: "POST /api/v1/risks", action: policy.RiskCreate, handler: func(h *Handler) http.HandlerFunc { return h.handleRiskCreate },
		summary: "Add a risk; an impact is drafted for each department its category concerns", request: "RiskInput", response: "Risk", status: 201},
	{pattern: "GET /api/v1/risks/{id}", action: policy.RiskView, handler: func(h *Handler) http.HandlerFunc { return h.handleRiskGet },
		summary: "One risk with its impact in each department's terms", response: "Risk", status: 200},
	{pattern: "PATCH /api/v1/risks/{id}", action: policy.RiskUpdate, handler: func(h *Handler) http.HandlerFunc { return h.handleRiskUpdate },
		summary: "Change a risk (omitted fields keep their value); changing what was accepted withdraws the sign-offs", request: "RiskInput", response: "Risk", status: 200},
	{pattern: "PUT /api/v1/risks/{id}/impacts", action: policy.RiskImpactEdit, handler: func(h *Handler) http.HandlerFunc { return h.handleRiskImpact },
		summary: "Write one department's impact (its champion or security)", request: "RiskImpactInput", response: "Risk", status: 200},
	{pattern: "POST /api/v1/risks/{id}/acceptance", action: policy.RiskAccept, handler: func(h *Handler) http.HandlerFunc { return h.handleRiskAcceptance },
		summary: "Sign off accepting a risk above the appetite: as the owner department's head (its champion) or as security lead", response: "Risk", status: 200},
	{pattern: "GET /api/v1/frameworks", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleFrameworkList },
		summary: "Frameworks controls map to: NIST CSF 2.0, ISO/IEC 27001:2022 Annex A, and imported OSCAL catalogs", response: "Framework", list: true, status: 200},
	{pattern: "POST /api/v1/frameworks", action: policy.FrameworkImport, handler: func(h *Handler) http.HandlerFunc { return h.handleFrameworkImport },
		summary: "Import an OSCAL catalog (the body is the catalog JSON, up to 8 MiB); ?id= names it", request: "OSCALCatalog", response: "Framework", status: 201, query: []string{"id"}},
	{pattern: "GET /api/v1/frameworks/{id}/requirements", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleFrameworkRequirements },
		summary: "A framework's requirements in document order", response: "Requirement", list: true, status: 200},
	{pattern: "GET /api/v1/frameworks/{id}/soa.csv", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleSoA },
		summary: "Statement of Applicability as CSV: requirement_id, label, title, applicable, status, controls, owner_departments, justification", response: "", status: 200},
	{pattern: "GET /api/v1/compliance", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleCompliance },
		summary: "Compliance per framework and per department, computed from the controls' mappings, statuses and current evidence", response: "FrameworkCompliance", list: true, status: 200},
	{pattern: "GET /api/v1/controls", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleControlList },
		summary: "The organisation's controls", response: "Control", list: true, status: 200, query: []string{"department", "framework", "status"}},
	{pattern: "POST /api/v1/controls", action: policy.ControlCreate, handler: func(h *Handler) http.HandlerFunc { return h.handleControlCreate },
		summary: "Add a control with its owner department and framework mappings", request: "ControlInput", response: "Control", status: 201},
	{pattern: "POST /api/v1/controls/import", action: policy.ControlCreate, handler: func(h *Handler) http.HandlerFunc { return h.handleControlImport },
		summary: "Import controls from CSV (columns title, description, owner_department, status, justification, mappings); a bad line names itself and nothing is added", request: "ControlsImport", response: "ControlsImported", status: 201},
	{pattern: "GET /api/v1/controls/{id}", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleControlGet },
		summary: "One control", response: "Control", status: 200},
	{pattern: "PATCH /api/v1/controls/{id}", action: policy.ControlUpdate, handler: func(h *Handler) http.HandlerFunc { return h.handleControlUpdate },
		summary: "Change a control (its department's champion or security)", request: "ControlInput", response: "Control", status: 200},
	{pattern: "GET /api/v1/controls/{id}/evidence", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleEvidenceList },
		summary: "A control's evidence, newest first", response: "Evidence", list: true, status: 200},
	{pattern: "POST /api/v1/controls/{id}/evidence", action: policy.ControlUpdate, handler: func(h *Handler) http.HandlerFunc { return h.handleEvidenceAdd },
		summary: "Add evidence: a link, or a file up to 512 KiB (base64 in data)", request: "EvidenceInput", response: "Evidence", status: 201},
	{pattern: "GET /api/v1/controls/{id}/evidence/{evidence}", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleEvidenceFile },
		summary: "Download a file evidence", response: "", status: 200},
	{pattern: "GET /api/v1/committee/members", action: policy.CommitteeView, handler: func(h *Handler) http.HandlerFunc { return h.handleMemberList },
		summary: "The security committee: who represents which department", response: "CommitteeMember", list: true, status: 200},
	{pattern: "POST /api/v1/committee/members", action: policy.CommitteeManage, handler: func(h *Handler) http.HandlerFunc { return h.handleMemberAdd },
		summary: "Seat a person on the committee for a department (security team)", request: "MemberInput", response: "CommitteeMember", list: true, status: 200},
	{pattern: "GET /api/v1/meetings", action: policy.CommitteeView, handler: func(h *Handler) http.HandlerFunc { return h.handleMeetingList },
		summary: "Committee meetings, latest first", response: "Meeting", list: true, status: 200},
	{pattern: "POST /api/v1/meetings", action: policy.CommitteeManage, handler: func(h *Handler) http.HandlerFunc { return h.handleMeetingCreate },
		summary: "Schedule a meeting (committee members and security)", request: "MeetingInput", response: "Meeting", status: 201},
	{pattern: "GET /api/v1/meetings/{id}", action: policy.CommitteeView, handler: func(h *Handler) http.HandlerFunc { return h.handleMeetingGet },
		summary: "One meeting with its agenda built from what changed since the previous one, free items, decisions and action items; GET /api/v1/meetings/{id}.ics answers the meeting as an iCalendar file", response: "Meeting", status: 200},
	{pattern: "PATCH /api/v1/meetings/{id}", action: policy.CommitteeManage, handler: func(h *Handler) http.HandlerFunc { return h.handleMeetingUpdate },
		summary: "Change a meeting or record its minutes", request: "MeetingInput", response: "Meeting", status: 200},
	{pattern: "POST /api/v1/meetings/{id}/items", action: policy.CommitteeManage, handler: func(h *Handler) http.HandlerFunc { return h.handleMeetingItem },
		summary: "Add a free agenda item", request: "MeetingItemInput", response: "Meeting", status: 201},
	{pattern: "POST /api/v1/meetings/{id}/decisions", action: policy.CommitteeManage, handler: func(h *Handler) http.HandlerFunc { return h.handleMeetingDecision },
		summary: "Record a decision, linked to what it decided on", request: "DecisionInput", response: "Decision", status: 201},
	{pattern: "POST /api/v1/meetings/{id}/action-items", action: policy.CommitteeManage, handler: func(h *Handler) http.HandlerFunc { return h.handleMeetingAction },
		summary: "File an action item on the shared action list, owned by a department with a due date", request: "MeetingActionInput", response: "ActionItem", status: 201},
	{pattern: "GET /api/v1/meetings/{id}/meeting.ics", action: policy.CommitteeView, handler: func(h *Handler) http.HandlerFunc { return h.handleMeetingICS },
		summary: "The meeting as an iCalendar file (RFC 5545)", response: "", status: 200},
	{pattern: "GET /api/v1/decisions", action: policy.CommitteeView, handler: func(h *Handler) http.HandlerFunc { return h.handleDecisionList },
		summary: "The decisions register, newest first", response: "Decision", list: true, status: 200, query: []string{"object_type", "object_id"}},
	{pattern: "GET /api/v1/reviews", action: policy.ProjectReviewList, handler: func(h *Handler) http.HandlerFunc { return h.handleProjectReviewList },
		summary: "Security reviews you may see: all for security and auditors; your requests and those waiting for your department otherwise", response: "ProjectReview", list: true, status: 200, query: []string{"status"}},
	{pattern: "POST /api/v1/reviews", action: policy.ProjectReviewCreate, handler: func(h *Handler) http.HandlerFunc { return h.handleProjectReviewCreate },
		summary: "Request a security review of a new project, vendor or SaaS tool; the answer lists its required_signoffs", request: "ProjectReviewInput", response: "ProjectReview", status: 201},
	{pattern: "GET /api/v1/reviews/{id}", action: policy.ProjectReviewList, handler: func(h *Handler) http.HandlerFunc { return h.handleProjectReviewGet },
		summary: "One review; a reviewer sees only the sign-offs they decide", response: "ProjectReview", status: 200},
	{pattern: "POST /api/v1/reviews/{id}/decisions", action: policy.ProjectReviewDecide, handler: func(h *Handler) http.HandlerFunc { return h.handleProjectReviewDecide },
		summary: "Decide one sign-off (the duty's department champion or security)", request: "ReviewDecisionInput", response: "ProjectReview", status: 200},
	{pattern: "GET /api/v1/apps", action: policy.AppList, handler: func(h *Handler) http.HandlerFunc { return h.handleAppList },
		summary: "The app catalogue: approved, tolerated and banned apps (banned ones with their safer alternative)", response: "App", list: true, status: 200, query: []string{"status"}},
	{pattern: "POST /api/v1/apps", action: policy.AppManage, handler: func(h *Handler) http.HandlerFunc { return h.handleAppPut },
		summary: "Add or change an app in the catalogue (security team)", request: "AppInput", response: "App", status: 200},
	{pattern: "POST /api/v1/apps/declarations", action: policy.AppDeclare, handler: func(h *Handler) http.HandlerFunc { return h.handleAppDeclare },
		summary: "Declare an app you use, without blame: learn its standing, or open a light review", request: "DeclareInput", response: "Declaration", status: 201},
	{pattern: "POST /api/v1/evidence/reminders", action: policy.ControlCreate, handler: func(h *Handler) http.HandlerFunc { return h.handleEvidenceRemind },
		summary: "Remind owner departments of evidence expired or expiring within 30 days, once per item (for a timer or an operator)", response: "EvidenceReminded", status: 200},
	{pattern: "GET /api/v1/govern/settings", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleGovernSettingsGet },
		summary: "Governance settings: the risk appetite and the review cost above which Finance signs off", response: "GovernSettings", status: 200},
	{pattern: "PUT /api/v1/govern/settings", action: policy.GovernSettings, handler: func(h *Handler) http.HandlerFunc { return h.handleGovernSettingsPut },
		summary: "Change the governance settings (administrators)", request: "GovernSettings", response: "GovernSettings", status: 200},
	{pattern: "GET /api/v1/evidence/expiring", action: policy.ControlList, handler: func(h *Handler) http.HandlerFunc { return h.handleEvidenceExpiring },
		summary: "Evidence expired or expiring within 30 days, for your department's controls (all=true: every department, security only)", response: "Evidence", list: true, status: 200, query: []string{"all"}},
	{pattern: "GET /api/v1/me/notification-preferences", action: policy.NotificationPreferences, handler: func(h *Handler) http.HandlerFunc { return h.handlePreferencesGet },
		summary: "My notification preferences (defaults until I choose)", response: "NotificationPreferences", status: 200},
	{pattern: "PUT /api/v1/me/notification-preferences", action: policy.NotificationPreferences, handler: func(h *Handler) http.HandlerFunc { return h.handlePreferencesPut },
		summary: "Set my channels per urgency, digest, quiet hours and time zone (in-app is always on; critical cannot be switched off)", request: "NotificationPreferences", response: "NotificationPreferences", status: 200},
	{pattern: "GET /api/v1/webhooks", action: policy.WebhookManage, handler: func(h *Handler) http.HandlerFunc { return h.handleWebhookList },
		summary: "Webhooks with their delivery counts (administrators)", response: "Webhook", list: true, status: 200},
	{pattern: "POST /api/v1/webhooks", action: policy.WebhookManage, handler: func(h *Handler) http.HandlerFunc { return h.handleWebhookCreate },
		summary: "Add a webhook; the answer carries its signing secret, shown only this once (administrators)", request: "WebhookInput", response: "Webhook", status: 201},
	{pattern: "DELETE /api/v1/webhooks/{id}", action: policy.WebhookManage, handler: func(h *Handler) http.HandlerFunc { return h.handleWebhookDelete },
		summary: "Remove a webhook and its deliveries (administrators)", status: 204},
	{pattern: "GET /api/v1/webhooks/{id}/deliveries", action: policy.WebhookManage, handler: func(h *Handler) http.HandlerFunc { return h.handleWebhookDeliveries },
		summary: "A webhook's deliveries, newest first, with attempts and last error (administrators)", response: "Delivery", list: true, status: 200, query: []string{"status"}},
	{pattern: "GET /api/v1/deliveries", action: policy.WebhookManage, handler: func(h *Handler) http.HandlerFunc { return h.handleDeliveryList },
		summary: "Deliveries of every channel, newest first; status=dead lists the dead letters (administrators)", response: "Delivery", list: true, status: 200, query: []string{"status"}},
	{pattern: "POST /api/v1/deliveries/{id}/retry", action: policy.WebhookManage, handler: func(h *Handler) http.HandlerFunc { return h.handleDeliveryRetry },
		summary: "Send a dead-lettered delivery again, with the same message id (administrators)", response: "Delivery", status: 200},
}

func str(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }
func dateTime() map[string]any       { return map[string]any{"type": "string", "format": "date-time"} }
func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
func object(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

var roleSchema = map[string]any{"type": "string", "enum": []string{"admin", "security", "champion", "member", "auditor"}}

var schemas = map[string]any{
	"Problem": object([]string{"type", "title", "status", "detail", "code"}, map[string]any{
		"type": str("URI naming the problem type"), "title": str("short summary"), "status": map[string]any{"type": "integer"},
		"detail": str("what is wrong, in plain words"), "code": str("stable machine-readable code, e.g. invalid, not_found, conflict"),
		"field": str("the input field at fault"), "instance": str("the request path"),
	}),
	"Department": object([]string{"id", "name", "slug", "created_at"}, map[string]any{
		"id": str("identifier"), "name": str(""), "slug": str("URL form of the name"), "description": str(""),
		"member_count": map[string]any{"type": "integer"}, "created_at": dateTime(), "updated_at": dateTime(),
	}),
	"DepartmentInput": object([]string{"name"}, map[string]any{"name": str("1–100 characters"), "description": str("")}),
	"DepartmentPatch": object(nil, map[string]any{"name": str("1–100 characters"), "description": str("")}),
	"User": object([]string{"id", "email", "name", "role", "department_id", "created_at"}, map[string]any{
		"id": str(""), "email": str(""), "name": str(""), "title": str(""), "role": roleSchema,
		"department_id": str(""), "department_name": str(""), "active": map[string]any{"type": "boolean"},
		"has_password": map[string]any{"type": "boolean"}, "created_at": dateTime(), "updated_at": dateTime(),
	}),
	"UserInput": object([]string{"email", "name", "department"}, map[string]any{
		"email": str(""), "name": str(""), "title": str(""), "role": roleSchema,
		"department": str("department id, slug or name; it must exist"), "password": str("optional, at least 12 characters"),
	}),
	"UserUpdate": object(nil, map[string]any{
		"name": str(""), "title": str(""), "role": roleSchema, "department": str("department id, slug or name"),
		"active": map[string]any{"type": "boolean"},
	}),
	"AuditEvent": object([]string{"id", "seq", "created_at", "action", "hash"}, map[string]any{
		"id": str("the sequence number as text"), "seq": map[string]any{"type": "integer"}, "created_at": dateTime(),
		"actor_id": str(""), "actor_label": str(""), "action": str(""), "object_type": str(""), "object_id": str(""),
		"summary": str(""), "prev_hash": str("SHA-256 of the previous event"), "hash": str("SHA-256 of this event"),
	}),
	"APIToken": object([]string{"id", "created_at"}, map[string]any{
		"id": str(""), "user_id": str(""), "name": str(""), "created_at": dateTime(),
		"last_used_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"},
		"revoked_at":   map[string]any{"type": []string{"string", "null"}, "format": "date-time"},
	}),
	"APITokenCreated": map[string]any{"allOf": []any{ref("APIToken"), object([]string{"token"}, map[string]any{"token": str("the secret; shown only now")})}},
	"TokenInput":      object(nil, map[string]any{"name": str("what the token is for")}),
	"ReportInput": object([]string{"kind", "title"}, map[string]any{
		"kind": reportKindSchema, "title": str("1–200 characters"), "description": str("up to 20,000 characters"),
		"details":   map[string]any{"type": "object", "description": "the kind's own answers, e.g. amount, payee, what_changed for payment-fraud"},
		"anonymous": map[string]any{"type": "boolean", "description": "keep no identity, not even yours"},
	}),
	"Report": object([]string{"id", "kind", "title", "status", "created_at"}, map[string]any{
		"id": str(""), "kind": reportKindSchema, "title": str(""), "description": str(""), "details": map[string]any{"type": "object"},
		"status": reportStatusSchema, "source": map[string]any{"type": "string", "enum": []string{"portal", "api", "email", "anonymous"}},
		"reporter_id": str("empty when anonymous or an unknown mail sender"), "reporter_name": str(""), "anonymous": map[string]any{"type": "boolean"},
		"department_id": str(""), "department_name": str(""), "campaign_id": str(""), "duplicate_of": str(""),
		"assignee_id": str(""), "assignee_name": str(""), "case_id": str(""), "simulation": map[string]any{"type": "boolean"},
		"verdict_level": str("likely-malicious, suspicious, likely-safe or simulation"), "verdict_score": map[string]any{"type": "integer"},
		"signals":     map[string]any{"type": "array", "items": ref("Signal")},
		"indicators":  map[string]any{"type": "array", "items": ref("Indicator")},
		"attachments": map[string]any{"type": "array", "items": ref("Attachment")},
		"messages":    map[string]any{"type": "array", "items": ref("Message")},
		"resolution":  str("the answer shown to the reporter"), "created_at": dateTime(), "updated_at": dateTime(),
	}),
	"Signal":       object([]string{"code", "reason"}, map[string]any{"code": str(""), "weight": map[string]any{"type": "integer"}, "reason": str("one plain sentence")}),
	"Indicator":    object([]string{"type", "value"}, map[string]any{"type": str("url, domain, ip, email, sender, reply-to, attachment-sha256, attachment-name, link-mismatch"), "value": str(""), "note": str("")}),
	"Attachment":   object([]string{"id", "filename", "created_at"}, map[string]any{"id": str(""), "filename": str(""), "content_type": str(""), "size": map[string]any{"type": "integer"}, "sha256": str(""), "created_at": dateTime()}),
	"Message":      object([]string{"id", "author", "body", "created_at"}, map[string]any{"id": str(""), "author": str("reporter or security"), "author_id": str(""), "body": str(""), "created_at": dateTime()}),
	"MessageInput": object([]string{"body"}, map[string]any{"body": str("up to 10,000 characters")}),
	"TriageUpdate": object(nil, map[string]any{"status": reportStatusSchema, "assignee_id": str("empty to unassign"),
		"resolution": str("the answer the reporter sees"), "duplicate_of": str("a report this one duplicates; closes it"), "case_id": str("link to a case")}),
	"AnonymousReceipt":    object([]string{"id", "receipt", "created_at"}, map[string]any{"id": str(""), "kind": reportKindSchema, "anonymous": map[string]any{"type": "boolean", "const": true}, "receipt": str("shown once; the only way back to the report"), "status": reportStatusSchema, "created_at": dateTime()}),
	"ReceiptInput":        object([]string{"receipt"}, map[string]any{"receipt": str("as shown; case, spaces and dashes do not matter")}),
	"ReceiptMessageInput": object([]string{"receipt", "body"}, map[string]any{"receipt": str(""), "body": str("up to 10,000 characters")}),
	"AnonymousView": object([]string{"id", "status", "created_at"}, map[string]any{"id": str(""), "kind": reportKindSchema, "title": str(""),
		"status": reportStatusSchema, "resolution": str(""), "created_at": dateTime(), "updated_at": dateTime(),
		"messages": map[string]any{"type": "array", "items": object(nil, map[string]any{"id": str(""), "author": str("you or security"), "body": str(""), "created_at": dateTime()})}}),
	"Campaign": object([]string{"id", "title", "status", "report_count", "created_at"}, map[string]any{"id": str(""), "title": str(""),
		"sender_domain": str(""), "status": str("open or decided"), "decision": str("malicious, spam, safe or simulation"), "decision_note": str(""),
		"decided_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"}, "report_count": map[string]any{"type": "integer"},
		"first_reported_at": dateTime(), "last_reported_at": dateTime(), "created_at": dateTime(),
		"departments": map[string]any{"type": "array", "items": object(nil, map[string]any{"department_id": str(""), "department_name": str(""), "count": map[string]any{"type": "integer"}})}}),
	"CampaignDecision": object([]string{"decision"}, map[string]any{"decision": map[string]any{"type": "string", "enum": []string{"malicious", "spam", "safe", "simulation"}}, "note": str("added to what every reporter is told")}),
	"Notification": object([]string{"id", "urgency", "kind", "title", "created_at"}, map[string]any{"id": str(""), "user_id": str("the one person it is for"),
		"urgency": map[string]any{"type": "string", "enum": []string{"critical", "normal", "low"}},
		"kind":    str("what caused it: report.answered, report.message, campaign.decided"), "title": str(""), "body": str(""),
		"link": str("a local path to what it is about, such as /reports/{id}"), "object_type": str(""), "object_id": str(""), "created_at": dateTime(),
		"read_at":  map[string]any{"type": []string{"string", "null"}, "format": "date-time"},
		"acked_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"}}),
	"NotificationPreferences": object(nil, map[string]any{"user_id": str("set by the server"),
		"email":  map[string]any{"type": "array", "items": urgencySchema, "description": "urgencies that also go out by email; in-app is always on"},
		"digest": map[string]any{"type": "string", "enum": []string{"none", "daily", "weekly"}}, "quiet_start": str("HH:MM, or empty for no quiet hours; holds back all but critical"),
		"quiet_end": str("HH:MM"), "time_zone": str("IANA name such as Europe/Berlin"), "updated_at": dateTime()}),
	"WebhookInput": object([]string{"url"}, map[string]any{"url": str("http or https address of the receiver"), "min_urgency": urgencySchema,
		"events": map[string]any{"type": "array", "items": str("a notification kind such as report.answered"), "description": "empty or absent: all"},
		"format": map[string]any{"type": "string", "enum": []string{"standard", "slack", "teams"}, "description": "standard: signed JSON; slack/teams: {\"text\": …}"}}),
	"Webhook": object([]string{"id", "url", "format", "min_urgency", "events", "created_at"}, map[string]any{"id": str(""), "url": str(""),
		"format": map[string]any{"type": "string", "enum": []string{"standard", "slack", "teams"}}, "min_urgency": urgencySchema,
		"events": map[string]any{"type": "array", "items": map[string]any{"type": "string"}}, "created_by": str(""), "created_at": dateTime(),
		"disabled_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"}, "disabled_reason": str("why it was switched off (410 Gone)"),
		"secret": str("whsec_…: present only in the answer to POST"), "pending": map[string]any{"type": "integer"},
		"delivered": map[string]any{"type": "integer"}, "dead": map[string]any{"type": "integer"}}),
	"Delivery": object([]string{"id", "notification_id", "channel", "status", "attempts"}, map[string]any{"id": str("the message id (webhook-id msg_…) is derived from it"),
		"notification_id": str(""), "channel": map[string]any{"type": "string", "enum": []string{"email", "webhook"}}, "webhook_id": str(""),
		"status": map[string]any{"type": "string", "enum": []string{"pending", "delivered", "dead", "skipped"}}, "attempts": map[string]any{"type": "integer"},
		"next_at": dateTime(), "first_try_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"},
		"last_attempt_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"}, "last_status": map[string]any{"type": "integer"},
		"last_error": str(""), "created_at": dateTime(), "delivered_at": map[string]any{"type": []string{"string", "null"}, "format": "date-time"},
		"kind": str(""), "urgency": urgencySchema, "title": str("")}),
	"CampaignDecided": map[string]any{"allOf": []any{ref("Campaign"), object([]string{"reports_resolved"}, map[string]any{"reports_resolved": map[string]any{"type": "integer"}})}},
}

var urgencySchema = map[string]any{"type": "string", "enum": []string{"critical", "normal", "low"}}

var reportKindSchema = map[string]any{"type": "string", "enum": []string{"phishing", "payment-fraud", "suspicious-behaviour", "lost-device", "shadow-it", "data-exposure", "mistake", "other"}}
var reportStatusSchema = map[string]any{"type": "string", "enum": []string{"new", "triaging", "resolved", "closed"}}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func listSchema(item string, extra map[string]any) map[string]any {
	props := map[string]any{
		"items": map[string]any{"type": "array", "items": ref(item)}, "total": map[string]any{"type": "integer"},
		"limit": map[string]any{"type": "integer"}, "offset": map[string]any{"type": "integer"},
		"next_offset": map[string]any{"type": []string{"integer", "null"}},
	}
	required := []string{"items", "total", "limit", "offset"}
	for k, v := range extra {
		props[k] = v
		required = append(required, k)
	}
	sort.Strings(required[4:])
	return object(required, props)
}

func problemResponse(desc string) map[string]any {
	return map[string]any{"description": desc, "content": map[string]any{"application/problem+json": map[string]any{"schema": ref("Problem")}}}
}

// Document builds the OpenAPI 3.1 document from the operations table.
func Document() map[string]any {
	paths := map[string]any{}
	for _, op := range operations {
		method, path, _ := strings.Cut(op.pattern, " ")
		o := map[string]any{"summary": op.summary, "operationId": operationID(method, path), "x-policy-action": string(op.action)}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if op.list {
			params = append(params,
				map[string]any{"name": "limit", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
				map[string]any{"name": "offset", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 0, "default": 0}})
		}
		for _, q := range op.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.request != "" {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(op.request)}}}
		}
		responses := map[string]any{
			"400": problemResponse("The request is invalid."),
			"401": problemResponse("No valid token or session."),
			"403": problemResponse("The policy does not allow this."),
			"429": problemResponse("Too many requests; try again later."),
		}
		if op.request != "" {
			responses["409"] = problemResponse("The object conflicts with one that exists.")
			responses["413"] = problemResponse("The body is larger than the limit.")
		}
		switch {
		case op.response == "" && op.status == 200:
			responses[itoa(op.status)] = map[string]any{"description": "The file.", "content": map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
		case op.response == "":
			responses[itoa(op.status)] = map[string]any{"description": "Done."}
		case op.list:
			responses[itoa(op.status)] = map[string]any{"description": "One page of the list.", "content": map[string]any{"application/json": map[string]any{"schema": listSchema(op.response, op.extra)}}}
		default:
			responses[itoa(op.status)] = map[string]any{"description": "OK.", "content": map[string]any{"application/json": map[string]any{"schema": ref(op.response)}}}
		}
		if strings.Contains(path, "{") {
			responses["404"] = problemResponse("No such object, or not visible to you.")
		}
		o["responses"] = responses
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title": "Shieldwall API", "version": "1",
			"description": "The security workspace the whole organisation shares. Authenticate with `Authorization: Bearer <token>` " +
				"(create one with `shieldwall token create`). Errors are RFC 9457 problem details with a stable `code`.",
		},
		"servers":    []any{map[string]any{"url": "/"}},
		"security":   []any{map[string]any{"bearer": []any{}}},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
func operationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		if seg != "" {
			parts = append(parts, strings.ToUpper(seg[:1])+seg[1:])
		}
	}
	return strings.Join(parts, "")
}

var openAPIJSON = sync.OnceValue(func() []byte {
	b, err := json.MarshalIndent(Document(), "", "  ")
	if err != nil {
		panic(err)
	}
	return b
})

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIJSON())
}

// Paths returns "METHOD path" for every operation in the document, sorted.
func Paths(doc map[string]any) []string {
	var out []string
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(out)
	return out
}
