package policy_test

import (
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
)

// TestReportVisibility pins the object rule for reports: the security team
// sees everything, a champion their department's, a reporter their own, and
// nobody but the security team an anonymous report.
func TestReportVisibility(t *testing.T) {
	finance, hr := "dep-finance", "dep-hr"
	actor := func(id string, role shieldwall.Role, dep string) shieldwall.Actor {
		return shieldwall.Actor{UserID: id, Role: role, DepartmentID: dep}
	}
	own := shieldwall.Report{ReporterID: "u-member", DepartmentID: finance}
	colleague := shieldwall.Report{ReporterID: "u-other", DepartmentID: finance}
	otherDept := shieldwall.Report{ReporterID: "u-hr", DepartmentID: hr}
	anonymous := shieldwall.Report{Anonymous: true}
	// An anonymous report never carries who sent it; should one ever carry
	// a department or reporter by mistake, the rule must still hide it.
	anonymousWithTraces := shieldwall.Report{Anonymous: true, ReporterID: "u-member", DepartmentID: finance}
	tests := []struct {
		name   string
		actor  shieldwall.Actor
		act    policy.Action
		report shieldwall.Report
		want   bool
	}{
		{"SecuritySeesAnonymous", actor("u-sec", shieldwall.RoleSecurity, "dep-sec"), policy.ReportView, anonymous, true},
		{"AdminTriagesAny", actor("u-adm", shieldwall.RoleAdmin, "dep-it"), policy.ReportTriage, otherDept, true},
		{"ChampionSeesOwnDepartment", actor("u-ch", shieldwall.RoleChampion, finance), policy.ReportView, colleague, true},
		{"ChampionTriagesOwnDepartment", actor("u-ch", shieldwall.RoleChampion, finance), policy.ReportTriage, colleague, true},
		{"ChampionNotOtherDepartment", actor("u-ch", shieldwall.RoleChampion, finance), policy.ReportView, otherDept, false},
		{"ChampionNotAnonymous", actor("u-ch", shieldwall.RoleChampion, finance), policy.ReportView, anonymous, false},
		{"MemberSeesOwn", actor("u-member", shieldwall.RoleMember, finance), policy.ReportView, own, true},
		{"MemberNotColleagues", actor("u-member", shieldwall.RoleMember, finance), policy.ReportView, colleague, false},
		{"MemberCannotTriageOwn", actor("u-member", shieldwall.RoleMember, finance), policy.ReportTriage, own, false},
		{"AuditorNotReports", actor("u-aud", shieldwall.RoleAuditor, finance), policy.ReportView, colleague, false},
		{"NobodySeesNothing", shieldwall.Actor{}, policy.ReportView, anonymous, false},
		{"ChampionNotAnonymousEvenWithDepartment", actor("u-ch", shieldwall.RoleChampion, finance), policy.ReportView, anonymousWithTraces, false},
		{"ReporterNotAnonymousEvenWithReporter", actor("u-member", shieldwall.RoleMember, finance), policy.ReportView, anonymousWithTraces, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.Can(tt.actor, tt.act, tt.report); got != tt.want {
				t.Errorf("Can(%s, %s) = %v; want %v", tt.actor.Role, tt.act, got, tt.want)
			}
		})
	}
}

// TestUnknownActionDenied checks the default: an action nobody decided is refused.
func TestUnknownActionDenied(t *testing.T) {
	a := shieldwall.Actor{UserID: "u", Role: shieldwall.RoleAdmin}
	if policy.Can(a, policy.Action("made.up"), nil) {
		t.Error("Can(admin, made.up) = true; want false")
	}
	if err := policy.Authorize(shieldwall.Actor{}, policy.AuditList, nil); shieldwall.ErrorCode(err) != shieldwall.EUNAUTHORIZED {
		t.Errorf("Authorize(nobody, audit.list) code = %q; want %q", shieldwall.ErrorCode(err), shieldwall.EUNAUTHORIZED)
	}
	if err := policy.Authorize(shieldwall.Actor{UserID: "u", Role: shieldwall.RoleMember}, policy.AuditList, nil); shieldwall.ErrorCode(err) != shieldwall.EFORBIDDEN {
		t.Errorf("Authorize(member, audit.list) code = %q; want %q", shieldwall.ErrorCode(err), shieldwall.EFORBIDDEN)
	}
}
