package vigil.decision_test

import rego.v1

import data.vigil.decision

ask_on(analyst, role, asset) := r if {
	r := decision.result with input as {
		"decision": {"decision": "approve", "analyst": analyst, "reason": ""},
		"requiredRole": role,
		"asset": asset,
		"severity": "high",
	}
}

ask(analyst, role, ns) := ask_on(analyst, role, {"kind": "pod", "namespace": ns, "pod": "p"})

codes(r) := {x.code | some x in r.reasons}

test_senior_may_decide if {
	r := ask("alice", "senior", "default")
	r.allowed
	r.reasons == []
	r.requiredRoles == ["senior"]
}

test_analyst_may_decide_analyst_work if ask("carol", "analyst", "default").allowed

test_missing_role_refused if {
	r := ask("bob", "senior", "default")
	not r.allowed
	codes(r) == {"missing_role"}
	r.reasons[0].message == "bob lacks the senior role this incident requires"
}

test_unknown_analyst_refused if {
	r := ask("mallory", "analyst", "default")
	codes(r) == {"unknown_analyst"}
}

test_inactive_analyst_refused if {
	r := ask("carol", "analyst", "default") with data.vigil.config.analysts.carol.active as false
	codes(r) == {"inactive_analyst"}
}

test_own_team_refused if {
	r := ask("bob", "analyst", "payments")
	codes(r) == {"own_team"}
}

test_own_team_allowed_when_data_permits if {
	r := ask_on("bob", "analyst", {"namespace": "web"}) with data.vigil.config.forbid_own_team_decisions as false
		with data.vigil.config.namespace_teams as {"web": "payments"}
	r.allowed
}

test_protected_asset_needs_senior_whatever_the_verdict_said if {
	# The verdict asked for an analyst, but the control plane always needs a senior.
	r := ask("carol", "analyst", "kube-system")
	codes(r) == {"missing_role"}
	r.requiredRoles == ["analyst", "senior"]
}

test_customer_facing_workload_needs_senior if {
	r := ask_on("carol", "analyst", {"kind": "pod", "namespace": "shop", "pod": "checkout-5d8f9c7b6-x2x9q"})
	codes(r) == {"missing_role"}
	ask_on("alice", "analyst", {"kind": "pod", "namespace": "shop", "pod": "checkout-5d8f9c7b6-x2x9q"}).allowed
}

test_senior_on_the_owning_team_is_refused if {
	r := ask("erin", "senior", "kube-system")
	codes(r) == {"own_team"}
}
