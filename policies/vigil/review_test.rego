package vigil.review_test

import rego.v1

import data.vigil.review

label := {"id": "l", "actionner": "kubernetes:label", "target": {"namespace": "default", "pod": "p"}, "params": {"labels": {"vigil.dev/quarantine": "true"}}, "blastRadius": {"scope": "pod", "pods": 1}}

netpol := object.union(object.remove(label, ["params"]), {"id": "n", "actionner": "kubernetes:networkpolicy", "params": {}})

terminate := object.union(object.remove(label, ["params"]), {"id": "t", "actionner": "kubernetes:terminate", "params": {}})

# A container escape (Critical, privilege escalation, T1611): evidence enough to contain unattended,
# so each test below is about the one rule it names.
escape := {"rule": "Detect release_agent File Container Escapes", "priority": "Critical", "source": "syscall", "tags": ["container", "mitre_privilege_escalation", "T1611"], "fields": {}}

inp(severity, ns, confidence, actions) := {
	"incident": {"id": "i", "severity": severity, "asset": {"kind": "pod", "namespace": ns, "pod": "p"}},
	"alert": escape,
	"anomaly": {"score": 0.9},
	"analysis": {"confidence": confidence, "severity": severity, "actions": actions, "analyser": {"kind": "deterministic", "version": "t"}},
}

codes(v) := {r.code | some r in v.reasons}

# object.union merges nested objects; a target is replaced whole.
on(a, target) := object.union(object.remove(a, ["target"]), {"target": target})

test_auto_execute_within_policy if {
	v := review.verdict with input as inp("medium", "default", 0.9, [label, netpol])
	v.outcome == "auto_execute"
	codes(v) == {"within_policy"}
	count(v.allowedActions) == 2
	v.escalation == null
	v.mutations == []
	v.flagged == []
}

test_notify_only_rejects if {
	v := review.verdict with input as inp("info", "default", 0.9, [label])
	v.outcome == "auto_reject"
	"notify_only" in codes(v)
	count(v.rejectedActions) == 1
	v.allowedActions == []
}

test_no_actions_rejects if {
	v := review.verdict with input as inp("medium", "default", 0.9, [])
	v.outcome == "auto_reject"
	"no_actions" in codes(v)
}

test_duplicate_step_ids_reject if {
	v := review.verdict with input as inp("medium", "default", 0.9, [label, object.union(netpol, {"id": "l"})])
	v.outcome == "auto_reject"
	codes(v) == {"duplicate_action_id"}
	v.rejectedActions[0].reason == "step id l is proposed more than once"
}

test_low_confidence_escalates if {
	v := review.verdict with input as inp("medium", "default", 0.3, [label])
	v.outcome == "escalate"
	codes(v) == {"low_confidence"}
	v.escalation == {"requiredRole": "analyst", "timeoutSeconds": 14400, "onTimeout": "auto_reject", "repage": false}
	v.allowedActions == [label]
}

test_protected_namespace_escalates_to_senior if {
	v := review.verdict with input as inp("low", "kube-system", 0.9, [on(label, {"namespace": "kube-system", "pod": "p"})])
	v.outcome == "escalate"
	codes(v) == {"protected_asset"}
	v.escalation.requiredRole == "senior"
	v.flagged == [{"actionId": "l", "codes": ["protected_asset"], "disposition": "passed"}]
}

test_customer_facing_workload_escalates_to_senior if {
	step := on(label, {"namespace": "shop", "pod": "checkout-7d9f-x1"})
	v := review.verdict with input as inp("low", "shop", 0.9, [step]) with input.incident.asset.pod as "checkout-7d9f-x1"
	v.outcome == "escalate"
	codes(v) == {"customer_facing"}
	v.escalation.requiredRole == "senior"
}

test_step_on_another_target_is_blocked_and_escalates_to_senior if {
	# The incident is in an ordinary namespace, but a step reaches into the control plane.
	reach := on(label, {"namespace": "kube-system", "pod": "coredns-1"})
	v := review.verdict with input as inp("low", "default", 0.9, [reach])
	v.outcome == "escalate"
	codes(v) == {"target_not_asset"}
	v.reasons[0].message == "kubernetes:label targets kube-system/coredns-1, not the incident's asset default/p"
	v.allowedActions == []
	v.rejectedActions == [{"action": reach, "reason": v.reasons[0].message}]
	v.flagged == [{"actionId": "l", "codes": ["protected_asset", "target_not_asset"], "disposition": "blocked"}]
	v.escalation.requiredRole == "senior"
}

test_human_only_action_escalates_to_senior if {
	v := review.verdict with input as inp("critical", "default", 0.9, [label, terminate])
	v.outcome == "escalate"
	codes(v) == {"human_only_action"}
	v.escalation == {"requiredRole": "senior", "timeoutSeconds": 900, "onTimeout": "auto_reject", "repage": true}
	v.flagged == [{"actionId": "t", "codes": ["human_only_action"], "disposition": "passed"}]
}

test_blast_radius_pods_escalates if {
	wide := object.union(label, {"blastRadius": {"scope": "pod", "pods": 5}})
	v := review.verdict with input as inp("medium", "default", 0.9, [wide])
	codes(v) == {"blast_radius"}
	v.reasons[0].message == "kubernetes:label reaches 5 pod(s) at pod scope, limit 1 at pod scope"
}

test_node_level_action_is_not_the_pod_asset if {
	node := on(object.union(label, {"blastRadius": {"scope": "node", "pods": 1}}), {"namespace": "default", "node": "n1"})
	v := review.verdict with input as inp("medium", "default", 0.9, [node])
	v.outcome == "escalate"
	codes(v) == {"target_not_asset"}
	v.allowedActions == []
}

test_namespace_isolation_on_a_host_alert_is_not_its_asset if {
	# Host alert: the namespace is not what the alert is about, and there is no pod to narrow to.
	ns := on(object.union(netpol, {"blastRadius": {"scope": "namespace", "pods": 0}}), {"namespace": "default"})
	v := review.verdict with input as inp("medium", "default", 0.9, [ns]) with input.incident.asset as {"kind": "host", "node": "n1"}
	v.outcome == "escalate"
	codes(v) == {"target_not_asset"}
	v.mutations == []
	v.flagged == [{"actionId": "n", "codes": ["blast_radius", "target_not_asset"], "disposition": "blocked"}]
}

test_not_on_severity_allow_list_escalates if {
	v := review.verdict with input as inp("low", "default", 0.9, [netpol])
	v.outcome == "escalate"
	codes(v) == {"not_allowed_for_severity"}
	v.escalation.requiredRole == "analyst"
}

test_reject_beats_escalate if {
	v := review.verdict with input as inp("info", "kube-system", 0.1, [on(terminate, {"namespace": "kube-system", "pod": "p"})])
	v.outcome == "auto_reject"
	codes(v) == {"notify_only"}
	v.flagged == [{"actionId": "t", "codes": ["human_only_action", "protected_asset"], "disposition": "blocked"}]
}

test_namespace_isolation_is_narrowed_and_executes if {
	ns := on(object.union(netpol, {"blastRadius": {"scope": "namespace", "pods": 0}}), {"namespace": "default"})
	v := review.verdict with input as inp("high", "default", 0.9, [label, ns])
	v.outcome == "auto_execute"
	codes(v) == {"within_policy", "step_mutated"}
	v.allowedActions == [label, object.union(netpol, {"params": {}, "rationale": "policy rewrite of n: isolate only pod p"})]
	count(v.mutations) == 1
	v.mutations[0].code == "narrow_isolation_to_pod"
	v.flagged == [{"actionId": "n", "codes": ["blast_radius"], "disposition": "mutated"}]
}

test_mutated_step_still_escalates_when_a_human_is_needed_for_another_reason if {
	wl := on(object.union(terminate, {"id": "w", "blastRadius": {"scope": "workload", "pods": 3}}), {"namespace": "default", "pod": "p", "workload": "p"})
	v := review.verdict with input as inp("critical", "default", 0.3, [label, netpol, wl])
	v.outcome == "escalate"
	codes(v) == {"low_confidence", "step_mutated"}
	[a.id | some a in v.allowedActions] == ["l", "n"]
	v.flagged[0].disposition == "mutated"
}

test_rejected_verdict_reports_no_mutation if {
	ns := object.union(netpol, {"blastRadius": {"scope": "namespace", "pods": 0}})
	v := review.verdict with input as inp("info", "default", 0.9, [ns])
	v.outcome == "auto_reject"
	v.mutations == []
	v.flagged[0].disposition == "blocked"
}

test_escalation_terms_come_from_data if {
	v := review.verdict with input as inp("low", "default", 0.1, [label])
		with data.vigil.config.escalation.low as {"timeout_seconds": 60, "on_timeout": "auto_execute", "repage": true}
	v.escalation == {"requiredRole": "analyst", "timeoutSeconds": 60, "onTimeout": "auto_execute", "repage": true}
}
