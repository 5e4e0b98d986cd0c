# Review policy: turns an analysis into a deterministic verdict.
# The LLM (or rule analyser) only proposes; this file decides. Data lives in data.json.
#
# The verdict is `escalate` unless `auto_reject` or `auto_execute` is positively proven. Each
# reject reason is a finding that fired; execution needs every condition of `execute_proven` to
# hold against data, stated positively, so a deleted, misspelt or undefined rule or data key can
# only ever take automation away (policies/vigil/review_test.rego breaks them on purpose).
package vigil.review

import rego.v1

import data.vigil.format

import data.vigil.assets
import data.vigil.evidence
import data.vigil.mutation
import data.vigil.proposal
import data.vigil.steps
import data.vigil.suppression

cfg := data.vigil.config

severity := input.incident.severity

asset := input.incident.asset

proposed := input.analysis.actions

# What would run: the proposal (blocked steps dropped, floor added) after step mutation.
final_steps := mutation.steps

# --- proven: refuse automation outright (nothing runs; the finding is notified) -------------------

reject_reasons contains {"code": "notify_only", "message": sprintf("severity %s is notify-only", [severity])} if {
	severity in cfg.notify_only_severities
}

reject_reasons contains {"code": "no_actions", "message": "the analysis proposed no remediation"} if {
	proposal.nothing_called_for
}

# Idempotency keys are per step id: two steps with one id would run as one.
reject_reasons contains {"code": "duplicate_action_id", "message": sprintf("step id %s is proposed more than once", [id])} if {
	some i, a in proposed
	some j, b in proposed
	i < j
	a.id == b.id
	id := a.id
}

reject_reasons contains {"code": "suppressed", "message": msg} if {
	suppression.suppressed
	msg := sprintf("suppressed by %s", [concat(", ", sort([sprintf("%s (%s: %s, until %s)", [s.id, s.author, s.reason, s.expires]) | some s in suppression.matching]))])
}

# Low evidence is notified and closed, not contained: except on a protected asset, which a human
# always sees.
reject_reasons contains {"code": "insufficient_evidence", "message": msg} if {
	evidence.insufficient
	asset_unprotected
	msg := sprintf("%s is below %s: notified, no action", [evidence.summary, format.two_decimals(cfg.evidence.auto_reject_below)])
}

# --- why a human must decide (the reasons an escalation shows) -----------------------------------

escalate_reasons contains {"code": "low_confidence", "message": msg} if {
	input.analysis.confidence < cfg.min_confidence
	msg := sprintf("confidence %s is below %s", [format.two_decimals(input.analysis.confidence), format.two_decimals(cfg.min_confidence)])
}

escalate_reasons contains {"code": "evidence_inconclusive", "message": msg} if {
	not evidence.sufficient
	msg := sprintf("%s is below %s, what containing without a human needs", [evidence.summary, format.two_decimals(cfg.evidence.auto_execute_at)])
}

escalate_reasons contains r if {
	some r in asset_protection
}

escalate_reasons contains r if {
	some a in final_steps
	some r in steps.flags(a, severity)
}

escalate_reasons contains r if {
	some codes in proposal.blocked
	some r in codes
}

escalate_reasons contains {"code": "below_floor", "message": msg} if {
	count(proposal.missing) > 0
	msg := sprintf("the model proposed less than the rule analyser's floor; added: %s", [concat(", ", [sprintf("%s on %s", [f.actionner, steps.label_of(f.target)]) | some f in proposal.missing])])
}

escalate_reasons contains {"code": "no_floor", "message": "an LLM analysis without the rule analyser's floor cannot be checked for what it left out"} if {
	not proposal.floor_known
}

asset_protection := assets.protection(object.get(asset, "namespace", ""), assets.names_of(asset))

asset_unprotected if assets.unprotected(object.get(asset, "namespace", null), assets.names_of(asset))

# --- proven: safe to run unattended --------------------------------------------------------------

execute_proven if {
	count(final_steps) > 0
	input.analysis.confidence >= cfg.min_confidence
	evidence.sufficient
	asset_unprotected
	proposal.floor_met
	count(proposal.blocked) == 0
	every a in final_steps {
		steps.cleared(a, severity, asset)
	}
	count(escalate_reasons) == 0
}

# --- the verdict ---------------------------------------------------------------------------------

outcome := "auto_reject" if {
	count(reject_reasons) > 0
} else := "auto_execute" if {
	execute_proven
} else := "escalate"

mutation_reasons := [{"code": "step_mutated", "message": m.reason} | some m in mutation.mutations]

reasons := ordered(reject_reasons) if outcome == "auto_reject"

reasons := array.concat(escalation_explained, mutation_reasons) if outcome == "escalate"

reasons := array.concat(
	[{"code": "within_policy", "message": sprintf("every step to run is allowed for this severity and asset; %s", [evidence.summary])}],
	mutation_reasons,
) if outcome == "auto_execute"

# An escalation always says why, even when the rule that should have said it is broken.
escalation_explained := ordered(escalate_reasons) if count(escalate_reasons) > 0

escalation_explained := [{"code": "not_proven", "message": "automation was not proven safe by policy"}] if count(escalate_reasons) == 0

# Protected assets, tampered proposals and human-only steps need the senior role; anything else any
# analyst. (A step that would reach a protected target elsewhere is blocked, so the asset decides.)
required_role := cfg.required_roles.protected if {
	count(asset_protection) > 0
} else := cfg.required_roles.protected if {
	count(proposal.blocked) > 0
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

# Blocked steps never run, whatever an analyst decides.
rejected_actions := blocked_refusals if outcome != "auto_reject"

blocked_refusals := [{"action": proposed[i], "reason": concat("; ", sort([c.message | some c in codes]))} | some i, codes in proposal.blocked]

# A rejected verdict runs nothing, so nothing was rewritten.
mutations := mutation.mutations if outcome != "auto_reject"

default mutations := []

# Every step a rule objected to, and what became of it: the step-mutation intervention rate is
# mutated / all flagged. Blocked proposals first, then the steps policy considered (floor included).
flagged := array.concat(flagged_blocked, flagged_considered)

flagged_blocked := [{"actionId": proposed[i].id, "codes": sort({c.code | some c in codes} | {f.code | some f in steps.flags(proposed[i], severity)}), "disposition": "blocked"} |
	some i, codes in proposal.blocked
]

flagged_considered := [{"actionId": a.id, "codes": sort({f.code | some f in fs}), "disposition": dispositions[i]} |
	some i, a in proposal.combined
	fs := steps.flags(a, severity)
	count(fs) > 0
]

dispositions[i] := "blocked" if {
	some i, _ in proposal.combined
	outcome == "auto_reject"
}

dispositions[i] := "mutated" if {
	some i, _ in proposal.combined
	outcome != "auto_reject"
	mutation.rewrite[i]
}

dispositions[i] := "passed" if {
	some i, _ in proposal.combined
	outcome != "auto_reject"
	not mutation.rewrite[i]
}

# A set as an array in one order (by code, then message): wasm and opa iterate sets differently,
# and a verdict must be the same answer from both.
ordered(set) := [x |
	some key in sort([[x.code, x.message] | some x in set])
	some x in set
	[x.code, x.message] == key
]

verdict := {
	"outcome": outcome,
	"reasons": reasons,
	"allowedActions": allowed_actions,
	"rejectedActions": rejected_actions,
	"mutations": mutations,
	"flagged": flagged,
	"escalation": escalation,
	"evidence": {"weight": evidence.weight, "findings": ordered(evidence.findings)},
	"suppressions": suppression.ids,
}
