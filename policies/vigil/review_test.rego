package vigil.review_test

import rego.v1

import data.vigil.review

label := {"id": "l", "actionner": "kubernetes:label", "target": {"namespace": "default", "pod": "p"}, "params": {}, "blastRadius": {"scope": "pod", "pods": 1}}

netpol := object.union(label, {"id": "n", "actionner": "kubernetes:networkpolicy"})

terminate := object.union(label, {"id": "t", "actionner": "kubernetes:terminate"})

inp(severity, ns, confidence, actions) := {
	"incident": {"id": "i", "severity": severity, "asset": {"kind": "pod", "namespace": ns, "pod": "p"}},
	"alert": {"rule": "r", "priority": "Notice", "source": "syscall", "tags": []},
	"anomaly": {"score": 0.9},
	"analysis": {"confidence": confidence, "severity": severity, "actions": actions},
}

codes(v) := {r.code | some r in v.reasons}

test_auto_execute_within_policy if {
	v := review.verdict with input as inp("medium", "default", 0.9, [label, netpol])
	v.outcome == "auto_execute"
	count(v.allowedActions) == 2
	v.escalation == null
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

test_low_confidence_escalates if {
	v := review.verdict with input as inp("medium", "default", 0.3, [label])
	v.outcome == "escalate"
	"low_confidence" in codes(v)
	v.escalation.requiredRole == "analyst"
	v.escalation.timeoutSeconds == 14400
}

test_protected_namespace_escalates_to_senior if {
	v := review.verdict with input as inp("low", "kube-system", 0.9, [label])
	v.outcome == "escalate"
	"protected_asset" in codes(v)
	v.escalation.requiredRole == "senior"
}

test_human_only_action_escalates_to_senior if {
	v := review.verdict with input as inp("critical", "default", 0.9, [label, terminate])
	v.outcome == "escalate"
	"human_only_action" in codes(v)
	not "not_allowed_for_severity" in codes(v)
	v.escalation.requiredRole == "senior"
	v.escalation.timeoutSeconds == 900
}

test_blast_radius_pods_escalates if {
	wide := object.union(label, {"blastRadius": {"scope": "pod", "pods": 5}})
	v := review.verdict with input as inp("medium", "default", 0.9, [wide])
	"blast_radius" in codes(v)
}

test_blast_radius_scope_escalates if {
	ns := object.union(netpol, {"blastRadius": {"scope": "namespace", "pods": 1}})
	v := review.verdict with input as inp("medium", "default", 0.9, [ns])
	"blast_radius" in codes(v)
}

test_not_on_severity_allow_list_escalates if {
	v := review.verdict with input as inp("low", "default", 0.9, [netpol])
	v.outcome == "escalate"
	"not_allowed_for_severity" in codes(v)
}

test_reject_beats_escalate if {
	v := review.verdict with input as inp("info", "kube-system", 0.1, [terminate])
	v.outcome == "auto_reject"
}
