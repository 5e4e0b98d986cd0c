/**
 * Runs inside the coordinator's workflow sandbox (bundled with the workflows): deterministic, and
 * imports only the workflow SDK. It watches the agents' conversation as the workflow schedules
 * activities and reports, through sinks (never during replay), what only the coordinator can see:
 * each agent's signals for five-signal coverage, and how escalations were settled and how long
 * they waited. The workflow code itself does not change.
 */
import { proxySinks } from '@temporalio/workflow';
import type { ActivityInput, Next, Sinks, WorkflowInterceptorsFactory, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';

export type ObservedAgent = 'analysis' | 'review' | 'remediation' | 'notification';
export interface ObservedSignals {
  metrics: boolean;
  logs: boolean;
  traces: boolean;
  a2a: boolean;
  policy: boolean;
}
export type SettledOutcome = 'approve' | 'reject' | 'timeout';

export interface IncidentObserverSinks extends Sinks {
  incidentObserver: {
    agentSignals(agent: ObservedAgent, signals: ObservedSignals): void;
    escalationSettled(outcome: SettledOutcome, waitSeconds: number, traceId: string): void;
  };
}

const AGENT_OF: Record<string, ObservedAgent> = { analyse: 'analysis', review: 'review', authorizeDecision: 'review', remediate: 'remediation', notify: 'notification' };

interface Msg {
  messageId?: unknown;
  contextId?: unknown;
  role?: unknown;
  parts?: Array<{ data?: unknown }>;
  metadata?: { trace_id?: unknown; signals?: unknown };
}

const isMsg = (m: unknown): m is Msg => typeof m === 'object' && m !== null;
const dataOf = (m: Msg): Record<string, unknown> => {
  const d = m.parts?.[0]?.data;
  return typeof d === 'object' && d !== null ? (d as Record<string, unknown>) : {};
};

function envelopeOk(m: Msg): boolean {
  return typeof m.messageId === 'string' && typeof m.contextId === 'string' && (m.role === 'ROLE_USER' || m.role === 'ROLE_AGENT') && Array.isArray(m.parts) && m.parts.length > 0;
}

class IncidentObserver implements WorkflowOutboundCallsInterceptor {
  private readonly sinks = proxySinks<IncidentObserverSinks>().incidentObserver;
  private escalatedAt: number | null = null;
  private settled = false;
  private verdict: { outcome: string; policyVersion: string; allowedIds: Set<string> } | null = null;
  private pendingAnalysis: Omit<ObservedSignals, 'policy'> | null = null;

  async scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    const agent = AGENT_OF[input.activityType];
    const request = input.args[0];
    if (!agent || !isMsg(request)) return next(input);
    const body = dataOf(request);
    const traceId = typeof request.metadata?.trace_id === 'string' ? request.metadata.trace_id : '';
    if (input.activityType === 'notify') this.onNotice(body, traceId);
    const reply = await next(input);
    if (!isMsg(reply)) return reply;
    const answer = dataOf(reply);
    const self = Array.isArray(reply.metadata?.signals) ? (reply.metadata.signals as unknown[]) : [];
    const base = {
      metrics: self.includes('metrics'),
      logs: self.includes('logs'),
      traces: /^[0-9a-f]{32}$/.test(traceId) && reply.metadata?.trace_id === traceId,
      a2a: envelopeOk(request) && envelopeOk(reply) && reply.contextId === request.contextId,
    };
    switch (input.activityType) {
      case 'analyse':
        // Its policy signal is known once review has judged its proposals.
        this.pendingAnalysis = base;
        break;
      case 'review': {
        const policyVersion = typeof answer.policyVersion === 'string' ? answer.policyVersion : 'none';
        const allowed = Array.isArray(answer.allowedActions) ? answer.allowedActions : [];
        this.verdict = { outcome: String(answer.outcome), policyVersion, allowedIds: new Set(allowed.map((a) => String((a as { id?: unknown }).id))) };
        const decided = policyVersion !== 'none';
        this.sinks.agentSignals('review', { ...base, policy: decided });
        if (this.pendingAnalysis) this.sinks.agentSignals('analysis', { ...this.pendingAnalysis, policy: decided });
        this.pendingAnalysis = null;
        break;
      }
      case 'authorizeDecision': {
        this.sinks.agentSignals('review', { ...base, policy: typeof answer.policyVersion === 'string' && answer.policyVersion !== 'none' });
        const decision = (body.decision as { decision?: unknown } | undefined)?.decision;
        if (answer.allowed === true && (decision === 'approve' || decision === 'reject')) this.settle(decision, traceId);
        break;
      }
      case 'remediate': {
        const actions = Array.isArray(body.actions) ? body.actions : [];
        const v = this.verdict;
        this.sinks.agentSignals('remediation', { ...base, policy: v !== null && actions.every((a) => v.allowedIds.has(String((a as { id?: unknown }).id))) });
        break;
      }
      case 'notify':
        this.sinks.agentSignals('notification', { ...base, policy: this.verdict !== null && body.verdict === this.verdict.outcome });
        break;
    }
    return reply;
  }

  private onNotice(notice: Record<string, unknown>, traceId: string): void {
    if (notice.kind === 'escalation') this.escalatedAt = Date.now();
    if (notice.kind === 'escalation_expired') this.settle('timeout', traceId);
  }

  private settle(outcome: SettledOutcome, traceId: string): void {
    if (this.settled || this.escalatedAt === null) return;
    this.settled = true;
    this.sinks.escalationSettled(outcome, (Date.now() - this.escalatedAt) / 1000, traceId);
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ outbound: [new IncidentObserver()] });
