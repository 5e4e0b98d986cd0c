package vigil.decision_test

import rego.v1

import data.vigil.decision

ask(analyst, role, ns) := r if {
	r := decision.result with input as {
		"decision": {"decision": "approve", "analyst": analyst, "reason": ""},
		"requiredRole": role,
		"asset": {"kind": "pod", "namespace": ns},
		"severity": "high",
	}
}

codes(r) := {x.code | some x in r.reasons}

test_senior_may_decide if ask("alice", "senior", "default").allowed

test_analyst_may_decide_analyst_work if ask("carol", "analyst", "default").allowed

test_missing_role_refused if {
	r := ask("bob", "senior", "default")
	not r.allowed
	codes(r) == {"missing_role"}
}

test_unknown_analyst_refused if {
	r := ask("mallory", "analyst", "default")
	codes(r) == {"unknown_analyst"}
}

test_own_team_refused if {
	r := ask("bob", "analyst", "payments")
	codes(r) == {"own_team"}
}

test_own_team_allowed_when_data_permits if {
	r := decision.result with input as {"decision": {"decision": "approve", "analyst": "bob", "reason": ""}, "requiredRole": "analyst", "asset": {"namespace": "payments"}, "severity": "high"}
		with data.vigil.config.forbid_own_team_decisions as false
	r.allowed
}
