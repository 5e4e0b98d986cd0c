import type { Anomaly } from '../contracts';
import type { JoinResult } from '../lib/incidents';
import { followUpKeyFor, incidentIdFor } from '../lib/identity';

/**
 * Follow-up generations per window. Each closed incident in a window opens the next one; past
 * this, an alert for a window whose incidents all closed is counted `joined_closed` and logged,
 * not opened (an attacker who keeps a workload noisy cannot mint incidents without bound).
 */
export const MAX_FOLLOW_UPS = 5;
/** Closed windows remembered, so later alerts of one go straight to their follow-up. */
const MAX_REMEMBERED = 10_000;

/**
 * An alert whose incident already closed opens a follow-up incident linked to it (`followUpOf`),
 * on a key derived from the closed one, so redeliveries of that alert and later alerts of the same
 * window find the same follow-up: nothing arriving after a close is dropped, and no follow-up is
 * opened twice.
 */
export class FollowUps {
  /** Closed correlation key → the key its follow-up opened under. */
  private readonly next = new Map<string, string>();

  constructor(private readonly open: (anomaly: Anomaly) => Promise<JoinResult>) {}

  async openOrFollow(anomaly: Anomaly): Promise<JoinResult> {
    let current = this.remembered(anomaly);
    let followUpOf: string | null = current.followUpOf ?? null;
    for (let generation = 0; ; generation++) {
      const result = await this.open(current);
      if (result.outcome !== 'joined_closed') return followUpOf ? { ...result, outcome: 'follow_up', followUpOf } : result;
      if (generation >= MAX_FOLLOW_UPS) return result;
      followUpOf = result.incidentId;
      const key = followUpKeyFor(current.correlationKey);
      this.remember(current.correlationKey, key);
      current = { ...current, correlationKey: key, followUpOf };
    }
  }

  /** The newest follow-up this process knows for the anomaly's window, or the anomaly itself. */
  private remembered(anomaly: Anomaly): Anomaly {
    let current = anomaly;
    for (let i = 0; i < MAX_FOLLOW_UPS; i++) {
      const key = this.next.get(current.correlationKey);
      if (!key) break;
      current = { ...current, correlationKey: key, followUpOf: incidentIdFor(current) };
    }
    return current;
  }

  private remember(closed: string, followUp: string): void {
    this.next.set(closed, followUp);
    if (this.next.size > MAX_REMEMBERED) this.next.delete(this.next.keys().next().value as string);
  }
}
