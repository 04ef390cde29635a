package api

// governSchemas are the OpenAPI schemas of the govern routes, kept beside
// them and merged into the document's schemas.
var governSchemas = map[string]any{
	"HeatCell": object([]string{"likelihood", "impact", "count", "level"}, map[string]any{
		"likelihood": intSchema(), "impact": intSchema(), "count": intSchema(), "level": levelSchema}),
	"RiskImpact": object([]string{"department_id", "statement", "score"}, map[string]any{
		"department_id": str(""), "department_name": str(""), "concern": str("the taxonomy concern it was drafted from"),
		"statement": str("the harm in the department's own terms"), "score": scoreSchema, "updated_by": str(""), "updated_at": dateTime()}),
	"Risk": object([]string{"id", "title", "owner_department_id", "score", "level", "treatment", "impacts", "created_at"}, map[string]any{
		"id": str(""), "title": str(""), "description": str(""), "category": str("data-breach, payment-fraud, account-takeover, ransomware, third-party, insider, reputation, compliance or other"),
		"owner_department_id": str(""), "owner_department_name": str(""), "owner_user_id": str(""), "owner_user_name": str(""),
		"inherent_likelihood": scoreSchema, "inherent_impact": scoreSchema, "residual_likelihood": scoreSchema, "residual_impact": scoreSchema,
		"score":     map[string]any{"type": "integer", "description": "residual likelihood × the worst departmental impact (the residual impact when none)"},
		"level":     levelSchema,
		"treatment": treatmentSchema, "treatment_plan": str(""), "review_on": str("YYYY-MM-DD"),
		"acceptance":      map[string]any{"type": "string", "enum": []string{"", "pending", "approved"}, "description": "sign-offs of an acceptance above the appetite"},
		"head_signoff_by": str("the owner department's champion who signed off"), "head_signoff_at": nullableTime(),
		"security_signoff_by": str(""), "security_signoff_at": nullableTime(),
		"impacts":     map[string]any{"type": "array", "items": ref("RiskImpact")},
		"control_ids": map[string]any{"type": "array", "items": str("")},
		"created_by":  str(""), "created_at": dateTime(), "updated_at": dateTime()}),
	"RiskInput": object(nil, map[string]any{
		"title": str("1–200 characters; required on create"), "description": str(""), "category": str("see Risk.category"),
		"owner_department": str("id, slug or name; required on create"), "owner_user_id": str(""),
		"inherent_likelihood": scoreSchema, "inherent_impact": scoreSchema, "residual_likelihood": scoreSchema, "residual_impact": scoreSchema,
		"treatment": treatmentSchema, "treatment_plan": str(""), "review_on": str("YYYY-MM-DD"),
		"control_ids": map[string]any{"type": "array", "items": str("")},
		"impacts": map[string]any{"type": "array", "items": ref("RiskImpactInput"),
			"description": "departments' impacts to write, each by that department's champion or security; departments not named keep theirs"},
		"concerns": map[string]any{"type": "array", "description": "on create only: extra concerns to draft impacts for",
			"items": map[string]any{"type": "string", "enum": []string{"employee-data", "fraud-loss", "client-trust", "brand", "regulatory", "operations-downtime"}}}}),
	"RiskImpactInput": object([]string{"statement", "score"}, map[string]any{
		"department": str("id, slug or name; your own department when omitted"), "statement": str("up to 2,000 characters"), "score": scoreSchema}),
	"Framework": object([]string{"id", "title", "source"}, map[string]any{"id": str(""), "title": str(""), "version": str(""),
		"source": map[string]any{"type": "string", "enum": []string{"shipped", "imported"}}, "requirements": intSchema(),
		"assessable": map[string]any{"type": "integer", "description": "requirements compliance counts on (the leaves)"}}),
	"OSCALCatalog": map[string]any{"type": "object", "description": "an OSCAL catalog document: {\"catalog\": {\"metadata\": …, \"groups\": …, \"controls\": …}}"},
	"Requirement": object([]string{"id", "label"}, map[string]any{"id": str("the framework's own identifier"), "label": str(""), "title": str(""),
		"statement": str(""), "class": str(""), "parent": str(""), "depth": intSchema(), "withdrawn": map[string]any{"type": "boolean"}}),
	"Tally": object(nil, map[string]any{"total": intSchema(), "implemented": intSchema(), "partial": intSchema(), "not_started": intSchema(),
		"gap": intSchema(), "not_applicable": intSchema(), "percent": map[string]any{"type": "number", "description": "(implemented + partial/2) of the applicable"}}),
	"FrameworkCompliance": object([]string{"framework_id", "overall", "by_department"}, map[string]any{"framework_id": str(""), "title": str(""),
		"overall": ref("Tally"), "by_department": map[string]any{"type": "array", "items": map[string]any{"allOf": []any{ref("Tally"),
			object(nil, map[string]any{"department_id": str(""), "department_name": str("")})}}}}),
	"ControlMapping": object([]string{"framework_id", "requirement_id"}, map[string]any{"framework_id": str("e.g. nist-csf-2.0 or iso27001-2022"), "requirement_id": str("e.g. GV.OC-01, A.5.1 or 5.1")}),
	"Control": object([]string{"id", "title", "owner_department_id", "status"}, map[string]any{"id": str(""), "title": str(""), "description": str(""),
		"owner_department_id": str(""), "owner_department_name": str(""), "status": controlStatusSchema, "justification": str("why not applicable"),
		"mappings": map[string]any{"type": "array", "items": ref("ControlMapping")}, "evidence_count": intSchema(),
		"created_by": str(""), "created_at": dateTime(), "updated_at": dateTime()}),
	"ControlInput": object(nil, map[string]any{"title": str("required on create"), "description": str(""), "owner_department": str("id, slug or name; required on create"),
		"status": controlStatusSchema, "justification": str(""), "mappings": map[string]any{"type": "array", "items": ref("ControlMapping")}}),
	"Evidence": object([]string{"id", "control_id", "title"}, map[string]any{"id": str(""), "control_id": str(""), "title": str(""), "url": str(""),
		"filename": str(""), "content_type": str(""), "size": intSchema(), "valid_until": str("YYYY-MM-DD; empty: does not expire"),
		"added_by": str(""), "added_by_name": str(""), "created_at": dateTime(), "control_title": str(""), "owner_department_id": str("")}),
	"EvidenceInput": object([]string{"title"}, map[string]any{"title": str(""), "url": str("https:// link, or"), "filename": str(""), "content_type": str(""),
		"data": map[string]any{"type": "string", "contentEncoding": "base64", "description": "the file, at most 512 KiB"}, "valid_until": str("YYYY-MM-DD")}),
	"CommitteeMember": object([]string{"user_id", "department_id"}, map[string]any{"user_id": str(""), "user_name": str(""), "email": str(""),
		"department_id": str("the department represented"), "department_name": str(""), "created_at": dateTime()}),
	"MemberInput":      object([]string{"user_id"}, map[string]any{"user_id": str(""), "department": str("id, slug or name; the person's own when omitted")}),
	"MeetingInput":     object(nil, map[string]any{"title": str("required on create"), "starts_at": dateTime(), "duration_minutes": map[string]any{"type": "integer", "minimum": 1, "maximum": 1440}, "location": str(""), "minutes": str("")}),
	"MeetingItemInput": object([]string{"title"}, map[string]any{"title": str(""), "notes": str("")}),
	"DecisionInput":    object([]string{"text"}, map[string]any{"text": str(""), "object_type": decisionObjectSchema, "object_id": str("")}),
	"MeetingActionInput": object([]string{"title", "owner_department", "due_on"}, map[string]any{"title": str(""), "description": str(""),
		"owner_department": str("id, slug or name"), "owner_user_id": str(""), "due_on": str("YYYY-MM-DD")}),
	"Decision": object([]string{"id", "meeting_id", "text"}, map[string]any{"id": str(""), "meeting_id": str(""), "meeting_title": str(""), "text": str(""),
		"object_type": decisionObjectSchema, "object_id": str(""), "created_by": str(""), "created_at": dateTime()}),
	"AgendaSection": object([]string{"key", "title", "items"}, map[string]any{"key": str("new-high-risks, pending-acceptances, pending-reviews, overdue-actions, expiring-evidence"),
		"title": str(""), "items": map[string]any{"type": "array", "items": object(nil, map[string]any{"object_type": str(""), "object_id": str(""), "title": str(""), "detail": str(""), "link": str("")})}}),
	"Meeting": object([]string{"id", "title", "starts_at", "duration_minutes"}, map[string]any{"id": str(""), "title": str(""), "starts_at": dateTime(),
		"duration_minutes": intSchema(), "location": str(""), "minutes": str(""), "sequence": map[string]any{"type": "integer", "description": "iCalendar SEQUENCE"},
		"items":     map[string]any{"type": "array", "items": object(nil, map[string]any{"id": str(""), "title": str(""), "notes": str(""), "created_at": dateTime()})},
		"decisions": map[string]any{"type": "array", "items": ref("Decision")}, "agenda": map[string]any{"type": "array", "items": ref("AgendaSection")},
		"action_items": map[string]any{"type": "array", "items": ref("ActionItem")}, "created_by": str(""), "created_at": dateTime(), "updated_at": dateTime()}),
	"ActionItem": object([]string{"id", "title", "source_type", "owner_department_id", "status"}, map[string]any{"id": str(""), "title": str(""), "description": str(""),
		"source_type": map[string]any{"type": "string", "enum": []string{"review", "meeting", "manual"}}, "source_id": str(""), "case_id": str(""),
		"owner_department_id": str(""), "owner_department_name": str(""), "owner_user_id": str(""), "owner_user_name": str(""), "due_on": str("YYYY-MM-DD"),
		"status": map[string]any{"type": "string", "enum": []string{"open", "done"}}, "created_by": str(""), "created_at": dateTime(), "updated_at": dateTime(), "done_at": nullableTime()}),
	"ControlsImport":   object([]string{"csv"}, map[string]any{"csv": str("the CSV text: a header line, then one control per line; mappings as \"iso27001-2022 A.5.1; nist-csf-2.0 PR.AA-01\"")}),
	"ControlsImported": object([]string{"imported"}, map[string]any{"imported": intSchema()}),
	"GovernSettings": object([]string{"risk_appetite", "finance_review_cost"}, map[string]any{
		"risk_appetite":       map[string]any{"type": "integer", "minimum": 1, "maximum": 25, "description": "the highest overall score accepted without the owner department's head and a security lead (default 9)"},
		"finance_review_cost": map[string]any{"type": "integer", "minimum": 0, "description": "yearly cost above which Finance signs off a review (default 10000)"}}),
	"EvidenceReminded": object([]string{"reminded"}, map[string]any{"reminded": map[string]any{"type": "integer", "description": "evidence items whose owners were told now"}}),
	"ProjectReviewInput": object([]string{"title"}, map[string]any{"title": str(""), "description": str(""), "vendor": str(""),
		"cost": map[string]any{"type": "integer", "minimum": 0, "description": "yearly, whole currency units"},
		"data": map[string]any{"type": "array", "items": dataSchema}, "departments": map[string]any{"type": "array", "items": str("id, slug or name")},
		"integrations": boolSchema, "sso": boolSchema, "new_contract": boolSchema, "app_name": str("the app it adds to the catalogue when approved")}),
	"ReviewSignoff": object([]string{"duty", "decision"}, map[string]any{"duty": dutySchema, "decision": map[string]any{"type": "string", "enum": []string{"", "approve", "approve-with-conditions", "reject"}},
		"conditions": str(""), "decided_by": str(""), "decided_by_name": str(""), "decided_at": nullableTime()}),
	"ProjectReview": object([]string{"id", "title", "status", "required_signoffs", "signoffs"}, map[string]any{"id": str(""), "title": str(""), "description": str(""),
		"vendor": str(""), "cost": intSchema(), "data": map[string]any{"type": "array", "items": dataSchema}, "departments": map[string]any{"type": "array", "items": str("department id")},
		"integrations": boolSchema, "sso": boolSchema, "new_contract": boolSchema, "app_name": str(""),
		"status":       map[string]any{"type": "string", "enum": []string{"pending", "approved", "approved-with-conditions", "rejected"}},
		"requester_id": str(""), "requester_name": str(""),
		"required_signoffs": map[string]any{"type": "array", "items": dutySchema},
		"signoffs":          map[string]any{"type": "array", "items": ref("ReviewSignoff")}, "created_at": dateTime(), "updated_at": dateTime()}),
	"ReviewDecisionInput": object([]string{"decision"}, map[string]any{"duty": dutySchema, "decision": map[string]any{"type": "string", "enum": []string{"approve", "approve-with-conditions", "reject"}},
		"conditions": str("required unless approving outright")}),
	"App": object([]string{"id", "name", "status"}, map[string]any{"id": str(""), "name": str(""), "status": appStatusSchema, "description": str(""),
		"alternative": str("for a banned app: the safer approved one"), "reason": str(""), "review_id": str(""), "created_at": dateTime(), "updated_at": dateTime()}),
	"AppInput": object([]string{"name", "status"}, map[string]any{"name": str(""), "status": appStatusSchema, "description": str(""),
		"alternative": str("required when banned"), "reason": str("required when banned")}),
	"DeclareInput": object([]string{"name"}, map[string]any{"name": str("the app's name"), "purpose": str("what you use it for")}),
	"Declaration": object([]string{"outcome", "message"}, map[string]any{"outcome": map[string]any{"type": "string", "enum": []string{"approved", "tolerated", "banned", "review-opened"}},
		"message": str(""), "app": ref("App"), "review": ref("ProjectReview")}),
}

var (
	dataSchema           = map[string]any{"type": "string", "enum": []string{"personal-data", "employee-data", "payment-data", "customer-data", "confidential-ip"}}
	dutySchema           = map[string]any{"type": "string", "enum": []string{"security", "legal", "hr", "finance", "it"}}
	appStatusSchema      = map[string]any{"type": "string", "enum": []string{"approved", "tolerated", "banned"}}
	boolSchema           = map[string]any{"type": "boolean"}
	decisionObjectSchema = map[string]any{"type": "string", "enum": []string{"", "risk", "control", "project-review", "action-item", "agenda-item", "app"}}
	controlStatusSchema  = map[string]any{"type": "string", "enum": []string{"not-started", "partial", "implemented", "not-applicable"}}
	scoreSchema          = map[string]any{"type": "integer", "minimum": 1, "maximum": 5}
	levelSchema          = map[string]any{"type": "string", "enum": []string{"low", "medium", "high", "critical"}}
	treatmentSchema      = map[string]any{"type": "string", "enum": []string{"mitigate", "transfer", "avoid", "accept"}}
)

func intSchema() map[string]any { return map[string]any{"type": "integer"} }
func nullableTime() map[string]any {
	return map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
}

// init merges governSchemas into the document's schemas. A schema another
// capability defines under the same name (ActionItem, say) is kept: one
// definition per name, owned by whoever serves that noun's own routes.
func init() {
	for k, v := range governSchemas {
		if _, taken := schemas[k]; !taken {
			schemas[k] = v
		}
	}
}
