import { ActivityFailure, log } from '@temporalio/workflow';
import type { Notice } from '../../activities/notification';
import type { AgentCalls } from './agents';
import type { DecisionDesk } from './decisions';
import type { Incident, Reviewed } from './incident';
import type { IncidentObserver } from './observer';

/** Telling people: the notice is built from the incident as it stands, and a failed delivery is recorded, not fatal. */
export class Notices {
  constructor(
    private readonly incident: Incident,
    private readonly desk: DecisionDesk,
    private readonly agents: AgentCalls,
    private readonly observer: IncidentObserver,
  ) {}

  private notice(kind: Notice['kind'], { analysis, verdict }: Reviewed): Notice {
    const s = this.incident.state;
    return {
      kind,
      incidentId: s.incidentId,
      traceId: s.traceId,
      severity: s.severity,
      asset: s.assetLabel,
      rule: s.anomaly.alert.rule,
      summary: analysis.summary,
      verdict: verdict.outcome,
      reasons: verdict.reasons,
      proposedActions: verdict.allowedActions,
      resolution: s.resolution,
      decidedBy: this.desk.accepted?.analyst ?? null,
      actionResults: s.actionResults,
      escalationDeadline: s.escalationDeadline,
      requiredRole: verdict.escalation?.requiredRole ?? null,
    };
  }

  /** The response already happened when a notice fails, so it must not fail the incident. */
  async tell(kind: Notice['kind'], reviewed: Reviewed, summary: string): Promise<void> {
    const sent = this.incident.state.notifications;
    try {
      const delivery = await this.agents.notify(this.notice(kind, reviewed), reviewed.verdict, summary);
      sent.push({ kind, channel: delivery.channel, delivered: delivery.delivered, at: new Date().toISOString() });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      sent.push({ kind, channel: 'unknown', delivered: false, at: new Date().toISOString() });
      this.observer.undelivered(kind);
      log.error('notification failed', { incidentId: this.incident.id, kind, error: err.message });
    }
  }
}
