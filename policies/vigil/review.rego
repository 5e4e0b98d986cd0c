# Review policy: turns an analysis into a deterministic verdict.
# The LLM (or rule analyser) only proposes; this file decides. Data lives in data.json.
package vigil.review

import rego.v1

import data.vigil.assets
import data.vigil.mutation
import data.vigil.steps

cfg := data.vigil.config

severity := input.incident.severity

asset := input.incident.asset

proposed := input.analysis.actions

# What would run: the proposal after step mutation.
final_steps := mutation.steps

# --- reasons to refuse automation outright (never executes) ---------------------------------

reject_reasons contains {"code": "notify_only", "message": sprintf("severity %s is notify-only", [severity])} if {
	severity in cfg.notify_only_severities
}

reject_reasons contains {"code": "no_actions", "message": "the analysis proposed no remediation"} if {
	count(proposed) == 0
}

# Idempotency keys are per step id: two steps with one id would run as one.
reject_reasons contains {"code": "duplicate_action_id", "message": sprintf("step id %s is proposed more than once", [id])} if {
	some i, a in proposed
	some j, b in proposed
	i < j
	a.id == b.id
	id := a.id
}

# --- reasons a human must decide ----------------------------------------------------------------

escalate_reasons contains {"code": "low_confidence", "message": msg} if {
	input.analysis.confidence < cfg.min_confidence
	msg := sprintf("confidence %.2f is below %.2f", [input.analysis.confidence, cfg.min_confidence])
}

escalate_reasons contains r if {
	some r in asset_protection
}

escalate_reasons contains r if {
	some a in final_steps
	some r in steps.flags(a, severity)
}

asset_protection := assets.protection(object.get(asset, "namespace", ""), assets.names_of(asset))

# --- the verdict ---------------------------------------------------------------------------------

outcome := "auto_reject" if {
	count(reject_reasons) > 0
} else := "escalate" if {
	count(escalate_reasons) > 0
} else := "auto_execute"

mutation_reasons := [{"code": "step_mutated", "message": m.reason} | some m in mutation.mutations]

reasons := [r | some r in reject_reasons] if outcome == "auto_reject"

reasons := array.concat([r | some r in escalate_reasons], mutation_reasons) if outcome == "escalate"

reasons := array.concat(
	[{"code": "within_policy", "message": "every step to run is allowed for this severity and asset"}],
	mutation_reasons,
) if outcome == "auto_execute"

# Protected assets and human-only steps need the senior role; anything else any analyst.
required_role := cfg.required_roles.protected if {
	count(asset_protection) > 0
} else := cfg.required_roles.protected if {
	some a in final_steps
	count(steps.protected_target(a)) > 0
} else := cfg.required_roles.human_only if {
	some a in final_steps
	a.actionner in cfg.human_only_actions
} else := cfg.required_roles.default

escalation := {
	"timeoutSeconds": cfg.escalation[severity].timeout_seconds,
	"onTimeout": cfg.escalation[severity].on_timeout,
	"repage": cfg.escalation[severity].repage,
	"requiredRole": required_role,
} if outcome == "escalate"

default escalation := null

allowed_actions := final_steps if outcome != "auto_reject"

default allowed_actions := []

rejected_actions := [{"action": a, "reason": reasons[0].message} | some a in proposed] if outcome == "auto_reject"

default rejected_actions := []

# A rejected verdict runs nothing, so nothing was rewritten.
mutations := mutation.mutations if outcome != "auto_reject"

default mutations := []

# Every proposed step a rule objected to, and what became of it: the step-mutation intervention
# rate is mutated / all flagged.
flagged := [{"actionId": a.id, "codes": sort({f.code | some f in fs}), "disposition": disposition(i)} |
	some i, a in proposed
	fs := steps.flags(a, severity)
	count(fs) > 0
]

disposition(i) := "blocked" if {
	outcome == "auto_reject"
} else := "mutated" if {
	mutation.rewrite[i]
} else := "passed"

verdict := {
	"outcome": outcome,
	"reasons": reasons,
	"allowedActions": allowed_actions,
	"rejectedActions": rejected_actions,
	"mutations": mutations,
	"flagged": flagged,
	"escalation": escalation,
}
