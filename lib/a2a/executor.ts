import { randomBytes, randomUUID } from 'node:crypto';
import { Message, TaskState } from '@a2a-js/sdk';
import { AgentEvent } from '@a2a-js/sdk/server';
import type { AgentExecutor, ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';
import { A2A_ROLES } from '../../contracts';
import { isInvalidInput, runSkill } from '../agent-core';
import type { Logger } from '../logger';
import type { AnySkill } from './card';
import type { SkillAdmission } from './skill-callers';

const TRACE_ID = /^[0-9a-f]{32}$/;

/** A caller without a W3C trace id starts a new trace, so its request still joins its own logs and metrics. */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

function pickSkill(skills: readonly AnySkill[], requested: unknown): AnySkill | string {
  if (typeof requested === 'string') {
    return skills.find((s) => s.skill === requested) ?? `unknown skill "${requested.slice(0, 64)}"; this agent serves ${skills.map((s) => s.skill).join(', ')}`;
  }
  if (skills.length === 1 && skills[0]) return skills[0];
  return `metadata.skill is required; this agent serves ${skills.map((s) => s.skill).join(', ')}`;
}

/**
 * The A2A face of an agent: `SendMessage` with one data part runs the same skill, through the same
 * `runSkill`, as the Temporal activity. A request that cannot be served becomes a task in REJECTED
 * state (bad input) or FAILED state (the skill failed), with the reason as the status message.
 */
export class SkillExecutor implements AgentExecutor {
  constructor(
    private readonly skills: readonly AnySkill[],
    private readonly log: Logger,
    private readonly admit: SkillAdmission = () => null,
  ) {}

  async execute(rc: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const json = Message.toJSON(rc.userMessage) as { messageId?: string; role?: string; parts?: unknown[]; metadata?: Record<string, unknown> };
    const meta = json.metadata ?? {};
    const skill = pickSkill(this.skills, meta.skill);
    const traceId = typeof meta.trace_id === 'string' && TRACE_ID.test(meta.trace_id) ? meta.trace_id : newTraceId();
    if (typeof skill === 'string') {
      this.log.warn({ trace_id: traceId, transport: 'a2a', reason: skill }, 'refused A2A request');
      return this.finish(rc, bus, TaskState.TASK_STATE_REJECTED, skill, traceId);
    }
    const caller = rc.context.user?.isAuthenticated ? rc.context.user.userName : undefined;
    const refused = this.admit(skill.skill, caller);
    if (refused) {
      this.log.warn({ trace_id: traceId, agent: skill.agent, skill: skill.skill, transport: 'a2a', a2a: { caller: caller ?? null }, reason: refused }, 'A2A caller refused for this skill');
      return this.finish(rc, bus, TaskState.TASK_STATE_REJECTED, `forbidden: ${refused}`, traceId);
    }
    const envelope = {
      messageId: json.messageId || randomUUID(),
      contextId: rc.contextId,
      role: json.role ?? A2A_ROLES.user,
      parts: json.parts ?? [],
      metadata: { ...meta, trace_id: traceId, skill: skill.skill, from: typeof meta.from === 'string' && meta.from ? meta.from : (caller ?? 'a2a-client'), caller: caller ?? null },
    };
    this.log.info({ trace_id: traceId, agent: skill.agent, skill: skill.skill, transport: 'a2a', a2a: { caller: caller ?? null, messageId: envelope.messageId, contextId: rc.contextId } }, 'A2A request');
    try {
      const reply = await runSkill(skill, envelope, this.log, { transport: 'a2a' });
      bus.publish(AgentEvent.message(Message.fromJSON({ ...reply, taskId: '' })));
      bus.finished();
    } catch (err) {
      const state = isInvalidInput(err) ? TaskState.TASK_STATE_REJECTED : TaskState.TASK_STATE_FAILED;
      this.finish(rc, bus, state, (err as Error).message, traceId);
    }
  }

  async cancelTask(): Promise<void> {
    // Skills run to completion in one call; there is nothing in flight to cancel.
  }

  private finish(rc: RequestContext, bus: ExecutionEventBus, state: TaskState, reason: string, traceId: string): void {
    const status = Message.fromJSON({
      messageId: randomUUID(),
      contextId: rc.contextId,
      taskId: rc.taskId,
      role: A2A_ROLES.agent,
      parts: [{ text: reason, mediaType: 'text/plain' }],
      metadata: { trace_id: traceId },
    });
    bus.publish(
      AgentEvent.task({
        id: rc.taskId,
        contextId: rc.contextId,
        status: { state, message: status, timestamp: new Date().toISOString() },
        artifacts: [],
        history: [rc.userMessage],
        metadata: { trace_id: traceId },
      }),
    );
    bus.finished();
  }
}
