import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import type { ActionResult, AgentMessage, RevertResult } from '../../contracts';
import { ActionResultSchema, AGENTS, AssetSchema, ProposedActionSchema, SEVERITIES, VerdictSchema } from '../../contracts';
import type { AgentSkill } from '../../lib/agent-core';
import { defineSkill, runSkill } from '../../lib/agent-core';
import type { Logger } from '../../lib/logger';
import { count } from '../../lib/metrics';
import { markUsed } from '../../lib/metrics-compliance';
import type { Verifier } from '../../lib/trust/signing';
import { DEFAULT_GUARDS } from './guards';
import { remediationMetrics } from './metrics';
import type { Journal, RunnerDeps } from './runner';
import { ApiUnreachableError, revertActions, runActions, TRANSIENT_FAILURE_CODES } from './runner';
import { AGENT_OPTIONS } from '../../workflows/incident/options';
import { requireMandate } from './verdict-check';

/** The actions to run, and the review agent's signed verdict and the incident's asset that mandate them. */
export const RemediateInputSchema = z.object({
  actions: z.array(ProposedActionSchema).max(32),
  verdict: VerdictSchema,
  asset: AssetSchema,
  /** The alert's own facts (pod, container id, node): pre-flight checks the live pod against them. */
  subject: AssetSchema.optional(),
});
export type RemediateInput = z.infer<typeof RemediateInputSchema>;

export const RevertInputSchema = z.object({
  results: z.array(ActionResultSchema).max(32),
  /** Who asked: an analyst (`vigil revert`) or the containment's policy time-to-live expiring. */
  trigger: z.enum(['analyst', 'ttl']),
  /** The analyst, or `policy-ttl`: recorded in the history with the request, for `vigil audit`. */
  by: z.string().min(1).max(128),
});
export type RevertInput = z.infer<typeof RevertInputSchema>;

export const TermsInputSchema = z.object({ severity: z.enum(SEVERITIES) });
export type TermsInput = z.infer<typeof TermsInputSchema>;
export interface ContainmentTerms {
  /** Seconds containment holds before it is reverted unless confirmed; null: until an analyst acts. */
  ttlSeconds: number | null;
  source: string;
}

export interface RemediationDeps extends RunnerDeps {
  log: Logger;
  /** The review agent's public key(s): nothing runs without a verdict they verify. */
  verdicts: Verifier;
}

const SKILLS = AGENTS.remediation.skills;

/**
 * Inside a Temporal activity that has attempts left: an API server that cannot be reached is then
 * retried with the agent's backoff (writes are idempotent, finished actions are skipped) instead of
 * ending the incident's containment as failed. The last attempt records the failure, which pages.
 */
function retriesLeft(): boolean {
  try {
    return Context.current().info.attempt < (AGENT_OPTIONS.remediation.retry?.maximumAttempts ?? 1);
  } catch {
    return false;
  }
}

/** A retryable failure for an API server that could not serve the request just now; its type says which kind (unreachable or 5xx, or an authorizer not ready). */
function unreachable(what: string, code: string, detail: string): ApplicationFailure {
  if (code === 'api_authorizer_cold') {
    return ApplicationFailure.create({ type: 'KubeApiAuthorizerCold', message: `${what}: the API server refused with 403 although the identity is allowed (${detail}); retrying`, nonRetryable: false });
  }
  return ApplicationFailure.create({ type: 'KubeApiUnreachable', message: `${what}: the API server is unreachable (${detail}); retrying`, nonRetryable: false });
}

/** Inside a Temporal activity, the heartbeat details of an earlier attempt; elsewhere (A2A) none. */
function activityJournal(): Journal | undefined {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return undefined;
  }
  const parsed = z.array(ActionResultSchema).safeParse(ctx.info.heartbeatDetails);
  return { done: parsed.success ? parsed.data : [], record: (results) => ctx.heartbeat([...results]) };
}

export function remediationSkill(deps: RemediationDeps): AgentSkill<RemediateInput, ActionResult[]> {
  return defineSkill('remediation', SKILLS.remediate, {
    description: 'Runs the allowed response actions through registered actionners: pre-flight against the live pod, exactly once per incident and action, every write recorded with the state it replaced (server dry-run aware).',
    input: RemediateInputSchema,
    handle: async ({ actions, verdict, asset, subject }, ctx) => {
      requireMandate(deps.verdicts, { incidentId: ctx.incidentId, asset, verdict, actions });
      const results = await runActions(actions, subject, ctx.incidentId, deps, activityJournal());
      const down = results.find((r) => r.status === 'failed' && r.code !== undefined && TRANSIENT_FAILURE_CODES.has(r.code));
      if (down && retriesLeft()) throw unreachable(`action ${down.actionId}`, down.code ?? '', down.message);
      for (const r of results) ctx.log.info({ action: { id: r.actionId, actionner: r.actionner, status: r.status, key: r.idempotencyKey, code: r.code } }, r.message);
      return results;
    },
    observe: (_input, results, traceId) => {
      for (const r of results) {
        count(remediationMetrics.actions(), { labels: { actionner: r.actionner, status: r.status }, traceId });
        if (r.status === 'executed' || r.status === 'dry_run') markUsed('remediation', `actionner:${r.actionner}`);
      }
    },
  });
}

/** Undoing containment is authorised by policy in the workflow, so it is an activity only, not an A2A skill. */
export function revertSkill(deps: RemediationDeps): AgentSkill<RevertInput, RevertResult[]> {
  return defineSkill('remediation', SKILLS.revert, {
    description: "Undoes an incident's containment in reverse order, reporting what was already reverted or changed by someone else.",
    input: RevertInputSchema,
    handle: async ({ results }, ctx) => {
      let reverts: RevertResult[];
      try {
        reverts = await revertActions(results, deps, { throwTransient: retriesLeft() });
      } catch (err) {
        if (err instanceof ApiUnreachableError) throw unreachable('revert', err.code, err.message);
        throw err;
      }
      for (const r of reverts) ctx.log.info({ revert: { id: r.actionId, actionner: r.actionner, outcome: r.outcome } }, r.message);
      return reverts;
    },
    observe: (input, reverts, traceId) => {
      for (const r of reverts) count(remediationMetrics.actionReverts(), { labels: { actionner: r.actionner, trigger: input.trigger, outcome: r.outcome }, traceId });
    },
  });
}

/** How long containment of this severity holds, from the same policy data the guards come from. */
export function termsSkill(deps: RemediationDeps): AgentSkill<TermsInput, ContainmentTerms> {
  return defineSkill('remediation', SKILLS.containmentTerms, {
    description: "The policy's time-to-live for containment of a severity (remediation.containment_ttl_seconds).",
    input: TermsInputSchema,
    handle: async ({ severity }) => {
      const guards = deps.guards ? deps.guards() : DEFAULT_GUARDS;
      return { ttlSeconds: guards.containmentTtlSeconds[severity] ?? null, source: guards.source };
    },
  });
}

export function createRemediationActivities(deps: RemediationDeps) {
  const remediate = remediationSkill(deps);
  const revert = revertSkill(deps);
  const terms = termsSkill(deps);
  return {
    [SKILLS.remediate.activity]: (message: AgentMessage<RemediateInput>): Promise<AgentMessage<ActionResult[]>> => runSkill(remediate, message, deps.log),
    [SKILLS.revert.activity]: (message: AgentMessage<RevertInput>): Promise<AgentMessage<RevertResult[]>> => runSkill(revert, message, deps.log),
    [SKILLS.containmentTerms.activity]: (message: AgentMessage<TermsInput>): Promise<AgentMessage<ContainmentTerms>> => runSkill(terms, message, deps.log),
  };
}
export type RemediationActivities = ReturnType<typeof createRemediationActivities>;
