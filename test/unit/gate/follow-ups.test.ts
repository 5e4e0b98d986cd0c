import type { Anomaly } from '../../../contracts';
import { joinedAlertOf } from '../../../contracts';
import type { JoinResult } from '../../../lib/incidents';
import { FollowUps, MAX_FOLLOW_UPS } from '../../../gate/follow-ups';
import { followUpKeyFor, incidentIdFor } from '../../../lib/identity';
import { anomalyOf, evidentAlert } from '../../helpers/fixtures';

/** A Temporal stand-in: which correlation keys have a closed incident (and the alerts it held), which a running one. */
function temporal(closed: Map<string, string[]>) {
  const opened: Anomaly[] = [];
  const running = new Map<string, string[]>();
  const open = async (a: Anomaly): Promise<JoinResult> => {
    opened.push(a);
    const incidentId = incidentIdFor(a);
    if (closed.has(a.correlationKey)) return { incidentId, outcome: 'joined_closed' };
    const id = joinedAlertOf(a).id;
    const held = running.get(a.correlationKey);
    if (held) {
      held.push(id);
      return { incidentId, outcome: 'joined' };
    }
    running.set(a.correlationKey, [id]);
    return { incidentId, outcome: 'started' };
  };
  const byId = () => new Map([...closed].map(([k, ids]) => [incidentIdFor({ alert: evidentAlert(), correlationKey: k }), ids]));
  const holds = async (incidentId: string, a: Anomaly) => byId().get(incidentId)?.includes(joinedAlertOf(a).id) ?? false;
  return { deps: { open, holds }, opened, running };
}

let n = 0;
const alertOn = (key: string) => ({ ...anomalyOf(evidentAlert(), { key }), fingerprint: (++n).toString(16).padStart(64, '0') });

describe('gate follow-ups: an alert for a closed incident opens one linked follow-up', () => {
  it('derives follow-up keys that stay content-derived and bounded', () => {
    expect(followUpKeyFor('ns/Deployment/web@2026-12-01T00:00:00.000Z')).toBe('ns/Deployment/web@2026-12-01T00:00:00.000Z~followup1');
    expect(followUpKeyFor('k~followup1')).toBe('k~followup2');
    expect(followUpKeyFor('k~followup9')).toBe('k~followup10');
    expect(followUpKeyFor('x'.repeat(512)).length).toBeLessThanOrEqual(512);
  });

  it('opens the follow-up once and links it; later alerts and redeliveries of the window join it', async () => {
    const first = alertOn('w@t0');
    const t = temporal(new Map([['w@t0', [joinedAlertOf(first).id]]]));
    const followUps = new FollowUps(t.deps);
    const late = alertOn('w@t0');
    const r1 = await followUps.openOrFollow(late);
    expect(r1).toEqual({ incidentId: incidentIdFor({ ...late, correlationKey: 'w@t0~followup1' }), outcome: 'follow_up', followUpOf: incidentIdFor(first) });
    expect(t.opened.at(-1)).toMatchObject({ correlationKey: 'w@t0~followup1', followUpOf: incidentIdFor(first) });
    const r2 = await followUps.openOrFollow(alertOn('w@t0'));
    expect(r2).toMatchObject({ outcome: 'follow_up', incidentId: r1.incidentId, followUpOf: incidentIdFor(first) });
    // A redelivery of the late alert (another gate, after a restart) joins the same follow-up.
    expect(await new FollowUps(t.deps).openOrFollow(late)).toMatchObject({ outcome: 'follow_up', incidentId: r1.incidentId });
    expect(t.running.get('w@t0~followup1')).toHaveLength(3);
  });

  it('a redelivery of an alert the closed incident already had opens nothing', async () => {
    const first = alertOn('r@t0');
    const t = temporal(new Map([['r@t0', [joinedAlertOf(first).id]]]));
    expect(await new FollowUps(t.deps).openOrFollow(first)).toEqual({ incidentId: incidentIdFor(first), outcome: 'joined_closed' });
    expect(t.running.size).toBe(0);
  });

  it('passes through what is not closed, and stops after a bounded number of generations', async () => {
    const t = temporal(new Map());
    const a = alertOn('open@t');
    expect(await new FollowUps(t.deps).openOrFollow(a)).toEqual({ incidentId: incidentIdFor(a), outcome: 'started' });
    let key = 'all@t';
    const closed = new Map<string, string[]>([[key, []]]);
    for (let i = 0; i < MAX_FOLLOW_UPS + 2; i++) closed.set((key = followUpKeyFor(key)), []);
    const capped = temporal(closed);
    const r = await new FollowUps(capped.deps).openOrFollow(alertOn('all@t'));
    expect(r.outcome).toBe('joined_closed');
    expect(capped.opened).toHaveLength(MAX_FOLLOW_UPS + 1);
  });
});
