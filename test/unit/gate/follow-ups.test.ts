import type { Anomaly } from '../../../contracts';
import type { JoinResult } from '../../../lib/incidents';
import { FollowUps, MAX_FOLLOW_UPS } from '../../../gate/follow-ups';
import { followUpKeyFor, incidentIdFor } from '../../../lib/identity';
import { anomalyOf, evidentAlert } from '../../helpers/fixtures';

/** A Temporal stand-in: which correlation keys have a closed incident, which a running one. */
function temporal(closed: Set<string>) {
  const opened: Anomaly[] = [];
  const running = new Set<string>();
  const open = async (a: Anomaly): Promise<JoinResult> => {
    opened.push(a);
    const incidentId = incidentIdFor(a);
    if (closed.has(a.correlationKey)) return { incidentId, outcome: 'joined_closed' };
    if (running.has(a.correlationKey)) return { incidentId, outcome: 'joined' };
    running.add(a.correlationKey);
    return { incidentId, outcome: 'started' };
  };
  return { open, opened };
}

describe('gate follow-ups: an alert for a closed incident opens one linked follow-up', () => {
  it('derives follow-up keys that stay content-derived and bounded', () => {
    expect(followUpKeyFor('ns/Deployment/web@2026-12-01T00:00:00.000Z')).toBe('ns/Deployment/web@2026-12-01T00:00:00.000Z~followup1');
    expect(followUpKeyFor('k~followup1')).toBe('k~followup2');
    expect(followUpKeyFor('k~followup9')).toBe('k~followup10');
    expect(followUpKeyFor('x'.repeat(512)).length).toBeLessThanOrEqual(512);
  });

  it('opens the follow-up once, links it, and later alerts and redeliveries of the window join it', async () => {
    const first = anomalyOf(evidentAlert(), { key: 'w@t0' });
    const t = temporal(new Set(['w@t0']));
    const followUps = new FollowUps(t.open);
    const r1 = await followUps.openOrFollow(first);
    expect(r1).toEqual({ incidentId: incidentIdFor({ ...first, correlationKey: 'w@t0~followup1' }), outcome: 'follow_up', followUpOf: incidentIdFor(first) });
    const opened = t.opened.at(-1)!;
    expect(opened).toMatchObject({ correlationKey: 'w@t0~followup1', followUpOf: incidentIdFor(first) });
    // The gate remembers the closed window: the next alert goes straight to the follow-up, still linked.
    const r2 = await followUps.openOrFollow(anomalyOf(evidentAlert(), { key: 'w@t0' }));
    expect(r2).toMatchObject({ outcome: 'follow_up', incidentId: r1.incidentId, followUpOf: incidentIdFor(first) });
    expect(t.opened.at(-1)!.correlationKey).toBe('w@t0~followup1');
    // A gate that forgot (restart) finds the same follow-up by asking again.
    const fresh = new FollowUps(t.open);
    expect(await fresh.openOrFollow(first)).toMatchObject({ outcome: 'follow_up', incidentId: r1.incidentId });
  });

  it('passes through what is not closed, and stops after a bounded number of generations', async () => {
    const t = temporal(new Set());
    const a = anomalyOf(evidentAlert(), { key: 'open@t' });
    expect(await new FollowUps(t.open).openOrFollow(a)).toEqual({ incidentId: incidentIdFor(a), outcome: 'started' });
    let key = 'all@t';
    const closed = new Set<string>([key]);
    for (let i = 0; i < MAX_FOLLOW_UPS + 2; i++) closed.add((key = followUpKeyFor(key)));
    const capped = temporal(closed);
    const r = await new FollowUps(capped.open).openOrFollow(anomalyOf(evidentAlert(), { key: 'all@t' }));
    expect(r.outcome).toBe('joined_closed');
    expect(capped.opened).toHaveLength(MAX_FOLLOW_UPS + 1);
  });
});
