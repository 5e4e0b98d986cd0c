# What a single step may not do on its own. A step with no flags may run without a human.
package vigil.steps

import rego.v1

import data.vigil.assets

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
