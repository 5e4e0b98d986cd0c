# Analyst authority: who may decide an escalated incident.
package vigil.decision

import rego.v1

cfg := data.vigil.config

analyst := object.get(cfg.analysts, input.decision.analyst, null)

deny contains {"code": "unknown_analyst", "message": sprintf("%s is not a known analyst", [input.decision.analyst])} if {
	analyst == null
}

deny contains {"code": "missing_role", "message": msg} if {
	analyst != null
	not input.requiredRole in analyst.roles
	msg := sprintf("%s lacks the %s role this incident requires", [input.decision.analyst, input.requiredRole])
}

deny contains {"code": "own_team", "message": msg} if {
	analyst != null
	cfg.forbid_own_team_decisions
	some team in analyst.teams
	team == object.get(cfg.namespace_teams, object.get(input.asset, "namespace", ""), "")
	msg := sprintf("%s may not decide on their own team's (%s) workload", [input.decision.analyst, team])
}

result := {"allowed": count(deny) == 0, "reasons": [r | some r in deny]}
