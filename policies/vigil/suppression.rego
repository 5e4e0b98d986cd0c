# Analysts' "this is normal here" (data.vigil.suppressions, written by `vigil suppress` and reviewed
# like any policy change): a finding of `rule` (by `process`, when given) on one workload, until
# `expires`. The gate drops what it covers; review auto-rejects what still reaches it.
package vigil.suppression

import rego.v1

import data.vigil.evidence

# RFC 3339 in UTC, to the second: the one spelling in which string order is time order
# (the data schema and the review agent both write it so).
utc := `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$`

now := input.now if regex.match(utc, input.now)

# Unexpired suppressions; without a trustworthy `now` none is in force.
active contains s if {
	some s in data.vigil.suppressions
	regex.match(utc, s.expires)
	now < s.expires
}

# Every alert of the incident is covered (one suppressed rule does not hide the others of a chain).
matching contains s if {
	some s in active
	on_workload(s)
	covers(s, input.alert)
}

suppressed if {
	count(matching) > 0
	every a in evidence.alerts {
		some s in active
		on_workload(s)
		covers(s, a)
	}

	# A suppression hides the known-benign behaviour it names, never a known-bad indicator.
	count(evidence.indicators) == 0
}

on_workload(s) if {
	w := input.workload
	s.workload.namespace == w.namespace
	s.workload.name == w.name
	object.get(s.workload, "kind", w.kind) == w.kind
}

covers(s, a) if {
	s.rule == a.rule
	object.get(s, "process", process_of(a)) == process_of(a)
}

process_of(a) := object.get(object.get(a, "fields", {}), "proc.name", null)

ids := sort([s.id | some s in matching])
