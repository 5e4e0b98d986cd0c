import { condition } from '@temporalio/workflow';
import type { Containment, Resolution } from '../../contracts';
import { historyFull } from './escalation';
import type { Incident } from './incident';

/**
 * After the incident settled without holding containment, it keeps watching its workload for the
 * gate's correlation window (`anomaly.watch`): idle time counted from the newest alert, bounded by
 * the window's maximum from the first. A novel alert in that time (a new rule, technique, a worse
 * priority, a protected target) is analysed and reviewed in this incident, so a harmless first
 * shell that auto-rejected escalates when the credential read arrives, and the chain stays one
 * incident with one thread of notices instead of a follow-up per step.
 */
export class Watch {
  private readonly idleMs: number;
  private readonly maxMs: number;

  constructor(private readonly incident: Incident) {
    const w = incident.state.anomaly.watch;
    this.idleMs = w?.idleMs ?? 0;
    this.maxMs = Math.max(w?.maxMs ?? 0, this.idleMs);
  }

  /**
   * Whether a settled round goes on to watch: only with a window from the gate (an incident
   * started by hand, or with the watch off, closes at once). Failed incidents have paged; one that
   * wrote containment has acted on the workload (its hold is its own wait, and what follows a
   * release opens a linked follow-up). A human's decision stands until new evidence arrives.
   */
  follows(resolution: Resolution, containment: Containment | null | undefined): boolean {
    return this.idleMs > 0 && resolution !== 'failed' && !containment;
  }

  /**
   * Waits until a novel alert is pending (true) or the window has closed (false). A burst of
   * repeats that fills the run's history also ends the watch: the incident closes, and what
   * follows opens a linked follow-up.
   */
  async next(): Promise<boolean> {
    if (this.idleMs <= 0) return false;
    const { state } = this.incident;
    const started = Date.parse(state.startedAt);
    for (;;) {
      if (this.incident.hasPending()) return true;
      const last = Date.parse(state.lastAlertAt ?? state.startedAt);
      const left = Math.min(last + this.idleMs, started + this.maxMs) - Date.now();
      if (left <= 0 || historyFull()) return false;
      const joined = state.joinedAlerts;
      await condition(() => this.incident.hasPending() || state.joinedAlerts !== joined || historyFull(), left);
    }
  }
}
