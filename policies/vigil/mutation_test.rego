package vigil.mutation_test

import rego.v1

import data.vigil.mutation

label := {"id": "quarantine-label", "actionner": "kubernetes:label", "target": {"namespace": "shop", "pod": "web-7d9f8c-x2x9q"}, "params": {"labels": {"vigil.dev/quarantine": "true"}}, "blastRadius": {"scope": "pod", "pods": 1}}

isolate := {"id": "isolate-pod", "actionner": "kubernetes:networkpolicy", "target": {"namespace": "shop", "pod": "web-7d9f8c-x2x9q"}, "params": {"allowDns": false}, "blastRadius": {"scope": "pod", "pods": 1}}

restart := {"id": "restart-workload", "actionner": "kubernetes:terminate", "target": {"namespace": "shop", "pod": "web-7d9f8c-x2x9q", "workload": "web"}, "params": {"gracePeriodSeconds": 0}, "blastRadius": {"scope": "workload", "pods": 3}}

inp(actions) := {
	"incident": {"id": "i", "severity": "critical", "asset": {"kind": "pod", "namespace": "shop", "pod": "web-7d9f8c-x2x9q"}},
	"analysis": {"confidence": 0.9, "severity": "critical", "actions": actions},
}

test_terminate_workload_becomes_the_proposed_isolation if {
	m := mutation.mutations with input as inp([label, isolate, restart])
	count(m) == 1
	m[0].actionId == "restart-workload"
	m[0].code == "contain_instead_of_terminate"
	m[0].from == restart
	m[0].to == isolate
	m[0].added == []
	m[0].reason == "terminating workload-wide is past policy; pod shop/web-7d9f8c-x2x9q is isolated and labelled for quarantine instead"
	s := mutation.steps with input as inp([label, isolate, restart])
	s == [label, isolate]
}

test_terminate_workload_alone_becomes_isolation_and_quarantine if {
	s := mutation.steps with input as inp([restart])
	[[a.id, a.actionner] | some a in s] == [["restart-workload", "kubernetes:networkpolicy"], ["restart-workload-quarantine", "kubernetes:label"]]
	s[0].blastRadius == {"scope": "pod", "pods": 1}
	s[0].params == {"allowDns": false}
	s[1].params == {"labels": {"vigil.dev/quarantine": "true"}}
	m := mutation.mutations with input as inp([restart])
	m[0].added == [s[1]]
}

test_step_without_its_own_pod_uses_the_incident_pod if {
	ns_wide := {"id": "isolate-ns", "actionner": "kubernetes:networkpolicy", "target": {"namespace": "shop"}, "params": {"allowDns": true}, "blastRadius": {"scope": "namespace", "pods": 0}}
	s := mutation.steps with input as inp([ns_wide])
	s == [{"id": "isolate-ns", "actionner": "kubernetes:networkpolicy", "target": {"namespace": "shop", "pod": "web-7d9f8c-x2x9q"}, "params": {"allowDns": true}, "blastRadius": {"scope": "pod", "pods": 1}, "rationale": "policy rewrite of isolate-ns: isolate only pod web-7d9f8c-x2x9q"}]
}

test_step_in_another_namespace_without_a_pod_is_not_mutated if {
	other := {"id": "isolate-ns", "actionner": "kubernetes:networkpolicy", "target": {"namespace": "other"}, "params": {}, "blastRadius": {"scope": "namespace", "pods": 0}}
	m := mutation.mutations with input as inp([other])
	m == []
}

test_pod_level_terminate_is_not_mutated if {
	pod_only := object.union(restart, {"blastRadius": {"scope": "pod", "pods": 1}})
	m := mutation.mutations with input as inp([pod_only])
	m == []
}

test_unflagged_wide_step_is_not_mutated if {
	# Data that allows namespace scope: nothing to fix, so nothing is rewritten.
	ns_wide := object.union(isolate, {"blastRadius": {"scope": "namespace", "pods": 0}})
	m := mutation.mutations with input as inp([ns_wide])
		with data.vigil.config.blast_radius as {"max_pods": 10, "allowed_scopes": ["pod", "namespace"]}
	m == []
}

test_mutations_can_be_disabled_in_data if {
	m := mutation.mutations with input as inp([restart])
		with data.vigil.config.mutations.contain_instead_of_terminate.enabled as false
	m == []
	s := mutation.steps with input as inp([restart])
		with data.vigil.config.mutations.contain_instead_of_terminate.enabled as false
	s == [restart]
}
