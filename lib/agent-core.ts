import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import type { AgentMessage, AgentName, SkillId, SkillRef } from '../contracts';
import { A2A_ROLES, agentMessage, AgentMessageEnvelopeSchema, FAILURE_TYPES, formatIssues } from '../contracts';
import type { Logger } from './logger';
import { count, DURATION_BUCKETS, incidentCounter, incidentHistogram, observe } from './metrics';
import { markUsed } from './metrics-compliance';

export type Transport = 'temporal' | 'a2a';
export type ActivityOutcome = 'ok' | 'invalid_input' | 'error';

/** Every agent's skill runs, counted here by `runSkill` on both faces; each agent process exports them for its own skills. */
const runtimeMetrics = {
  activities: incidentCounter(
    'vigil_agent_activities_total',
    'Agent skill runs, by agent, skill, transport (temporal activity or A2A) and outcome (ok, invalid_input, error).',
    ['agent', 'skill', 'transport', 'outcome'],
  ),
  activityDuration: incidentHistogram('vigil_agent_activity_duration_seconds', 'Time an agent skill took, by agent, skill and transport.', ['agent', 'skill', 'transport'], DURATION_BUCKETS),
};

export interface AgentContext {
  traceId: string;
  incidentId: string;
  /**
   * The request's own id: the same on every retry of one request (a Temporal activity's input is
   * fixed when it is scheduled; an A2A client resends its message), so it keys side effects a
   * receiver can deduplicate.
   */
  messageId: string;
  /** Carries agent, skill, trace_id and incident_id on every line the skill writes. */
  log: Logger;
}

/**
 * One agent skill, independent of transport: the Temporal activity and the A2A endpoint both
 * call `handle` through `runSkill`, so the two faces of an agent can never drift apart.
 */
export interface AgentSkill<I, O> {
  agent: AgentName;
  /** The skill's id in the agent table (contracts/agents.ts). */
  skill: SkillId;
  description: string;
  input: z.ZodType<I>;
  /** The reply's schema, published on the agent card; optional because the skill's type already binds it. */
  output?: z.ZodType<O>;
  handle(input: I, ctx: AgentContext): Promise<O>;
  /** The agent's business metrics for one successful run, on whichever face received it. */
  observe?(input: I, result: O, traceId: string): void;
}

/** A skill of `agent`, named as the agent table names it (contracts/agents.ts). */
export function defineSkill<I, O>(agent: AgentName, ref: SkillRef, body: Omit<AgentSkill<I, O>, 'agent' | 'skill'>): AgentSkill<I, O> {
  return { agent, skill: ref.skill, ...body };
}

/** Signals runSkill itself guarantees for every reply: a metric and a trace-joined log line. */
export const SELF_OBSERVED_SIGNALS = ['metrics', 'logs'] as const;

/** Thrown for input no retry can fix; Temporal will not retry it. */
export function invalidInput(message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type: FAILURE_TYPES.invalidInput, message, nonRetryable: true, cause: cause instanceof Error ? cause : undefined });
}

export function isInvalidInput(err: unknown): boolean {
  return err instanceof ApplicationFailure && err.type === FAILURE_TYPES.invalidInput;
}


/** The trace id of a message we could not validate, when it has a usable one (for the refusal's log line). */
function looseTraceId(message: unknown): string | undefined {
  const t = (message as { metadata?: { trace_id?: unknown } } | null)?.metadata?.trace_id;
  return typeof t === 'string' && /^[0-9a-f]{32}$/.test(t) ? t : undefined;
}

export interface RunOptions {
  /** Which face received the message; a label on the agent's metrics. */
  transport?: Transport;
}

/** Validates an A2A-shaped request, runs the skill, and wraps the result as the agent's reply. */
export async function runSkill<I, O>(skill: AgentSkill<I, O>, message: unknown, log: Logger, opts: RunOptions = {}): Promise<AgentMessage<O>> {
  const transport = opts.transport ?? 'temporal';
  const labels = { agent: skill.agent, skill: skill.skill, transport };
  const finish = (outcome: ActivityOutcome, traceId: string | undefined) => count(runtimeMetrics.activities(), { labels: { ...labels, outcome }, traceId });

  const envelope = AgentMessageEnvelopeSchema.safeParse(message);
  if (!envelope.success) {
    const reason = `${skill.agent}: malformed agent message: ${formatIssues(envelope.error)}`;
    const traceId = looseTraceId(message);
    log.warn({ agent: skill.agent, skill: skill.skill, trace_id: traceId ?? null, transport, reason }, 'refused malformed message');
    finish('invalid_input', traceId);
    throw invalidInput(reason);
  }
  const { contextId, metadata } = envelope.data;
  const ctx: AgentContext = {
    traceId: metadata.trace_id,
    incidentId: contextId,
    messageId: envelope.data.messageId,
    log: log.child({ agent: skill.agent, skill: skill.skill, trace_id: metadata.trace_id, incident_id: contextId, transport }),
  };
  const input = skill.input.safeParse(envelope.data.parts[0]?.data);
  if (!input.success) {
    const reason = `${skill.agent}/${skill.skill}: invalid input: ${formatIssues(input.error)}`;
    ctx.log.warn({ reason }, 'refused invalid input');
    finish('invalid_input', metadata.trace_id);
    throw invalidInput(reason);
  }
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  let result: O;
  try {
    result = await skill.handle(input.data, ctx);
  } catch (err) {
    const invalid = isInvalidInput(err);
    ctx.log[invalid ? 'warn' : 'error']({ err, seconds: seconds() }, `${skill.skill} failed`);
    finish(invalid ? 'invalid_input' : 'error', metadata.trace_id);
    throw err;
  }
  const took = seconds();
  finish('ok', metadata.trace_id);
  observe(runtimeMetrics.activityDuration(), { labels, value: took, traceId: metadata.trace_id });
  skill.observe?.(input.data, result, metadata.trace_id);
  markUsed(skill.agent, `skill:${skill.skill}`);
  ctx.log.info({ ms: took * 1000 }, `${skill.skill} done`);
  const reply = agentMessage({
    messageId: randomUUID(),
    contextId,
    role: A2A_ROLES.agent,
    traceId: metadata.trace_id,
    skill: skill.skill,
    from: skill.agent,
    data: result,
  });
  // The coordinator counts these toward five-signal coverage: both happened above, for this trace id.
  Object.assign(reply.metadata, { signals: [...SELF_OBSERVED_SIGNALS] });
  return reply;
}
