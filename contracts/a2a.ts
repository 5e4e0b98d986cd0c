import { z } from 'zod';

/**
 * The A2A v1.0 message shape (JSON form) that crosses Temporal between the coordinator and the
 * agents, so the workflow history reads as the agents' conversation and the same payload can be
 * sent to an agent's A2A endpoint. One data part carries the typed body; metadata carries trace_id.
 */
export const A2A_ROLES = { user: 'ROLE_USER', agent: 'ROLE_AGENT' } as const;
export type A2ARole = (typeof A2A_ROLES)[keyof typeof A2A_ROLES];

export interface AgentMessage<T> {
  messageId: string;
  /** The incident id: every message about one incident shares this context. */
  contextId: string;
  role: A2ARole;
  parts: [{ data: T; mediaType: 'application/json' }];
  /** `signals`: what the replying agent observed itself (runSkill sets it), for five-signal coverage. */
  metadata: { trace_id: string; skill: string; from: string; signals?: readonly string[] };
}

export const AgentMessageEnvelopeSchema = z.object({
  messageId: z.string().min(1),
  contextId: z.string().min(1),
  role: z.enum([A2A_ROLES.user, A2A_ROLES.agent]),
  parts: z.array(z.object({ data: z.unknown(), mediaType: z.string().optional() })).min(1),
  metadata: z.object({ trace_id: z.string().min(1), skill: z.string().min(1), from: z.string().min(1) }).loose(),
});

export function agentMessage<T>(opts: {
  messageId: string;
  contextId: string;
  role: A2ARole;
  traceId: string;
  skill: string;
  from: string;
  data: T;
}): AgentMessage<T> {
  return {
    messageId: opts.messageId,
    contextId: opts.contextId,
    role: opts.role,
    parts: [{ data: opts.data, mediaType: 'application/json' }],
    metadata: { trace_id: opts.traceId, skill: opts.skill, from: opts.from },
  };
}

/** Validates the envelope and the body; throws a ZodError naming the bad field. */
export function bodyOf<T>(message: unknown, body: z.ZodType<T>): { envelope: AgentMessage<unknown>; data: T } {
  const envelope = AgentMessageEnvelopeSchema.parse(message) as AgentMessage<unknown>;
  return { envelope, data: body.parse(envelope.parts[0].data) };
}
