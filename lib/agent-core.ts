import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import type { AgentMessage, AgentName } from '../contracts';
import { A2A_ROLES, agentMessage, AgentMessageEnvelopeSchema, FAILURE_TYPES } from '../contracts';
import type { Logger } from './logger';

export interface AgentContext {
  traceId: string;
  incidentId: string;
  log: Logger;
}

/**
 * One agent skill, independent of transport: the Temporal activity and the A2A endpoint both
 * call `handle`, so the two faces of an agent can never drift apart.
 */
export interface AgentSkill<I, O> {
  agent: AgentName;
  skill: string;
  description: string;
  input: z.ZodType<I>;
  handle(input: I, ctx: AgentContext): Promise<O>;
}

/** Thrown for input no retry can fix; Temporal will not retry it. */
export function invalidInput(message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type: FAILURE_TYPES.invalidInput, message, nonRetryable: true, cause: cause instanceof Error ? cause : undefined });
}

function describeZod(err: unknown): string {
  const issues = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
  if (!issues) return String(err);
  return issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates an A2A-shaped request, runs the skill, and wraps the result as the agent's reply. */
export async function runSkill<I, O>(skill: AgentSkill<I, O>, message: unknown, log: Logger): Promise<AgentMessage<O>> {
  const envelope = AgentMessageEnvelopeSchema.safeParse(message);
  if (!envelope.success) throw invalidInput(`${skill.agent}: malformed agent message: ${describeZod(envelope.error)}`);
  const { contextId, metadata } = envelope.data;
  const input = skill.input.safeParse(envelope.data.parts[0]?.data);
  if (!input.success) throw invalidInput(`${skill.agent}/${skill.skill}: invalid input: ${describeZod(input.error)}`);
  const ctx: AgentContext = {
    traceId: metadata.trace_id,
    incidentId: contextId,
    log: log.child({ agent: skill.agent, skill: skill.skill, trace_id: metadata.trace_id, incident_id: contextId }),
  };
  const started = process.hrtime.bigint();
  const result = await skill.handle(input.data, ctx);
  ctx.log.info({ ms: Number(process.hrtime.bigint() - started) / 1e6 }, `${skill.skill} done`);
  return agentMessage({
    messageId: randomUUID(),
    contextId,
    role: A2A_ROLES.agent,
    traceId: metadata.trace_id,
    skill: skill.skill,
    from: skill.agent,
    data: result,
  });
}
