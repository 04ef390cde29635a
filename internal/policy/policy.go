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

	// Cases. Who may see a case is decided per case (caseAccess below);
	// routes only need a signed-in person, except opening one.
	CaseCreate       Action = "case.create"
	CaseList         Action = "case.list"       // what is listed is scoped by CaseListScope
	CaseView         Action = "case.view"       // one case, its timeline and its live events
	CaseContribute   Action = "case.contribute" // notes, decisions, tasks, clock events, the review
	CaseManage       Action = "case.manage"     // status, classification, participants
	PlaybookList     Action = "playbook.list"
	ActionItemList   Action = "action_item.list"
	ActionItemUpdate Action = "action_item.update" // object rule: the owner department or security
	ActionItemReplan Action = "action_item.replan" // title, due date, owner: the department's champion or security
	DutyView         Action = "duty.view"
	DutyManage       Action = "duty.manage" // object rule: the department's champion or an administrator

	AuditList Action = "audit.list"
	Metrics   Action = "metrics.view"

	// Govern (internal/govern); object rules in govern.go of this package.
	RiskList            Action = "risk.list" // the register; scoped by RiskView
	RiskView            Action = "risk.view"
	RiskCreate          Action = "risk.create"
	RiskUpdate          Action = "risk.update"
	RiskImpactEdit      Action = "risk.impact.edit" // one department's impact statement
	RiskAccept          Action = "risk.accept"      // sign off an acceptance above the appetite
	ControlList         Action = "control.list"     // controls, frameworks, compliance, the SoA
	ControlCreate       Action = "control.create"
	ControlUpdate       Action = "control.update" // status, mappings, evidence
	FrameworkImport     Action = "framework.import"
	CommitteeView       Action = "committee.view"
	CommitteeManage     Action = "committee.manage" // meetings, minutes, decisions, action items
	ProjectReviewCreate Action = "project-review.create"
	ProjectReviewList   Action = "project-review.list" // scoped by the service: own, to decide, or all
	ProjectReviewDecide Action = "project-review.decide"
	AppList             Action = "app.list"
	AppDeclare          Action = "app.declare"
	AppManage           Action = "app.manage"
	GovernSettings      Action = "govern.settings" // risk appetite, review cost threshold

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
	// governors change governance data: the security team everywhere,
	// champions for their own department (object rules in govern.go).
	governors = []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleSecurity, shieldwall.RoleChampion}
	// employees are everyone who works here; auditors only read.
	employees = []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleSecurity, shieldwall.RoleChampion, shieldwall.RoleMember}
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

	// Anyone may be engaged in a case, so every signed-in person reaches
	// the case routes; the object rules decide, and a case the person may
	// not see answers as one that does not exist.
	CaseCreate:       {roles: securityTeam},
	CaseList:         {roles: everyone},
	CaseView:         {roles: everyone},
	CaseContribute:   {roles: everyone},
	CaseManage:       {roles: everyone},
	PlaybookList:     {roles: everyone},
	ActionItemList:   {roles: everyone},
	ActionItemUpdate: {roles: everyone},
	ActionItemReplan: {roles: []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleSecurity, shieldwall.RoleChampion}},
	DutyView:         {roles: everyone},
	DutyManage:       {roles: []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleSecurity, shieldwall.RoleChampion}},

	// The audit log is evidence: administrators and auditors only.
	AuditList: {roles: []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleAuditor}},
	// Metrics are open to the scraper, so they carry only operational
	// figures (requests, latency, runtime) and never domain counts, which
	// could reveal that a confidential case exists.
	Metrics: {public: true},

	// Every employee sees the risks that touch their department, in its
	// terms; security, administrators and auditors see the whole register.
	RiskList:       {roles: everyone},
	RiskView:       {roles: everyone},
	RiskCreate:     {roles: governors},
	RiskUpdate:     {roles: governors},
	RiskImpactEdit: {roles: governors},
	RiskAccept:     {roles: governors},
	// Controls and compliance are open to read: departments own controls.
	ControlList:     {roles: everyone},
	ControlCreate:   {roles: securityTeam},
	ControlUpdate:   {roles: governors},
	FrameworkImport: {roles: admins},
	// The committee: champions sit on it; auditors read its decisions.
	CommitteeView:       {roles: []shieldwall.Role{shieldwall.RoleAdmin, shieldwall.RoleSecurity, shieldwall.RoleChampion, shieldwall.RoleAuditor}},
	CommitteeManage:     {roles: governors},
	ProjectReviewCreate: {roles: employees},
	ProjectReviewList:   {roles: everyone},
	ProjectReviewDecide: {roles: governors},
	AppList:             {roles: everyone},
	AppDeclare:          {roles: employees},
	AppManage:           {roles: securityTeam},
	GovernSettings:      {roles: admins},

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
	case shieldwall.CaseAccess:
		return canOnCase(actor, act, o)
	case shieldwall.ActionItem:
		return canOnActionItem(actor, act, o)
	case shieldwall.Duty:
		return canOnDuty(actor, act, o)
	case shieldwall.Risk, shieldwall.RiskImpact, shieldwall.Control:
		return canOnGovern(actor, act, o)
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

// canOnCase is need-to-know. The security team (role security) sees every
// case; administrators and auditors see every case that is not
// confidential; a champion sees the non-confidential cases that engage
// their department; everyone sees the cases they take part in. A
// confidential case is seen by its participants and the security team only.
func canOnCase(actor shieldwall.Actor, act Action, c shieldwall.CaseAccess) bool {
	securityLead := actor.Role == shieldwall.RoleSecurity
	visible := securityLead || c.Participant
	if !c.Confidential {
		switch actor.Role {
		case shieldwall.RoleAdmin, shieldwall.RoleAuditor:
			visible = true
		case shieldwall.RoleChampion:
			visible = visible || c.DepartmentEngaged
		}
	}
	if !visible {
		return false
	}
	manager := securityLead || (actor.Role == shieldwall.RoleAdmin && !c.Confidential) || c.Commander
	switch act {
	case CaseView:
		return true
	case CaseContribute:
		// Auditors read; they write only where someone made them a participant.
		return manager || c.Participant || (actor.Role == shieldwall.RoleChampion && c.DepartmentEngaged)
	case CaseManage:
		return manager
	}
	return false
}

// CaseListScope says which cases actor may learn exist; it must agree with canOnCase.
func CaseListScope(actor shieldwall.Actor) shieldwall.CaseScope {
	switch actor.Role {
	case shieldwall.RoleSecurity:
		return shieldwall.CaseScope{All: true}
	case shieldwall.RoleAdmin, shieldwall.RoleAuditor:
		return shieldwall.CaseScope{ViewerID: actor.UserID, NonConfidential: true}
	case shieldwall.RoleChampion:
		return shieldwall.CaseScope{ViewerID: actor.UserID, DepartmentID: actor.DepartmentID}
	}
	return shieldwall.CaseScope{ViewerID: actor.UserID}
}

// canOnActionItem: the security team and administrators change any item;
// the owner department's champion changes its items; its other people
// mark a review's item done or open (ActionItemUpdate), but re-plan nothing
// (ActionItemReplan) and leave the committee's items to the committee.
func canOnActionItem(actor shieldwall.Actor, act Action, a shieldwall.ActionItem) bool {
	if act == ActionItemList {
		return true
	}
	if actor.Role == shieldwall.RoleAdmin || actor.Role == shieldwall.RoleSecurity {
		return true
	}
	owner := actor.DepartmentID != "" && actor.DepartmentID == a.OwnerDepartmentID
	if actor.Role == shieldwall.RoleChampion {
		return owner
	}
	switch act {
	case ActionItemUpdate:
		return actor.Role == shieldwall.RoleMember && owner && a.SourceType != shieldwall.ActionSourceMeeting
	}
	return false
}

// canOnDuty: a department's champion keeps its duty directory; the security
// team and administrators keep every department's.
func canOnDuty(actor shieldwall.Actor, act Action, d shieldwall.Duty) bool {
	switch act {
	case DutyView:
		return true
	case DutyManage:
		if actor.Role == shieldwall.RoleAdmin || actor.Role == shieldwall.RoleSecurity {
			return true
		}
		return actor.Role == shieldwall.RoleChampion && actor.DepartmentID == d.DepartmentID
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
