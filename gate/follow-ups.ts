import type { Anomaly } from '../contracts';
import type { JoinResult } from '../lib/incidents';
import { followUpKeyFor } from '../lib/identity';
import type { IncidentOpener } from './gate';

/**
 * Follow-up generations per window. Each closed incident in a window opens the next one; past
 * this, an alert for a window whose incidents all closed is counted `joined_closed` and logged,
 * not opened (an attacker who keeps a workload noisy cannot mint incidents without bound).
 */
export const MAX_FOLLOW_UPS = 5;

/**
 * An alert whose incident already closed opens a follow-up incident linked to it (`followUpOf`),
 * on a key derived from the closed one, so later alerts of the same window, and redeliveries of
 * this one, find the same follow-up: nothing arriving after a close is dropped, nothing is
 * opened twice, and an alert the closed incident already had stays with it.
 */
export class FollowUps {
  constructor(private readonly deps: IncidentOpener) {}

  async openOrFollow(anomaly: Anomaly): Promise<JoinResult> {
    let current = anomaly;
    let followUpOf: string | null = null;
    for (let generation = 0; ; generation++) {
      const result = await this.deps.open(current);
      if (result.outcome !== 'joined_closed') return followUpOf ? { ...result, outcome: 'follow_up', followUpOf } : result;
      if (generation >= MAX_FOLLOW_UPS) return result;
      if (this.deps.holds && (await this.deps.holds(result.incidentId, current))) return result;
      followUpOf = result.incidentId;
      current = { ...current, correlationKey: followUpKeyFor(current.correlationKey), followUpOf };
    }
  }
}
