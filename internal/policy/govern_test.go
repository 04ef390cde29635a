package policy_test

import (
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
)

func TestGovernObjectRules(t *testing.T) {
	fin, hr := "dep-finance", "dep-hr"
	risk := shieldwall.Risk{OwnerDepartmentID: fin, Impacts: []shieldwall.RiskImpact{{DepartmentID: fin}, {DepartmentID: "dep-legal"}}}
	actor := func(role shieldwall.Role, dept string) shieldwall.Actor {
		return shieldwall.Actor{UserID: "u", Role: role, DepartmentID: dept}
	}
	for _, tc := range []struct {
		name  string
		actor shieldwall.Actor
		act   policy.Action
		obj   any
		want  bool
	}{
		{"MemberSeesOwnDepartmentsRisk", actor(shieldwall.RoleMember, fin), policy.RiskView, risk, true},
		{"MemberSeesRiskAffectingDepartment", actor(shieldwall.RoleMember, "dep-legal"), policy.RiskView, risk, true},
		{"MemberDoesNotSeeOthers", actor(shieldwall.RoleMember, hr), policy.RiskView, risk, false},
		{"AuditorSeesAll", actor(shieldwall.RoleAuditor, hr), policy.RiskView, risk, true},
		{"AuditorChangesNothing", actor(shieldwall.RoleAuditor, fin), policy.RiskUpdate, risk, false},
		{"ChampionUpdatesOwn", actor(shieldwall.RoleChampion, fin), policy.RiskUpdate, risk, true},
		{"ChampionOfAffectedCannotUpdate", actor(shieldwall.RoleChampion, "dep-legal"), policy.RiskUpdate, risk, false},
		{"ChampionSignsOffOwnAsHead", actor(shieldwall.RoleChampion, fin), policy.RiskAccept, risk, true},
		{"OtherChampionCannotSignOff", actor(shieldwall.RoleChampion, hr), policy.RiskAccept, risk, false},
		{"SecuritySignsOff", actor(shieldwall.RoleSecurity, hr), policy.RiskAccept, risk, true},
		{"ChampionWritesOwnImpact", actor(shieldwall.RoleChampion, hr), policy.RiskImpactEdit, shieldwall.RiskImpact{DepartmentID: hr}, true},
		{"ChampionCannotWriteOthersImpact", actor(shieldwall.RoleChampion, hr), policy.RiskImpactEdit, shieldwall.RiskImpact{DepartmentID: fin}, false},
		{"MemberCannotWriteImpact", actor(shieldwall.RoleMember, hr), policy.RiskImpactEdit, shieldwall.RiskImpact{DepartmentID: hr}, false},
		{"ChampionUpdatesOwnControl", actor(shieldwall.RoleChampion, fin), policy.ControlUpdate, shieldwall.Control{OwnerDepartmentID: fin}, true},
		{"ChampionCannotUpdateOthersControl", actor(shieldwall.RoleChampion, hr), policy.ControlUpdate, shieldwall.Control{OwnerDepartmentID: fin}, false},
		{"ChampionWithoutDepartment", actor(shieldwall.RoleChampion, ""), policy.ControlUpdate, shieldwall.Control{}, false},
		{"AnonymousSeesNothing", shieldwall.Actor{}, policy.RiskView, risk, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := policy.Can(tc.actor, tc.act, tc.obj); got != tc.want {
				t.Errorf("Can(%s in %q, %s) = %v; want %v", tc.actor.Role, tc.actor.DepartmentID, tc.act, got, tc.want)
			}
		})
	}
}
