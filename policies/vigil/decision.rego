# Analyst authority: who may decide an escalated incident.
package vigil.decision

import rego.v1

import data.vigil.assets

cfg := data.vigil.config

analyst := object.get(cfg.analysts, input.decision.analyst, null)

namespace := object.get(input.asset, "namespace", "")

asset_names := assets.names_of(input.asset)

# The verdict's required role, raised for protected assets whatever the verdict said, and by
# every quorum rule that applies.
required_roles contains input.requiredRole

required_roles contains cfg.required_roles.protected if {
	count(assets.protection(namespace, asset_names)) > 0
}

required_roles contains r.role if {
	some r in quorum_rules
	r.role
}

# A plain decision proves nothing about who sent it: only namespaces policy names accept one.
# Missing data or a missing `signed` refuses (fail closed).
accepts_unsigned if namespace in cfg.unsigned_decisions.namespaces

deny contains {"code": "unsigned", "message": "decision is not signed, and this incident's namespace accepts only signed decisions"} if {
	not input.signed == true
	not accepts_unsigned
}

# The two-person rule: each quorum rule whose conditions all hold (an absent condition holds).
quorum_rules := [r |
	some r in cfg.decision_quorum.rules
	quorum_rule_applies(r)
]

quorum_rule_applies(r) if {
	matches_actionners(r)
	matches_severities(r)
	matches_customer_facing(r)
	matches_protected(r)
	matches_namespaces(r)
}

matches_actionners(r) if not "actionners" in object.keys(r)

matches_actionners(r) if {
	some a in input.actions
	a in r.actionners
}

matches_severities(r) if not "severities" in object.keys(r)

matches_severities(r) if input.severity in r.severities

matches_customer_facing(r) if not "customer_facing" in object.keys(r)

matches_customer_facing(r) if {
	r.customer_facing == true
	count(assets.workload_protection(namespace, asset_names)) > 0
}

matches_protected(r) if not "protected" in object.keys(r)

matches_protected(r) if {
	r.protected == true
	count(assets.protection(namespace, asset_names)) > 0
}

matches_namespaces(r) if not "namespaces" in object.keys(r)

matches_namespaces(r) if namespace in r.namespaces

approvals_needed := max({cfg.decision_quorum.default_approvals} | {r.approvals | some r in quorum_rules})

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
	"approvalsNeeded": approvals_needed,
	"rejectsNeeded": cfg.decision_quorum.rejects_to_end,
	"quorumRules": [r.name | some r in quorum_rules],
}
