// Package policy is the only place that decides who may do what. Every
// route declares an Action and asks Authorize before doing anything;
// services ask again when the answer depends on the object.
package policy

import (
	"github.com/shieldwall/shieldwall"
)

// Action is something an actor may try to do.
type Action string

// The actions. Later capabilities add theirs here, with their rule below.
const (
	Public Action = "public" // anyone, signed in or not: sign-in page, health, static files

	PageView Action = "page.view" // the signed-in shell: home, my department

	MeView      Action = "me.view"      // one's own account
	TokenManage Action = "token.manage" // one's own API tokens

	DepartmentList   Action = "department.list"
	DepartmentView   Action = "department.view"
	DepartmentCreate Action = "department.create"
	DepartmentUpdate Action = "department.update"
	DepartmentDelete Action = "department.delete"

	UserList   Action = "user.list"
	UserView   Action = "user.view"
	UserCreate Action = "user.create"
	UserUpdate Action = "user.update"

	AdminView Action = "admin.view" // the administration area

	ReportCreate    Action = "report.create"    // report as oneself (or choose anonymity)
	ReportAnonymous Action = "report.anonymous" // report, follow up and answer without an account
	ReportList      Action = "report.list"      // list reports; what is listed is scoped by ReportView
	ReportView      Action = "report.view"      // one report (object rule below)
	ReportTriage    Action = "report.triage"    // assign, set status, merge, ask, answer (object rule below)
	CampaignList    Action = "campaign.list"
	CampaignView    Action = "campaign.view"
	CampaignDecide  Action = "campaign.decide"

	// Notifications are always one's own: the store only ever reads and
	// marks the signed-in person's rows.
	NotificationList Action = "notification.list"
	NotificationAck  Action = "notification.ack"

	AuditList Action = "audit.list"
	Metrics   Action = "metrics.view"

	// Delivery of notifications: preferences are one's own; webhooks,
	// dead letters and the noise measure are the administrators'; an
	// acknowledge link works without signing in (its token is the key).
	NotificationPreferences Action = "notification.preferences"
	NotificationAckLink     Action = "notification.ack_link"
	WebhookManage           Action = "webhook.manage"
	NotificationNoise       Action = "notification.noise"
)

var (
	everyone = []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleSecurity, shieldwall.RoleChampion, shieldwall.RoleMember, shieldwall.RoleAuditor}
	admins   = []shieldwall.Role{shieldwall.RoleAdmin}
	// securityTeam sees and decides everything reported.
	securityTeam = []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleSecurity}
)

// rule says which roles may perform an action. Public actions need no sign-in.
type rule struct {
	public bool
	// noIdentity: the route must not even look up who is asking, so that
	// nothing about the asker (not a session's last-seen time) is touched.
	noIdentity bool
	roles      []shieldwall.Role
}

var rules = map[Action]rule{
	Public:      {public: true},
	PageView:    {roles: everyone},
	MeView:      {roles: everyone},
	TokenManage: {roles: everyone},

	// The directory is open to every employee: reporting and responding
	// together starts with knowing who is who.
	DepartmentList:   {roles: everyone},
	DepartmentView:   {roles: everyone},
	DepartmentCreate: {roles: admins},
	DepartmentUpdate: {roles: admins},
	DepartmentDelete: {roles: admins},
	UserList:         {roles: everyone},
	UserView:         {roles: everyone},
	UserCreate:       {roles: admins},
	UserUpdate:       {roles: admins},

	AdminView: {roles: admins},

	// Every employee reports; anyone at all may report anonymously.
	ReportCreate:    {roles: everyone},
	ReportAnonymous: {public: true, noIdentity: true},
	ReportList:      {roles: []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleSecurity, shieldwall.RoleChampion, shieldwall.RoleMember}},
	ReportView:      {roles: everyone},
	ReportTriage:    {roles: []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleSecurity, shieldwall.RoleChampion}},
	CampaignList:    {roles: securityTeam},
	CampaignView:    {roles: securityTeam},
	CampaignDecide:  {roles: securityTeam},

	NotificationList: {roles: everyone},
	NotificationAck:  {roles: everyone},

	// The audit log is evidence: administrators and auditors only.
	AuditList: {roles: []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleAuditor}},
	// Metrics are open to the scraper, so they carry only operational
	// figures (requests, latency, runtime) and never domain counts, which
	// could reveal that a confidential case exists.
	Metrics: {public: true},

	NotificationPreferences: {roles: everyone},
	NotificationAckLink:     {public: true},
	WebhookManage:           {roles: admins},
	NotificationNoise:       {roles: admins},
}

// Known reports whether act has a rule; routes with unknown actions are refused at start-up.
func Known(act Action) bool {
	_, ok := rules[act]
	return ok
}

// IgnoresIdentity reports whether routes with act must treat everyone as
// nobody, without looking up their session or token.
func IgnoresIdentity(act Action) bool { return rules[act].noIdentity }

// IsPublic reports whether act needs no signed-in actor.
func IsPublic(act Action) bool { return rules[act].public }

// Can reports whether actor may perform act on obj (nil for a collection or no object).
func Can(actor shieldwall.Actor, act Action, obj any) bool {
	r, ok := rules[act]
	if !ok {
		return false // deny what nobody has decided
	}
	if r.public || actor.System {
		return true
	}
	if actor.Anonymous() {
		return false
	}
	allowed := false
	for _, role := range r.roles {
		if actor.Role == role {
			allowed = true
			break
		}
	}
	if !allowed {
		return false
	}
	switch o := obj.(type) {
	case shieldwall.Report:
		return canOnReport(actor, act, o)
	case *shieldwall.Report:
		return canOnReport(actor, act, *o)
	}
	return true
}

// canOnReport scopes reports: the security team sees all; a champion sees
// and triages their own department's (an anonymous report has no
// department, so only the security team sees it); a reporter sees their own.
func canOnReport(actor shieldwall.Actor, act Action, r shieldwall.Report) bool {
	if actor.Role == shieldwall.RoleAdmin || actor.Role == shieldwall.RoleSecurity {
		return true
	}
	ownDepartment := actor.Role == shieldwall.RoleChampion && !r.Anonymous && r.DepartmentID != "" && r.DepartmentID == actor.DepartmentID
	switch act {
	case ReportView:
		return ownDepartment || (!r.Anonymous && r.ReporterID != "" && r.ReporterID == actor.UserID)
	case ReportTriage:
		return ownDepartment
	}
	return false
}

// ReportScope says which reports an actor may list: all of them, those of
// one department (champions, plus their own), or only their own.
type ReportScope struct {
	All          bool
	DepartmentID string // champions: their department's reports
	ReporterID   string // everyone: their own reports
}

// ReportListScope returns the scope of ReportList for actor.
func ReportListScope(actor shieldwall.Actor) ReportScope {
	switch actor.Role {
	case shieldwall.RoleAdmin, shieldwall.RoleSecurity:
		return ReportScope{All: true}
	case shieldwall.RoleChampion:
		return ReportScope{DepartmentID: actor.DepartmentID, ReporterID: actor.UserID}
	}
	return ReportScope{ReporterID: actor.UserID}
}

// Authorize returns nil when actor may perform act on obj; otherwise an
// EUNAUTHORIZED error for nobody signed in, or EFORBIDDEN.
func Authorize(actor shieldwall.Actor, act Action, obj any) error {
	if Can(actor, act, obj) {
		return nil
	}
	if actor.Anonymous() {
		return shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "Please sign in.")
	}
	return shieldwall.Errorf(shieldwall.EFORBIDDEN, "You do not have permission to do this.")
}
