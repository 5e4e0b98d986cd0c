# What a single step may not do on its own. `flags` explain why a human must look; `blocking`
# says why a step can never run, whoever approves; `cleared` proves a step may run unattended.
package vigil.steps

import rego.v1

import data.vigil.assets
import data.vigil.names

cfg := data.vigil.config

flags(a, severity) := ((human_only(a) | blast_radius(a)) | not_allowed(a, severity)) | protected_target(a)

human_only(a) := {{"code": "human_only_action", "message": sprintf("%s always needs an analyst", [a.actionner])} |
	a.actionner in cfg.human_only_actions
}

# sprintf's %v formats arrays differently in wasm and in opa itself: join lists explicitly.
blast_radius(a) := {{"code": "blast_radius", "message": msg} |
	beyond_blast_limit(a)
	msg := sprintf(
		"%s reaches %d pod(s) at %s scope, limit %d at %s scope",
		[a.actionner, a.blastRadius.pods, a.blastRadius.scope, cfg.blast_radius.max_pods, concat("/", cfg.blast_radius.allowed_scopes)],
	)
}

beyond_blast_limit(a) if a.blastRadius.pods > cfg.blast_radius.max_pods

beyond_blast_limit(a) if not a.blastRadius.scope in cfg.blast_radius.allowed_scopes

# Human-only actions are reported as such, not twice.
not_allowed(a, severity) := {{"code": "not_allowed_for_severity", "message": sprintf("%s is not on the %s allow-list", [a.actionner, severity])} |
	not a.actionner in object.get(cfg.allowed_actions, severity, [])
	not a.actionner in cfg.human_only_actions
}

protected_target(a) := assets.protection(a.target.namespace, assets.names_of(a.target))

# --- never runnable ----------------------------------------------------------------------------

blocking(a, asset) := (off_asset(a, asset) | bad_name(a)) | bad_params(a)

off_asset(a, asset) := {{"code": "target_not_asset", "message": msg} |
	not within_asset(a.target, asset)
	msg := sprintf("%s targets %s, not the incident's asset %s", [a.actionner, label_of(a.target), label_of(asset)])
}

bad_name(a) := {{"code": "invalid_target_name", "message": sprintf("%s targets %s, which is not a valid Kubernetes name", [a.actionner, label_of(a.target)])} |
	not names.valid_target(a.target)
}

bad_params(a) := {{"code": "label_not_quarantine", "message": msg} |
	a.actionner == "kubernetes:label"
	not quarantine_only(a)
	msg := sprintf("kubernetes:label may set only the quarantine labels in policy data (%s)", [concat(", ", quarantine_pairs)])
}

quarantine_pairs := [sprintf("%s=%s", [k, v]) | some k, v in cfg.quarantine_labels]

# Inside the incident's asset: its namespace and, when the step names them, its pod (or the pod's
# workload). A namespace-wide step is inside too: blast radius and mutation narrow it to the pod.
within_asset(t, asset) if {
	t.namespace == asset.namespace
	object.get(t, "pod", asset.pod) == asset.pod
	object.get(t, "node", null) == null
	workload_holds_pod(t, asset)
}

workload_holds_pod(t, _) if object.get(t, "workload", null) == null

workload_holds_pod(t, asset) if assets.part_of(asset.pod, t.workload)

# Exactly the incident's pod: what an unattended step must aim at.
on_asset(t, asset) if {
	within_asset(t, asset)
	t.pod == asset.pod
}

# Only the quarantine labels, with exactly their values: never another label, never a value that
# releases an isolation (`vigil.dev/quarantine: "false"`), never an override of Vigil's own keys.
quarantine_only(a) if {
	is_object(a.params.labels)
	count(a.params.labels) > 0
	every k, v in a.params.labels {
		cfg.quarantine_labels[k] == v
	}
}

label_of(x) := sprintf("%s/%s", [object.get(x, "namespace", "-"), object.get(x, "pod", object.get(x, "workload", object.get(x, "node", "*")))])

# --- proven runnable without a human -------------------------------------------------------------

# Each condition is stated positively against data, so a rule or data key that is missing or
# misspelt leaves the step uncleared (escalate), never cleared by default.
cleared(a, severity, asset) if {
	a.actionner in cfg.allowed_actions[severity]
	every h in cfg.human_only_actions {
		h != a.actionner
	}
	a.blastRadius.pods <= cfg.blast_radius.max_pods
	a.blastRadius.scope in cfg.blast_radius.allowed_scopes
	names.valid_target(a.target)
	on_asset(a.target, asset)
	assets.unprotected(a.target.namespace, assets.names_of(a.target))
	params_cleared(a)
}

params_cleared(a) if {
	a.actionner == "kubernetes:label"
	quarantine_only(a)
}

params_cleared(a) if {
	a.actionner == "kubernetes:networkpolicy"
	every k, v in object.get(a, "params", {}) {
		k == "allowDns"
		is_boolean(v)
	}
}
