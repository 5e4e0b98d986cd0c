# Review policy: turns an analysis into a deterministic verdict.
# The LLM (or rule analyser) only proposes; this file decides. Data lives in data.json.
package vigil.review

import rego.v1

cfg := data.vigil.config

severity := input.incident.severity

namespace := object.get(input.incident.asset, "namespace", "")

actions := input.analysis.actions

# --- reasons to refuse automation outright (never executes) ---------------------------------

reject_reasons contains {"code": "notify_only", "message": sprintf("severity %s is notify-only", [severity])} if {
	severity in cfg.notify_only_severities
}

reject_reasons contains {"code": "no_actions", "message": "the analysis proposed no remediation"} if {
	count(actions) == 0
}

# --- reasons a human must decide ----------------------------------------------------------------

escalate_reasons contains {"code": "low_confidence", "message": msg} if {
	input.analysis.confidence < cfg.min_confidence
	msg := sprintf("confidence %.2f is below %.2f", [input.analysis.confidence, cfg.min_confidence])
}

escalate_reasons contains {"code": "protected_asset", "message": sprintf("namespace %s always escalates", [namespace])} if {
	namespace in cfg.always_escalate_namespaces
}

escalate_reasons contains {"code": "human_only_action", "message": sprintf("%s always needs an analyst", [a.actionner])} if {
	some a in actions
	a.actionner in cfg.human_only_actions
}

escalate_reasons contains {"code": "blast_radius", "message": msg} if {
	some a in actions
	past_blast_limit(a)
	msg := sprintf("%s reaches %d pod(s) at %s scope, limit %d at %v", [a.actionner, a.blastRadius.pods, a.blastRadius.scope, cfg.blast_radius.max_pods, cfg.blast_radius.allowed_scopes])
}

escalate_reasons contains {"code": "not_allowed_for_severity", "message": msg} if {
	some a in actions
	not a.actionner in object.get(cfg.allowed_actions, severity, [])
	not a.actionner in cfg.human_only_actions
	msg := sprintf("%s is not on the %s allow-list", [a.actionner, severity])
}

past_blast_limit(a) if a.blastRadius.pods > cfg.blast_radius.max_pods

past_blast_limit(a) if not a.blastRadius.scope in cfg.blast_radius.allowed_scopes

# --- the verdict ---------------------------------------------------------------------------------

outcome := "auto_reject" if {
	count(reject_reasons) > 0
} else := "escalate" if {
	count(escalate_reasons) > 0
} else := "auto_execute"

reasons := [r | some r in reject_reasons] if outcome == "auto_reject"

reasons := [r | some r in escalate_reasons] if outcome == "escalate"

reasons := [{"code": "within_policy", "message": "every proposed action is allowed for this severity and asset"}] if {
	outcome == "auto_execute"
}

required_role := "senior" if {
	namespace in cfg.always_escalate_namespaces
} else := "senior" if {
	some a in actions
	a.actionner in cfg.human_only_actions
} else := "analyst"

escalation := {
	"timeoutSeconds": cfg.escalation[severity].timeout_seconds,
	"onTimeout": cfg.escalation[severity].on_timeout,
	"requiredRole": required_role,
} if outcome == "escalate"

default escalation := null

allowed_actions := actions if outcome != "auto_reject"

default allowed_actions := []

rejected_actions := [{"action": a, "reason": reasons[0].message} | some a in actions] if outcome == "auto_reject"

default rejected_actions := []

verdict := {
	"outcome": outcome,
	"reasons": reasons,
	"allowedActions": allowed_actions,
	"rejectedActions": rejected_actions,
	"mutations": [],
	"escalation": escalation,
}
