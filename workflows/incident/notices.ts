import { ActivityFailure, log } from '@temporalio/workflow';
import type { Notice } from '../../activities/notification';
import type { AgentCalls } from './agents';
import type { DecisionDesk } from './decisions';
import type { Incident, Reviewed } from './incident';
import { quorumProgress } from '../../contracts';
import type { IncidentObserver } from './observer';

/** Telling people: the notice is built from the incident as it stands, and a failed delivery is recorded, not fatal. */
export class Notices {
  constructor(
    private readonly incident: Incident,
    private readonly desk: DecisionDesk,
    private readonly agents: AgentCalls,
    private readonly observer: IncidentObserver,
  ) {}

  private notice(kind: Notice['kind'], reviewed: Partial<Reviewed>): Notice {
    const s = this.incident.state;
    return {
      kind,
      incidentId: s.incidentId,
      traceId: s.traceId,
      severity: s.severity,
      asset: s.assetLabel,
      rule: s.anomaly.alert.rule,
      summary: reviewed.analysis?.summary ?? '(no analysis)',
      verdict: reviewed.verdict?.outcome ?? 'escalate',
      reasons: reviewed.verdict?.reasons ?? [],
      proposedActions: reviewed.verdict?.allowedActions ?? [],
      resolution: s.resolution,
      decidedBy: this.desk.decidedBy,
      actionResults: s.actionResults,
      escalationDeadline: s.escalationDeadline,
      requiredRole: reviewed.verdict?.escalation?.requiredRole ?? null,
      approvals: s.quorum ? quorumProgress(s.quorum) : null,
      failures: s.failures.slice(-20).map((f) => `${f.step}: ${f.message}`),
      followUpOf: s.followUpOf ?? null,
      chainAlerts: s.joinedAlerts + 1,
    };
  }

  /**
   * The response already happened when a notice fails (after the agent's retries), so it must not
   * fail the incident: it is recorded, and the outcome lists it as undelivered.
   */
  async tell(kind: Notice['kind'], reviewed: Partial<Reviewed>, summary: string): Promise<void> {
    const sent = this.incident.state.notifications;
    try {
      const delivery = await this.agents.notify(this.notice(kind, reviewed), reviewed.verdict ?? null, summary);
      sent.push({ kind, channel: delivery.channel, delivered: delivery.delivered, at: new Date().toISOString() });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      sent.push({ kind, channel: 'unknown', delivered: false, at: new Date().toISOString() });
      this.observer.undelivered(kind);
      log.error('notification failed', { incidentId: this.incident.id, kind, error: err.message });
    }
  }

  /** Pages about a failed incident: what failed, with whatever analysis and verdict there are. */
  async page(summary: string): Promise<void> {
    const s = this.incident.state;
    await this.tell('incident_failed', { ...(s.analysis ? { analysis: s.analysis } : {}), ...(s.verdict ? { verdict: s.verdict } : {}) }, summary);
  }
}
