package api

import (
	"net/http"

	"github.com/shieldwall/shieldwall/internal/playbook"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// The response capability's routes and schemas join the table at start-up,
// kept in their own file so each capability's API reads in one place.
func init() {
	operations = append(operations, caseOperations...)
	for name, s := range caseSchemas {
		schemas[name] = s
	}
}

var caseOperations = []operation{
	{pattern: "POST /api/v1/cases", action: policy.CaseCreate, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseCreate },
		summary: "Open a case, from reports, a campaign or scratch; its playbook engages departments and its clocks start", request: "CaseInput", response: "Case", status: 201},
	{pattern: "GET /api/v1/cases", action: policy.CaseList, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseList },
		summary: "Cases you may see, most recently changed first (confidential ones only for their participants and the security team)", response: "Case", list: true, status: 200,
		query: []string{"status", "open", "type", "severity", "q"}},
	{pattern: "GET /api/v1/cases/{id}", action: policy.CaseView, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseGet },
		summary: "One case with roles, tasks, clocks, participants and measures; a case you may not see answers 404 like a missing one", response: "Case", status: 200},
	{pattern: "PATCH /api/v1/cases/{id}", action: policy.CaseManage, handler: func(h *Handler) http.HandlerFunc { return h.handleCasePatch },
		summary: "Change status or classification (title, type, severity, affected, confidential, summary); the playbook is re-evaluated", request: "CasePatch", response: "Case", status: 200},
	{pattern: "GET /api/v1/cases/{id}/timeline", action: policy.CaseView, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseTimeline },
		summary: "The case's append-only timeline, newest first", response: "TimelineEntry", list: true, status: 200},
	{pattern: "POST /api/v1/cases/{id}/timeline", action: policy.CaseContribute, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseTimelineAdd },
		summary: "Write a note, decision or indicator on the timeline", request: "TimelineInput", response: "TimelineEntry", status: 201},
	{pattern: "GET /api/v1/cases/{id}/events", action: policy.CaseView, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseEvents },
		summary: "New timeline entries as server-sent events (event: timeline, data: a TimelineEntry); event: reset asks the client to reconnect", response: "", status: 200},
	{pattern: "POST /api/v1/cases/{id}/participants", action: policy.CaseManage, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseParticipantAdd },
		summary: "Add a participant (audited; they are told)", request: "ParticipantInput", response: "Participants", status: 201},
	{pattern: "DELETE /api/v1/cases/{id}/participants/{user}", action: policy.CaseManage, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseParticipantRemove },
		summary: "Remove a participant (audited; their live streams close)", status: 204},
	{pattern: "POST /api/v1/cases/{id}/clock-events", action: policy.CaseContribute, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseClockEvent },
		summary: "Record what starts or satisfies a regulatory clock: awareness, classification-major, materiality-determination, or a filing such as gdpr-33-notified with its reference", request: "ClockEventInput", response: "Case", status: 201},
	{pattern: "PATCH /api/v1/cases/{id}/tasks/{task}", action: policy.CaseContribute, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseTask },
		summary: "Mark a task done or open", request: "TaskInput", response: "CaseTask", status: 200},
	{pattern: "POST /api/v1/cases/{id}/ack", action: policy.CaseContribute, handler: func(h *Handler) http.HandlerFunc { return h.handleCaseAck },
		summary: "Acknowledge the roles you were engaged in", response: "Case", status: 200},
	{pattern: "GET /api/v1/cases/{id}/review", action: policy.CaseView, handler: func(h *Handler) http.HandlerFunc { return h.handleReviewGet },
		summary: "The blameless post-incident review (opens when the case is recovered) with its action items", response: "Review", status: 200},
	{pattern: "PUT /api/v1/cases/{id}/review", action: policy.CaseContribute, handler: func(h *Handler) http.HandlerFunc { return h.handleReviewPut },
		summary: "Write the review's sections; publish=true shares it as final", request: "ReviewInput", response: "Review", status: 200},
	{pattern: "POST /api/v1/cases/{id}/review/action-items", action: policy.CaseContribute, handler: func(h *Handler) http.HandlerFunc { return h.handleReviewAction },
		summary: "Turn a change the review decided into an action item owned by a department", request: "ActionItemInput", response: "ActionItem", status: 201},
	{pattern: "GET /api/v1/playbooks", action: policy.PlaybookList, handler: func(h *Handler) http.HandlerFunc { return h.handlePlaybooks },
		summary: "The playbooks cases follow: built-in and loaded from the configured folder", response: "Playbook", list: true, status: 200},
	{pattern: "GET /api/v1/action-items", action: policy.ActionItemList, handler: func(h *Handler) http.HandlerFunc { return h.handleActionItems },
		summary: "Action items from reviews and the committee, open first by due date", response: "ActionItem", list: true, status: 200,
		query: []string{"status", "department", "source_type", "overdue"}},
	{pattern: "PATCH /api/v1/action-items/{id}", action: policy.ActionItemUpdate, handler: func(h *Handler) http.HandlerFunc { return h.handleActionItemPatch },
		summary: "Close or re-plan an action item (its owner department or the security team)", request: "ActionItemPatch", response: "ActionItem", status: 200},
	{pattern: "GET /api/v1/departments/{id}/duties", action: policy.DutyView, handler: func(h *Handler) http.HandlerFunc { return h.handleDuties },
		summary: "Who fills which case role for the department, primary and backup", response: "Duty", list: true, status: 200},
	{pattern: "PUT /api/v1/departments/{id}/duties/{role}", action: policy.DutyManage, handler: func(h *Handler) http.HandlerFunc { return h.handleDutyPut },
		summary: "Name the primary and backup for a role (the department's champion or the security team); both empty clears it", request: "DutyInput", response: "Duty", status: 200},
}

var (
	integer        = map[string]any{"type": "integer"}
	boolean        = map[string]any{"type": "boolean"}
	nullableInt    = map[string]any{"type": []string{"integer", "null"}}
	severitySchema = map[string]any{"type": "string", "enum": []string{"SEV1", "SEV2", "SEV3", "SEV4"}}
	caseStatus     = map[string]any{"type": "string", "enum": []string{"triage", "investigating", "contained", "eradicated", "recovered", "closed"}}
	affectedSchema = map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": playbook.AffectedFlags()}}
	arrayOf        = func(name string) map[string]any { return map[string]any{"type": "array", "items": ref(name)} }
)

var caseSchemas = map[string]any{
	"CaseInput": object([]string{"title", "type"}, map[string]any{
		"title": str("1–200 characters"), "type": str("a playbook id: phishing, bec, ransomware, personal-data-breach, lost-device, insider-threat, account-takeover, vendor-breach, or a custom one"),
		"severity": severitySchema, "summary": str("up to 20,000 characters"), "affected": affectedSchema,
		"confidential": map[string]any{"type": "boolean", "description": "omit to let the playbook decide (insider-threat is confidential)"},
		"aware_at":     map[string]any{"type": "string", "format": "date-time", "description": "when the organisation became aware; default now. Starts GDPR, NIS2 and DORA clocks"},
		"report_ids":   map[string]any{"type": "array", "items": str("")}, "campaign_id": str("link every report of this campaign"),
	}),
	"CasePatch": object(nil, map[string]any{"title": str(""), "type": str(""), "severity": severitySchema, "status": caseStatus,
		"summary": str(""), "affected": affectedSchema, "confidential": boolean}),
	"Case": object([]string{"id", "title", "type", "severity", "status", "created_at"}, map[string]any{
		"id": str(""), "title": str(""), "type": str("the playbook id"), "severity": severitySchema, "status": caseStatus, "summary": str(""),
		"affected": affectedSchema, "confidential": boolean, "created_by": str(""), "created_at": dateTime(), "updated_at": dateTime(),
		"aware_at": dateTime(), "first_report_at": nullableTime(), "acknowledged_at": nullableTime(), "contained_at": nullableTime(),
		"recovered_at": nullableTime(), "closed_at": nullableTime(),
		"roles": arrayOf("CaseRole"), "tasks": arrayOf("CaseTask"), "clocks": arrayOf("CaseClock"), "participants": arrayOf("Participant"),
		"report_ids": map[string]any{"type": "array", "items": str("")}, "measures": ref("CaseMeasures"),
		"you": object(nil, map[string]any{"roles": map[string]any{"type": "array", "items": str("")}, "participant": boolean, "can_manage": boolean}),
	}),
	"CaseRole": object([]string{"role", "name"}, map[string]any{"role": str("lowercase id, e.g. legal-counsel"), "name": str(""), "description": str(""),
		"department_id": str(""), "department_name": str(""), "user_id": str("who holds it; empty when nobody was named"), "user_name": str(""),
		"backup_user_id": str(""), "backup_user_name": str(""), "engaged_at": dateTime(), "acknowledged_at": nullableTime()}),
	"CaseTask": object([]string{"id", "role", "title", "due_at", "status"}, map[string]any{"id": str(""), "key": str("the playbook's task id"),
		"role": str(""), "department_id": str(""), "department_name": str(""), "title": str(""), "description": str(""), "due_at": dateTime(),
		"status": map[string]any{"type": "string", "enum": []string{"open", "done"}}, "done_at": nullableTime(), "done_by": str(""), "created_at": dateTime()}),
	"CaseClock": object([]string{"id", "basis", "status"}, map[string]any{"id": str("e.g. gdpr-33"), "basis": str("regulation and article, e.g. GDPR art. 33"),
		"regulation": str(""), "name": str("what must be done"), "owner": str("the role that files it"), "recipient": str(""), "statutory": boolean,
		"status":      map[string]any{"type": "string", "enum": []string{"not-started", "running", "due-soon", "overdue", "satisfied"}},
		"start_event": str("the event that starts it"), "started_at": nullableTime(), "started_by": str(""), "due_at": nullableTime(),
		"remaining": str("e.g. in 41 h (Thu 14:00 UTC)"), "filed_event": str("the event that satisfies it"), "filed_at": nullableTime(),
		"filed_by": str(""), "reference": str("the filing's reference"), "late": boolean, "capped_by": str("")}),
	"Participant":  object([]string{"user_id", "name"}, map[string]any{"user_id": str(""), "name": str(""), "department_name": str(""), "reason": str("created, role:…, added"), "added_at": dateTime()}),
	"Participants": object([]string{"participants"}, map[string]any{"participants": arrayOf("Participant")}),
	"CaseMeasures": object(nil, map[string]any{"report_to_case_seconds": nullableInt, "to_acknowledgement_seconds": nullableInt,
		"to_containment_seconds": nullableInt, "to_closure_seconds": nullableInt,
		"departments": map[string]any{"type": "array", "items": object(nil, map[string]any{"department_id": str(""), "department_name": str(""),
			"on_time": integer, "late": integer, "open": integer})}}),
	"TimelineEntry": object([]string{"id", "case_id", "kind", "body", "created_at"}, map[string]any{"id": str(""), "case_id": str(""),
		"kind": str("note, decision, status, task, indicator, clock, participant, engagement, escalation, review, case"), "body": str(""),
		"actor_id": str(""), "actor_name": str(""), "created_at": dateTime()}),
	"TimelineInput":    object([]string{"body"}, map[string]any{"kind": map[string]any{"type": "string", "enum": []string{"note", "decision", "indicator"}}, "body": str("up to 10,000 characters")}),
	"ParticipantInput": object([]string{"user_id"}, map[string]any{"user_id": str("")}),
	"ClockEventInput":  object([]string{"event"}, map[string]any{"event": str("e.g. awareness, classification-major, materiality-determination, high-risk-determination, gdpr-33-notified"), "at": map[string]any{"type": "string", "format": "date-time", "description": "default now"}, "reference": str("the filing's reference")}),
	"TaskInput":        object([]string{"status"}, map[string]any{"status": map[string]any{"type": "string", "enum": []string{"open", "done"}}}),
	"Review": object([]string{"case_id", "status"}, map[string]any{"case_id": str(""), "status": map[string]any{"type": "string", "enum": []string{"draft", "published"}},
		"what_happened": str(""), "timeline": str(""), "went_well": str(""), "was_hard": str(""), "contributing_factors": str("systems and processes, not people"),
		"changes": str("what we will change"), "opened_at": dateTime(), "updated_at": dateTime(), "published_at": nullableTime(), "action_items": arrayOf("ActionItem")}),
	"ReviewInput": object(nil, map[string]any{"what_happened": str(""), "timeline": str(""), "went_well": str(""), "was_hard": str(""),
		"contributing_factors": str(""), "changes": str(""), "publish": boolean}),
	"ActionItem": object([]string{"id", "title", "source_type", "owner_department_id", "status"}, map[string]any{"id": str(""), "title": str(""), "description": str(""),
		"source_type": map[string]any{"type": "string", "enum": []string{"review", "meeting", "manual"}}, "source_id": str(""), "case_id": str(""),
		"owner_department_id": str(""), "owner_department_name": str(""), "owner_user_id": str(""), "owner_user_name": str(""),
		"due_on": str("YYYY-MM-DD"), "status": map[string]any{"type": "string", "enum": []string{"open", "done"}}, "created_by": str(""),
		"created_at": dateTime(), "updated_at": dateTime(), "done_at": nullableTime()}),
	"ActionItemInput": object([]string{"title", "owner_department"}, map[string]any{"title": str(""), "description": str(""),
		"owner_department": str("department id, slug or name"), "owner_user_id": str(""), "due_on": str("YYYY-MM-DD")}),
	"ActionItemPatch": object(nil, map[string]any{"status": map[string]any{"type": "string", "enum": []string{"open", "done"}}, "due_on": str("YYYY-MM-DD"),
		"owner_user_id": str(""), "title": str("")}),
	"Playbook": object([]string{"id", "name"}, map[string]any{"id": str("the case type"), "name": str(""), "description": str(""), "confidential": boolean,
		"roles": map[string]any{"type": "array", "items": object(nil, map[string]any{"id": str(""), "name": str(""), "department": str(""), "description": str("")})},
		"tasks": map[string]any{"type": "array", "items": object(nil, map[string]any{"id": str(""), "role": str(""), "title": str(""), "due": str("e.g. 72h"), "due_seconds": integer, "conditional": boolean})}}),
	"Duty": object([]string{"department_id", "role"}, map[string]any{"department_id": str(""), "role": str(""), "user_id": str(""), "user_name": str(""),
		"backup_user_id": str(""), "backup_user_name": str(""), "updated_at": dateTime()}),
	"DutyInput": object(nil, map[string]any{"user_id": str("the primary holder"), "backup_user_id": str("who is asked when the primary does not answer")}),
}
