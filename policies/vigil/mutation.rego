# Step mutation: rewrite a flagged, drastic step into a safer one instead of blocking it.
# Each rule says which step, from what, to what and why; the review verdict runs the result.
package vigil.mutation

import rego.v1

import data.vigil.proposal
import data.vigil.steps

cfg := data.vigil.config

# The proposal after blocked steps are dropped and the floor is added (proposal.rego).
proposed := proposal.combined

asset := input.incident.asset

flagged(a) if count(steps.flags(a, input.incident.severity)) > 0

# The pod a step is about: its own target, else the incident's pod in the same namespace.
pod_of(a) := a.target.pod

pod_of(a) := asset.pod if {
	not a.target.pod
	a.target.namespace == object.get(asset, "namespace", "")
}

# Terminating every pod of a workload (or namespace) is an outage; isolating and quarantining
# the compromised pod contains the threat without one.
rewrite[i] := m if {
	cfg.mutations.contain_instead_of_terminate.enabled
	some i, a in proposed
	a.actionner == "kubernetes:terminate"
	a.blastRadius.scope in {"workload", "namespace"}
	flagged(a)
	pod := pod_of(a)
	m := {
		"actionId": a.id,
		"code": "contain_instead_of_terminate",
		"from": a,
		"to": isolation_of(a, pod, {"allowDns": false}),
		"added": quarantine_of(a, pod),
		"reason": sprintf(
			"terminating %s-wide is past policy; pod %s/%s is isolated and labelled for quarantine instead",
			[a.blastRadius.scope, a.target.namespace, pod],
		),
	}
}

# Cutting a whole namespace (or workload) off the network → only the pod the finding is about.
rewrite[i] := m if {
	cfg.mutations.narrow_isolation_to_pod.enabled
	some i, a in proposed
	a.actionner == "kubernetes:networkpolicy"
	a.blastRadius.scope in {"workload", "namespace"}
	flagged(a)
	pod := pod_of(a)
	m := {
		"actionId": a.id,
		"code": "narrow_isolation_to_pod",
		"from": a,
		"to": isolation_of(a, pod, object.get(a, "params", {})),
		"added": [],
		"reason": sprintf("%s-wide isolation is past policy; only pod %s/%s is isolated", [a.blastRadius.scope, a.target.namespace, pod]),
	}
}

# An isolation of this pod already proposed is reused, so the pod is not isolated twice.
isolation_of(a, pod, params) := existing[0] if {
	existing := [s |
		some s in proposed
		s.actionner == "kubernetes:networkpolicy"
		s.blastRadius.scope == "pod"
		s.target.namespace == a.target.namespace
		object.get(s.target, "pod", "") == pod
	]
	count(existing) > 0
} else := {
	"id": a.id,
	"actionner": "kubernetes:networkpolicy",
	"target": {"namespace": a.target.namespace, "pod": pod},
	"params": params,
	"blastRadius": {"scope": "pod", "pods": 1},
	"rationale": sprintf("policy rewrite of %s: isolate only pod %s", [a.id, pod]),
}

# The quarantine label is added unless a label step for this pod is already proposed.
quarantine_of(a, pod) := [] if {
	some s in proposed
	s.actionner == "kubernetes:label"
	s.target.namespace == a.target.namespace
	object.get(s.target, "pod", "") == pod
} else := [{
	"id": sprintf("%s-quarantine", [a.id]),
	"actionner": "kubernetes:label",
	"target": {"namespace": a.target.namespace, "pod": pod},
	"params": {"labels": cfg.quarantine_labels},
	"blastRadius": {"scope": "pod", "pods": 1},
	"rationale": sprintf("policy rewrite of %s: label pod %s for quarantine", [a.id, pod]),
}]

# The steps after mutation, in proposal order, then added steps; a step id appears once.
step_after(i, a) := rewrite[i].to

step_after(i, a) := a if not rewrite[i]

candidates := array.concat(
	[s | some i, a in proposed; s := step_after(i, a)],
	[s | some m in rewrite; some s in m.added],
)

steps := [s | some k, s in candidates; not seen_before(k, s.id)]

seen_before(k, id) if {
	some j, t in candidates
	j < k
	t.id == id
}

mutations := [m | some m in rewrite]
