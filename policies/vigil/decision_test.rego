package vigil.decision_test

import rego.v1

import data.vigil.decision

ask_on(analyst, role, asset) := ask_full(analyst, role, asset, [], true)

ask_full(analyst, role, asset, actions, signed) := r if {
	r := decision.result with input as {
		"decision": {"decision": "approve", "analyst": analyst, "reason": ""},
		"signed": signed,
		"requiredRole": role,
		"asset": asset,
		"severity": "high",
		"actions": actions,
		"incidentId": "incident-test",
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

test_unsigned_refused_by_default if {
	r := ask_full("alice", "senior", {"kind": "pod", "namespace": "default", "pod": "p"}, [], false)
	codes(r) == {"unsigned"}
}

test_unsigned_refused_when_signed_is_missing if {
	r := decision.result with input as {
		"decision": {"decision": "approve", "analyst": "alice", "reason": ""},
		"requiredRole": "senior",
		"asset": {"kind": "pod", "namespace": "default", "pod": "p"},
		"severity": "high",
		"actions": [],
	}
	codes(r) == {"unsigned"}
}

test_unsigned_accepted_only_where_data_says if {
	ask_full("alice", "senior", {"kind": "pod", "namespace": "lab", "pod": "p"}, [], false).allowed with data.vigil.config.unsigned_decisions.namespaces as ["lab"]
	r := ask_full("alice", "senior", {"kind": "pod", "namespace": "default", "pod": "p"}, [], false) with data.vigil.config.unsigned_decisions.namespaces as ["lab"]
	codes(r) == {"unsigned"}
}

test_unsigned_refused_without_the_data_key if {
	r := ask_full("alice", "senior", {"kind": "pod", "namespace": "lab", "pod": "p"}, [], false) with data.vigil.config.unsigned_decisions as {}
	codes(r) == {"unsigned"}
}

checkout := {"kind": "pod", "namespace": "shop", "pod": "checkout-5d8f9c7b6-x2x9q"}

test_one_approval_by_default if {
	r := ask_full("alice", "senior", {"kind": "pod", "namespace": "default", "pod": "p"}, ["kubernetes:terminate"], true)
	r.approvalsNeeded == 1
	r.rejectsNeeded == 1
	r.quorumRules == []
}

test_terminate_on_customer_facing_needs_two_seniors if {
	r := ask_full("alice", "analyst", checkout, ["kubernetes:label", "kubernetes:terminate"], true)
	r.allowed
	r.approvalsNeeded == 2
	r.quorumRules == ["drastic_on_customer_facing"]
	"senior" in r.requiredRoles
	codes(ask_full("carol", "analyst", checkout, ["kubernetes:terminate"], true)) == {"missing_role"}
}

test_isolating_a_customer_facing_pod_needs_two if {
	# Cutting a serving pod off the network takes it out of service: as drastic as terminating it.
	ask_full("alice", "analyst", checkout, ["kubernetes:label", "kubernetes:networkpolicy"], true).approvalsNeeded == 2
}

test_labelling_a_customer_facing_pod_needs_one if {
	ask_full("alice", "analyst", checkout, ["kubernetes:label"], true).approvalsNeeded == 1
}

test_terminate_elsewhere_needs_one if {
	ask_full("alice", "senior", {"kind": "pod", "namespace": "default", "pod": "p"}, ["kubernetes:terminate"], true).approvalsNeeded == 1
}

test_highest_applying_quorum_wins if {
	rules := [
		{"name": "high_sev", "severities": ["high"], "approvals": 2},
		{"name": "in_lab", "namespaces": ["lab"], "approvals": 3, "role": "senior"},
		{"name": "critical_only", "severities": ["critical"], "approvals": 5},
	]
	r := ask_full("alice", "analyst", {"kind": "pod", "namespace": "lab", "pod": "p"}, [], true) with data.vigil.config.decision_quorum.rules as rules
	r.approvalsNeeded == 3
	r.quorumRules == ["high_sev", "in_lab"]
	"senior" in r.requiredRoles
}

test_protected_condition if {
	rules := [{"name": "control_plane", "protected": true, "approvals": 2}]
	ask_full("alice", "senior", {"kind": "pod", "namespace": "kube-system", "pod": "p"}, [], true).approvalsNeeded == 2 with data.vigil.config.decision_quorum.rules as rules
		with data.vigil.config.namespace_teams as {}
	ask_full("alice", "senior", {"kind": "pod", "namespace": "default", "pod": "p"}, [], true).approvalsNeeded == 1 with data.vigil.config.decision_quorum.rules as rules
}

test_reject_quorum_from_data if {
	ask_full("alice", "senior", checkout, [], true).rejectsNeeded == 2 with data.vigil.config.decision_quorum.rejects_to_end as 2
}
