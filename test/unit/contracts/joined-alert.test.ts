import type { Anomaly } from '../../../contracts';
import { ChainSummary, joinedAlertFacts, joinedAlertOf, techniquesOf } from '../../../contracts';
import { anomalyOf, evidentAlert } from '../../helpers/fixtures';

describe('joined alerts: what an incident keeps of a later alert', () => {
  it('keeps the timeline facts, clipped, and the whole alert only when asked', () => {
    const a = anomalyOf(evidentAlert());
    const j = joinedAlertOf(a);
    expect(j).toMatchObject({ rule: a.alert.rule, priority: a.alert.priority, time: a.alert.time, techniques: ['mitre_execution', 'T1059'] });
    expect(j.anomaly).toBeUndefined();
    expect(joinedAlertOf(a, { withAnomaly: true }).anomaly).toBe(a);
    const long: Anomaly = { ...a, alert: { ...a.alert, output_fields: { ...a.alert.output_fields, 'proc.name': 'x'.repeat(500) } } };
    expect(joinedAlertOf(long).process).toHaveLength(120);
  });

  it('takes only MITRE tags as techniques', () => {
    expect(techniquesOf({ ...evidentAlert(), tags: ['container', 'T1059.004', 'mitre_discovery', 'T10', '<b>'] })).toEqual(['T1059.004', 'mitre_discovery']);
  });

  it('refuses malformed facts (the alert still counts; it is only left off the timeline)', () => {
    const j = joinedAlertOf(anomalyOf(evidentAlert()));
    expect(joinedAlertFacts(j)).not.toBeNull();
    expect(joinedAlertFacts({ ...j, priority: 'Apocalyptic' })).toBeNull();
    expect(joinedAlertFacts({ ...j, techniques: Array.from({ length: 50 }, () => 'T1059') })).toBeNull();
    expect(joinedAlertFacts({ ...j, __proto__: { rule: 'x' }, rule: undefined })).toBeNull();
  });

  it('a chain is escalated by a new rule, a new technique or a more severe priority, not by repeats', () => {
    const chain = new ChainSummary();
    const shell = { rule: 'Terminal shell in container', priority: 'Notice' as const, techniques: ['T1059'] };
    expect(chain.add(shell)).toBe(true);
    expect(chain.adds(shell)).toBe(false);
    expect(chain.add(shell)).toBe(false);
    expect(chain.add({ ...shell, priority: 'Informational' })).toBe(false);
    expect(chain.adds({ ...shell, priority: 'Critical' })).toBe(true);
    expect(chain.add({ ...shell, priority: 'Critical' })).toBe(true);
    expect(chain.add({ ...shell, priority: 'Warning' })).toBe(false);
    expect(chain.add({ ...shell, techniques: ['T1059', 'T1552'] })).toBe(true);
    expect(chain.add({ ...shell, rule: 'Read sensitive file untrusted' })).toBe(true);
  });
});
