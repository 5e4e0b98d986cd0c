# What was proposed, before any rewrite: the analysis' steps minus those that can never run
# (blocked), plus the deterministic analyser's floor where an LLM proposed less. A model talked
# into proposing nothing (or a label that releases an isolation) does not shrink the response:
# the floor's steps are added, and the verdict escalates so a human sees the shortfall.
package vigil.proposal

import rego.v1

import data.vigil.steps

proposed := input.analysis.actions

asset := input.incident.asset

llm if input.analysis.analyser.kind == "llm"

# The rule analyser's own steps are the floor; an LLM analysis carries the floor beside its steps.
floor := input.analysis.floor if llm

default floor := []

floor_known if not llm

floor_known if {
	llm
	is_array(input.analysis.floor)
}

blocked[i] := codes if {
	some i, a in proposed
	codes := steps.blocking(a, asset)
	count(codes) > 0
}

admissible := [a | some i, a in proposed; not blocked[i]]

covered(f) if {
	some a in admissible
	a.actionner == f.actionner
	a.target.namespace == f.target.namespace
	object.get(a.target, "pod", "") == object.get(f.target, "pod", "")
}

# Floor steps the proposal lacks (a blocked step covers nothing).
missing := [f | some f in floor; not covered(f); count(steps.blocking(f, asset)) == 0]

floor_met if {
	floor_known
	count(missing) == 0
}

ids := {a.id | some a in admissible}

added := [object.union(f, {"id": id}) | some f in missing; id := floor_id(f)]

floor_id(f) := f.id if not f.id in ids

floor_id(f) := sprintf("floor-%s", [f.id]) if f.id in ids

combined := array.concat(admissible, added)

# Nothing was proposed and nothing is called for: the one case "no action" is proven.
nothing_called_for if {
	floor_known
	count(proposed) == 0
	count(floor) == 0
}
