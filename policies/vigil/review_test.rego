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

# --- evidence: automation needs positive evidence of compromise ------------------------------------

shell := {"rule": "Terminal shell in container", "priority": "Notice", "source": "syscall", "tags": ["container", "shell", "mitre_execution", "T1059"], "fields": {"proc.name": "bash"}}

api_contact := {"rule": "Contact K8S API Server From Container", "priority": "Notice", "source": "syscall", "tags": ["container", "network", "k8s", "mitre_discovery", "T1565"], "fields": {"proc.name": "argocd-application-controller", "fd.sip": "10.96.0.1", "fd.sport": 443}}

on_alert(alert, severity, confidence, actions) := object.union(inp(severity, "default", confidence, actions), {"alert": alert})

test_anomalous_inside_policy_alone_does_not_execute if {
	# A first shell in an ordinary pod, high confidence and score, every step allowed: notified, no action.
	v := review.verdict with input as on_alert(shell, "low", 0.9, [label])
	v.outcome == "auto_reject"
	codes(v) == {"insufficient_evidence"}
	startswith(v.reasons[0].message, "evidence 0.30 (")
	v.allowedActions == []
	v.evidence.weight == 0.3
}

test_a_gitops_controller_contacting_the_api_server_is_not_contained if {
	v := review.verdict with input as on_alert(api_contact, "low", 0.95, [label])
	v.outcome == "auto_reject"
	codes(v) == {"insufficient_evidence"}
}

test_low_evidence_on_a_protected_asset_still_escalates if {
	v := review.verdict with input as object.union(on_alert(shell, "low", 0.9, [on(label, {"namespace": "kube-system", "pod": "p"})]), {"incident": {"asset": {"namespace": "kube-system"}}})
	v.outcome == "escalate"
	codes(v) == {"protected_asset", "evidence_inconclusive"}
}

read := {"rule": "Read sensitive file untrusted", "priority": "Warning", "source": "syscall", "tags": ["mitre_credential_access", "T1555"], "fields": {"fd.name": "/etc/shadow"}}

test_inconclusive_evidence_escalates if {
	# Credential access at Warning: worth a human look, not an unattended containment.
	v := review.verdict with input as on_alert(read, "medium", 0.9, [label])
	v.outcome == "escalate"
	codes(v) == {"evidence_inconclusive"}
	v.evidence.weight == 0.7
}

test_reverse_shell_to_an_outside_address_executes if {
	redirect := {"rule": "Redirect STDOUT/STDIN to Network Connection in Container", "priority": "Notice", "source": "syscall", "tags": ["mitre_execution", "T1059"], "fields": {"proc.name": "bash", "fd.rip": "203.0.113.7", "fd.rport": "4242"}}
	v := review.verdict with input as on_alert(redirect, "low", 0.9, [label])
	v.outcome == "auto_execute"
	{f.code | some f in v.evidence.findings} == {"priority", "tactic", "anomaly_score", "reverse_shell"}
	v.allowedActions == [label]
}

test_ipv6_peers_are_weighed_too if {
	outside := {"rule": "r", "priority": "Notice", "source": "syscall", "tags": [], "fields": {"proc.name": "sh", "fd.rip": "2001:db8::7"}}
	inside := {"rule": "r", "priority": "Notice", "source": "syscall", "tags": [], "fields": {"proc.name": "sh", "fd.rip": "fd00::7"}}
	"reverse_shell" in {f.code | some f in review.verdict.evidence.findings} with input as on_alert(outside, "low", 0.9, [label])
	not "reverse_shell" in {f.code | some f in review.verdict.evidence.findings} with input as on_alert(inside, "low", 0.9, [label])
}

test_the_same_shell_to_an_internal_address_is_not_a_reverse_shell if {
	redirect := {"rule": "Redirect STDOUT/STDIN to Network Connection in Container", "priority": "Notice", "source": "syscall", "tags": ["mitre_execution", "T1059"], "fields": {"proc.name": "bash", "fd.rip": "10.2.3.4", "fd.rport": 4242}}
	v := review.verdict with input as on_alert(redirect, "low", 0.9, [label])
	v.outcome == "auto_reject"
}

test_miner_pool_port_process_and_command_are_indicators if {
	miner := {"rule": "Outbound Connection to C2 Servers", "priority": "Warning", "source": "syscall", "tags": [], "fields": {"proc.name": "XMRig", "proc.cmdline": "xmrig -o stratum+tcp://pool.example:3333", "fd.sip": "198.51.100.9", "fd.sport": 3333}}
	v := review.verdict with input as on_alert(miner, "medium", 0.9, [label])
	v.outcome == "auto_execute"
	{f.code | some f in v.evidence.findings} == {"priority", "anomaly_score", "miner_pool_port", "miner_process", "attack_command"}
}

test_a_known_bad_address_is_an_indicator if {
	beacon := {"rule": "Unexpected outbound connection", "priority": "Notice", "source": "syscall", "tags": [], "fields": {"proc.name": "curl", "fd.rip": "192.0.2.66", "fd.rport": 443}}
	v := review.verdict with input as on_alert(beacon, "low", 0.9, [label]) with data.vigil.config.indicators.known_bad_cidrs as ["192.0.2.0/24"]
	v.outcome == "auto_execute"
	"known_bad_address" in {f.code | some f in v.evidence.findings}
}

test_malformed_addresses_and_ports_are_not_evidence if {
	junk := {"rule": "r", "priority": "Notice", "source": "syscall", "tags": [], "fields": {"proc.name": "sh", "fd.rip": "not-an-ip", "fd.rport": "3333x", "fd.sip": 7}}
	v := review.verdict with input as on_alert(junk, "low", 0.9, [label])
	{f.code | some f in v.evidence.findings} == {"priority", "anomaly_score"}
}

test_a_chain_on_one_workload_adds_up if {
	# A shell alone is notified; the same shell with a credential read and a dropped binary is contained.
	chain := [
		{"rule": "Read sensitive file untrusted", "priority": "Warning", "tags": ["mitre_credential_access"]},
		{"rule": "Drop and execute new binary in container", "priority": "Critical", "tags": ["mitre_persistence"]},
	]
	v := review.verdict with input as object.union(on_alert(shell, "low", 0.9, [label]), {"chain": chain})
	v.outcome == "auto_execute"
	v.evidence.weight == 1.8
	"chain" in {f.code | some f in v.evidence.findings}
}

test_the_models_technique_is_not_evidence if {
	v := review.verdict with input as object.union(on_alert(shell, "low", 0.9, [label]), {"analysis": {"technique": {"id": "T1611", "name": "Escape to Host", "tactic": "privilege-escalation"}}})
	v.outcome == "auto_reject"
}

# --- the target is the incident's asset; labels only quarantine ------------------------------------

test_label_that_would_release_an_isolation_is_blocked if {
	release := object.union(label, {"params": {"labels": {"vigil.dev/quarantine": "false"}}})
	v := review.verdict with input as inp("low", "default", 0.9, [release])
	v.outcome == "escalate"
	codes(v) == {"label_not_quarantine"}
	v.allowedActions == []
	v.flagged == [{"actionId": "l", "codes": ["label_not_quarantine"], "disposition": "blocked"}]
}

test_label_beyond_the_quarantine_labels_is_blocked if {
	every labels in [{"vigil.dev/quarantine": "true", "vigil.dev/exempt": "true"}, {"app": "x"}, {}, "vigil.dev/quarantine=true"] {
		v := review.verdict with input as inp("low", "default", 0.9, [object.union(object.remove(label, ["params"]), {"params": {"labels": labels}})])
		v.outcome == "escalate"
		"label_not_quarantine" in codes(v)
	}
}

test_networkpolicy_params_are_checked if {
	v := review.verdict with input as inp("medium", "default", 0.9, [object.union(netpol, {"params": {"allowDns": "yes"}})])
	v.outcome == "escalate"
	codes(v) == {"not_proven"}
	w := review.verdict with input as inp("medium", "default", 0.9, [object.union(netpol, {"params": {"allowDns": false}})])
	w.outcome == "auto_execute"
}

test_targets_spelled_to_dodge_exact_matches_are_blocked if {
	every ns in ["Kube-System", "kube-system.", "kube-system/../default", "kube\u0455ystem"] {
		v := review.verdict with input as inp("low", "default", 0.9, [on(label, {"namespace": ns, "pod": "p"})])
		v.outcome == "escalate"
		"target_not_asset" in codes(v)
		"invalid_target_name" in codes(v)
		v.allowedActions == []
	}
}

test_an_asset_with_an_invalid_name_never_executes if {
	v := review.verdict with input as inp("low", "Default", 0.9, [on(label, {"namespace": "Default", "pod": "p"})])
	v.outcome == "escalate"
	codes(v) == {"invalid_target_name"}
}

test_a_step_on_the_pods_own_workload_is_inside_the_asset if {
	own := on(terminate, {"namespace": "default", "pod": "web-5d8f9c7b6-x2x9q", "workload": "web"})
	other := on(terminate, {"namespace": "default", "pod": "web-5d8f9c7b6-x2x9q", "workload": "api"})
	v := review.verdict with input as inp("critical", "default", 0.9, [own]) with input.incident.asset.pod as "web-5d8f9c7b6-x2x9q"
	codes(v) == {"human_only_action"}
	w := review.verdict with input as inp("critical", "default", 0.9, [other]) with input.incident.asset.pod as "web-5d8f9c7b6-x2x9q"
	"target_not_asset" in codes(w)
}

# --- the rule analyser's floor --------------------------------------------------------------------

llm_inp(actions, floor) := object.union(inp("medium", "default", 0.9, actions), {"analysis": {"analyser": {"kind": "llm", "version": "t"}, "floor": floor}})

test_a_model_that_proposes_nothing_escalates_with_the_floor if {
	v := review.verdict with input as llm_inp([], [label, netpol])
	v.outcome == "escalate"
	codes(v) == {"below_floor"}
	v.reasons[0].message == "the model proposed less than the rule analyser's floor; added: kubernetes:label on default/p, kubernetes:networkpolicy on default/p"
	v.allowedActions == [label, netpol]
}

test_a_model_that_covers_the_floor_may_execute if {
	v := review.verdict with input as llm_inp([object.union(label, {"id": "model-label"}), netpol], [label, netpol])
	v.outcome == "auto_execute"
	[a.id | some a in v.allowedActions] == ["model-label", "n"]
}

test_a_blocked_model_step_does_not_cover_the_floor if {
	release := object.union(label, {"params": {"labels": {"vigil.dev/quarantine": "false"}}})
	v := review.verdict with input as llm_inp([release], [label])
	v.outcome == "escalate"
	codes(v) == {"label_not_quarantine", "below_floor"}
	v.allowedActions == [object.union(label, {"id": "l"})]
}

test_a_floor_step_whose_id_the_model_took_is_renamed if {
	v := review.verdict with input as llm_inp([object.union(netpol, {"id": "l"})], [label])
	codes(v) == {"below_floor"}
	[a.id | some a in v.allowedActions] == ["l", "floor-l"]
}

test_an_llm_analysis_without_a_floor_escalates if {
	v := review.verdict with input as object.union(inp("medium", "default", 0.9, [label]), {"analysis": {"analyser": {"kind": "llm", "version": "t"}}})
	v.outcome == "escalate"
	codes(v) == {"no_floor"}
	w := review.verdict with input as object.union(inp("medium", "default", 0.9, []), {"analysis": {"analyser": {"kind": "llm", "version": "t"}}})
	w.outcome == "escalate"
}

test_nothing_proposed_and_no_floor_is_the_only_no_actions if {
	v := review.verdict with input as llm_inp([], [])
	v.outcome == "auto_reject"
	codes(v) == {"no_actions"}
}

# --- suppressions -----------------------------------------------------------------------------------

suppression := {"id": "argocd-api", "workload": {"namespace": "default", "kind": "Deployment", "name": "argocd-application-controller"}, "rule": "Contact K8S API Server From Container", "process": "argocd-application-controller", "author": "alice", "reason": "GitOps controller", "expires": "2027-01-01T00:00:00Z"}

suppressed_inp(alert) := object.union(on_alert(alert, "critical", 0.9, [label]), {"now": "2026-12-01T20:00:00Z", "workload": {"namespace": "default", "kind": "Deployment", "name": "argocd-application-controller"}})

strong_api_contact := object.union(api_contact, {"priority": "Critical", "tags": ["mitre_privilege_escalation", "T1611"]})

test_a_suppressed_finding_auto_rejects if {
	v := review.verdict with input as suppressed_inp(strong_api_contact) with data.vigil.suppressions as [suppression]
	v.outcome == "auto_reject"
	codes(v) == {"suppressed"}
	v.reasons[0].message == "suppressed by argocd-api (alice: GitOps controller, until 2027-01-01T00:00:00Z)"
	v.suppressions == ["argocd-api"]
}

test_a_suppression_matches_only_its_workload_rule_and_process if {
	every s in [
		object.union(suppression, {"expires": "2026-12-01T19:59:59Z"}),
		object.union(suppression, {"workload": {"name": "other"}}),
		object.union(suppression, {"workload": {"kind": "StatefulSet"}}),
		object.union(suppression, {"rule": "Terminal shell in container"}),
		object.union(suppression, {"process": "curl"}),
		object.union(suppression, {"expires": "2027-01-01"}),
	] {
		v := review.verdict with input as suppressed_inp(strong_api_contact) with data.vigil.suppressions as [s]
		v.outcome == "auto_execute"
	}

	# Kind and process are optional: absent, any kind and any process match.
	v := review.verdict with input as suppressed_inp(strong_api_contact) with data.vigil.suppressions as [object.remove(suppression, ["process"])]
	v.outcome == "auto_reject"
}

test_no_suppression_is_in_force_without_a_trustworthy_now if {
	every now in ["", "2026-12-01", "2026-12-01T20:00:00+00:00", 1764619200] {
		v := review.verdict with input as object.union(suppressed_inp(strong_api_contact), {"now": now}) with data.vigil.suppressions as [suppression]
		v.outcome == "auto_execute"
	}
}

test_a_suppression_does_not_hide_a_known_bad_indicator_or_another_rule_of_the_chain if {
	miner := object.union(strong_api_contact, {"fields": {"proc.name": "argocd-application-controller", "fd.sip": "198.51.100.9", "fd.sport": 3333}})
	v := review.verdict with input as suppressed_inp(miner) with data.vigil.suppressions as [suppression]
	v.outcome == "auto_execute"
	w := review.verdict with input as object.union(suppressed_inp(strong_api_contact), {"chain": [shell]}) with data.vigil.suppressions as [suppression]
	w.outcome == "auto_execute"
}

# --- nothing executes by default: broken rules and missing data only take automation away ---------

executes := inp("medium", "default", 0.9, [label, netpol])

test_the_reference_input_executes if {
	review.verdict.outcome == "auto_execute" with input as executes
}

no_flags(_, _) := set()

test_silenced_escalation_rules_do_not_execute if {
	# As if every escalation rule had been deleted or misspelt: the cases that needed a human still
	# do not run, because execution is proven from data, not inferred from the absence of reasons.
	every i in [
		inp("medium", "default", 0.3, [label]),
		inp("medium", "kube-system", 0.9, [on(label, {"namespace": "kube-system", "pod": "p"})]),
		inp("critical", "default", 0.9, [label, terminate]),
		inp("medium", "default", 0.9, [object.union(label, {"blastRadius": {"scope": "pod", "pods": 5}})]),
		inp("low", "default", 0.9, [netpol]),
		on_alert(read, "medium", 0.9, [label]),
		llm_inp([], [label]),
	] {
		v := review.verdict with input as i with review.escalate_reasons as set() with data.vigil.steps.flags as no_flags
		v.outcome == "escalate"
		v.reasons == [{"code": "not_proven", "message": "automation was not proven safe by policy"}]
	}
}

test_missing_data_never_executes if {
	every key in ["min_confidence", "evidence", "allowed_actions", "human_only_actions", "blast_radius", "always_escalate_namespaces", "customer_facing_workloads", "quarantine_labels"] {
		v := review.verdict with input as executes with data.vigil.config as object.remove(data.vigil.config, [key])
		v.outcome != "auto_execute"
	}
}

test_missing_evidence_data_only_ever_lowers_the_evidence if {
	full := review.verdict.evidence.weight with input as executes
	every key in ["priority", "tactics", "techniques", "anomaly_score", "chain", "indicator_weight"] {
		w := review.verdict.evidence.weight with input as executes with data.vigil.config.evidence as object.remove(data.vigil.config.evidence, [key])
		w <= full
	}
	v := review.verdict with input as executes with data.vigil.config.evidence as object.remove(data.vigil.config.evidence, ["auto_execute_at"])
	v.outcome == "escalate"
}
