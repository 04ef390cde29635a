package policy

import "github.com/shieldwall/shieldwall"

// canOnGovern scopes the register and the controls by department. The
// security team (and, to read, auditors) sees and changes everything; a
// department sees the risks it owns or is affected by, and its champion
// changes what belongs to the department: its risks, its own impact
// statements, its controls. The owner department's head, who signs off an
// acceptance above the appetite, is its security champion: Shieldwall has
// no separate "head" flag, and the champion is the person the department
// already named to speak for it on security.
func canOnGovern(actor shieldwall.Actor, act Action, obj any) bool {
	all := actor.Role == shieldwall.RoleAdmin || actor.Role == shieldwall.RoleSecurity
	champion := actor.Role == shieldwall.RoleChampion && actor.DepartmentID != ""
	switch o := obj.(type) {
	case shieldwall.Risk:
		switch act {
		case RiskView, RiskList:
			if all || actor.Role == shieldwall.RoleAuditor {
				return true
			}
			if o.OwnerDepartmentID == actor.DepartmentID {
				return true
			}
			for _, im := range o.Impacts {
				if im.DepartmentID == actor.DepartmentID {
					return true
				}
			}
			return false
		case RiskUpdate, RiskAccept:
			return all || (champion && o.OwnerDepartmentID == actor.DepartmentID)
		}
	case shieldwall.RiskImpact:
		return act == RiskImpactEdit && (all || (champion && o.DepartmentID == actor.DepartmentID))
	case shieldwall.Control:
		switch act {
		case ControlList:
			return true
		case ControlUpdate:
			return all || (champion && o.OwnerDepartmentID == actor.DepartmentID)
		}
	}
	return false
}

// SeesWholeRegister reports whether actor sees every risk rather than
// their department's slice.
func SeesWholeRegister(actor shieldwall.Actor) bool {
	return actor.System || actor.Role == shieldwall.RoleAdmin || actor.Role == shieldwall.RoleSecurity || actor.Role == shieldwall.RoleAuditor
}
