import type { Anomaly } from '../../../contracts';
import { ChainSummary, joinedAlertFacts, joinedAlertOf, techniquesOf, touchesOf } from '../../../contracts';
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

  it('names the protected targets an alert reaches, and a chain reaching a new one is escalated whatever its rule', () => {
    const shell = evidentAlert();
    const withFields = (fields: Record<string, string>) => ({ ...shell, output_fields: { ...shell.output_fields, 'proc.cmdline': 'sh', 'fd.name': '', 'fd.rip': '', ...fields } });
    expect(touchesOf(shell)).toEqual(['outside_address']);
    expect(touchesOf(withFields({ 'fd.name': '/var/run/secrets/kubernetes.io/serviceaccount/token' }))).toEqual(['credentials']);
    expect(touchesOf(withFields({ 'fd.name': '/usr/bin/kubelet-helper' }))).toEqual(['system']);
    expect(touchesOf(withFields({ 'fd.name': '10.244.1.2:4000->10.96.0.1:443' }))).toEqual([]);
    expect(joinedAlertOf(anomalyOf(withFields({ 'fd.name': '/root/.ssh/id_rsa' }))).touches).toEqual(['credentials']);

    const chain = new ChainSummary();
    const read = { rule: 'Terminal shell in container', priority: 'Notice' as const };
    expect(chain.add(read)).toBe(true);
    expect(chain.adds({ ...read, touches: ['credentials'] })).toBe(true);
    expect(chain.add({ ...read, touches: ['credentials'] })).toBe(true);
    expect(chain.add({ ...read, touches: ['credentials'] })).toBe(false);
    expect(chain.add({ ...read, touches: ['credentials', 'outside_address'] })).toBe(true);
  });
});
