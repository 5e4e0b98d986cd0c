import { proxySinks } from '@temporalio/workflow';
import type { Sinks } from '@temporalio/workflow';
import type { AgentMessage, AgentName, Verdict } from '../../contracts';
import type { AuthorizeResult } from '../../activities/review';
import type { Notice } from '../../activities/notification';

export interface ObservedSignals {
  metrics: boolean;
  logs: boolean;
  traces: boolean;
  a2a: boolean;
  policy: boolean;
}
type Exchange = Omit<ObservedSignals, 'policy'>;
export type SettledOutcome = 'approve' | 'reject' | 'timeout';

/** Typed events the workflow reports to the coordinator process (workers/coordinator-sinks.ts); never called on replay. */
export interface IncidentObserverSinks extends Sinks {
  incidentObserver: {
    agentSignals(agent: AgentName, signals: ObservedSignals): void;
    escalationSettled(outcome: SettledOutcome, waitSeconds: number, traceId: string): void;
    /** A joined alert escalated the chain and the incident was analysed and reviewed again. */
    reanalysed(traceId: string): void;
    notificationUndelivered(kind: string, traceId: string): void;
  };
}

const TRACE_ID = /^[0-9a-f]{32}$/;

/** What one request/reply pair shows of the agent: its own metric and log, the trace, an A2A-shaped exchange. */
function exchangeSignals(request: AgentMessage<unknown>, reply: AgentMessage<unknown>): Exchange {
  const self = reply.metadata.signals ?? [];
  return {
    metrics: self.includes('metrics'),
    logs: self.includes('logs'),
    traces: TRACE_ID.test(request.metadata.trace_id) && reply.metadata.trace_id === request.metadata.trace_id,
    a2a: reply.contextId === request.contextId && reply.parts.length > 0 && request.parts.length > 0,
  };
}

/**
 * What only the coordinator can see: each agent's signals for five-signal coverage, and how an
 * escalation was settled and how long it waited.
 */
export class IncidentObserver {
  private readonly sinks = proxySinks<IncidentObserverSinks>().incidentObserver;
  private pendingAnalysis: Exchange | null = null;
  private settled = false;

  constructor(
    private readonly traceId: string,
    /** Workflow time the escalation began; carried over continue-as-new. */
    public escalatedAt: number | null = null,
  ) {}

  reanalysed(): void {
    this.sinks.reanalysed(this.traceId);
  }

  analysed(request: AgentMessage<unknown>, reply: AgentMessage<unknown>): void {
    // Its policy signal is known once review has judged its proposals.
    this.pendingAnalysis = exchangeSignals(request, reply);
  }

  reviewed(request: AgentMessage<unknown>, reply: AgentMessage<Verdict>): void {
    const policy = reply.parts[0].data.policyVersion !== 'none';
    this.sinks.agentSignals('review', { ...exchangeSignals(request, reply), policy });
    if (this.pendingAnalysis) this.sinks.agentSignals('analysis', { ...this.pendingAnalysis, policy });
    this.pendingAnalysis = null;
  }

  authorized(request: AgentMessage<unknown>, reply: AgentMessage<AuthorizeResult>): void {
    this.sinks.agentSignals('review', { ...exchangeSignals(request, reply), policy: reply.parts[0].data.policyVersion !== 'none' });
  }

  remediated(request: AgentMessage<{ actions: Array<{ id: string }> }>, reply: AgentMessage<unknown>, verdict: Verdict): void {
    const allowed = new Set(verdict.allowedActions.map((a) => a.id));
    this.sinks.agentSignals('remediation', { ...exchangeSignals(request, reply), policy: request.parts[0].data.actions.every((a) => allowed.has(a.id)) });
  }

  notified(request: AgentMessage<Notice>, reply: AgentMessage<unknown>, verdict: Verdict | null): void {
    this.sinks.agentSignals('notification', { ...exchangeSignals(request, reply), policy: verdict !== null && request.parts[0].data.verdict === verdict.outcome });
  }

  /** A notice that stayed undelivered after its retry budget: recorded in the outcome by Notices, counted here. */
  undelivered(kind: Notice['kind']): void {
    this.sinks.notificationUndelivered(kind, this.traceId);
  }

  escalated(): void {
    this.escalatedAt = Date.now();
  }

  settle(outcome: SettledOutcome): void {
    if (this.settled || this.escalatedAt === null) return;
    this.settled = true;
    this.sinks.escalationSettled(outcome, (Date.now() - this.escalatedAt) / 1000, this.traceId);
  }
}
