# Analyst authority: who may decide an escalated incident.
package vigil.decision

import rego.v1

import data.vigil.assets

cfg := data.vigil.config

analyst := object.get(cfg.analysts, input.decision.analyst, null)

namespace := object.get(input.asset, "namespace", "")

# The verdict's required role, raised for protected assets whatever the verdict said.
required_roles contains input.requiredRole

required_roles contains cfg.required_roles.protected if {
	count(assets.protection(namespace, assets.names_of(input.asset))) > 0
}

deny contains {"code": "unknown_analyst", "message": sprintf("%s is not a known analyst", [input.decision.analyst])} if {
	analyst == null
}

deny contains {"code": "inactive_analyst", "message": sprintf("%s is not an active analyst", [input.decision.analyst])} if {
	analyst != null
	object.get(analyst, "active", true) == false
}

deny contains {"code": "missing_role", "message": msg} if {
	analyst != null
	some role in required_roles
	not role in analyst.roles
	msg := sprintf("%s lacks the %s role this incident requires", [input.decision.analyst, role])
}

deny contains {"code": "own_team", "message": msg} if {
	analyst != null
	cfg.forbid_own_team_decisions
	some team in analyst.teams
	team == object.get(cfg.namespace_teams, namespace, "")
	msg := sprintf("%s may not decide on their own team's (%s) workload", [input.decision.analyst, team])
}

result := {
	"allowed": count(deny) == 0,
	"reasons": [r | some r in deny],
	"requiredRoles": [r | some r in required_roles],
}
