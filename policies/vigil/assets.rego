# Assets that always need a human: the control plane (namespaces) and customer-facing workloads.
# Shared by the verdict (escalate) and analyst authority (who may decide).
package vigil.assets

import rego.v1

cfg := data.vigil.config

# Reasons a namespace and the named pods/workloads in it are protected; empty when they are not.
protection(ns, names) := namespace_protection(ns) | workload_protection(ns, names)

namespace_protection(ns) := {{"code": "protected_asset", "message": sprintf("namespace %s always escalates", [ns])} |
	ns in cfg.always_escalate_namespaces
}

workload_protection(ns, names) := {{"code": "customer_facing", "message": msg} |
	some w in cfg.customer_facing_workloads
	w.namespace == ns
	some name in names
	part_of(name, w.workload)
	msg := sprintf("%s/%s is a customer-facing workload", [ns, w.workload])
}

# Proven unprotected, for automation: every protection in data is compared and found not to apply.
# Written with `every` so that a missing or misspelt data key leaves it unproven (a `not` over an
# undefined reference would be true, and would let the step run).
unprotected(ns, names) if {
	is_string(ns)
	every n in cfg.always_escalate_namespaces {
		n != ns
	}
	every w in cfg.customer_facing_workloads {
		unrelated(w, ns, names)
	}
}

unrelated(w, ns, _) if w.namespace != ns

unrelated(w, ns, names) if {
	w.namespace == ns
	every name in names {
		name != w.workload
		not startswith(name, concat("", [w.workload, "-"]))
	}
}

# A pod belongs to a workload by name: Deployment/StatefulSet pods are "<workload>-<suffix>".
part_of(name, workload) if name == workload

part_of(name, workload) if startswith(name, sprintf("%s-", [workload]))

# The names an asset (incident) or an action target is known by.
names_of(x) := {n | some k in ["pod", "workload", "name"]; n := object.get(x, k, ""); n != ""}
