package api

// governSchemas are the OpenAPI schemas of the govern routes, kept beside
// them and merged into the document's schemas.
var governSchemas = map[string]any{
	"HeatCell": object([]string{"Likelihood", "Impact", "Count", "Level"}, map[string]any{
		"Likelihood": intSchema(), "Impact": intSchema(), "Count": intSchema(), "Level": levelSchema}),
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
		"concerns": map[string]any{"type": "array", "description": "on create only: extra concerns to draft impacts for",
			"items": map[string]any{"type": "string", "enum": []string{"employee-data", "fraud-loss", "client-trust", "brand", "regulatory", "operations-downtime"}}}}),
	"RiskImpactInput": object([]string{"statement", "score"}, map[string]any{
		"department": str("id, slug or name; your own department when omitted"), "statement": str("up to 2,000 characters"), "score": scoreSchema}),
}

var (
	scoreSchema     = map[string]any{"type": "integer", "minimum": 1, "maximum": 5}
	levelSchema     = map[string]any{"type": "string", "enum": []string{"low", "medium", "high", "critical"}}
	treatmentSchema = map[string]any{"type": "string", "enum": []string{"mitigate", "transfer", "avoid", "accept"}}
)

func intSchema() map[string]any { return map[string]any{"type": "integer"} }
func nullableTime() map[string]any {
	return map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
}

func init() {
	for k, v := range governSchemas {
		schemas[k] = v
	}
}
