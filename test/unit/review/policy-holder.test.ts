import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'prom-client';
import { PolicyHolder } from '../../../activities/review/policy-holder';
import type { VerdictInput } from '../../../activities/review/verdict-engine';
import { evaluateVerdict } from '../../../activities/review/verdict-engine';
import { createLogger } from '../../../lib/logger';
import { buildBundle, builtBundleDir, policySourceWith, publishLikeConfigMap } from '../../helpers/policy-bundles';

const log = createLogger('test', 'silent');

/** The same label step at confidence 0.7: auto_execute under the project data, escalate when min_confidence is 0.9. */
const input: VerdictInput = {
  incident: { id: 'i', severity: 'low', asset: { kind: 'pod', namespace: 'default', pod: 'p' } },
  // A reverse shell to an outside address: evidence enough for the label to run unattended.
  alert: { rule: 'r', priority: 'Notice', source: 'syscall', tags: [], fields: { 'proc.name': 'sh', 'fd.rip': '203.0.113.50' } },
  anomaly: { score: 1 },
  analysis: {
    severity: 'low',
    technique: null,
    confidence: 0.7,
    summary: 's',
    actions: [{ id: 'l', actionner: 'kubernetes:label', target: { namespace: 'default', pod: 'p' }, params: { labels: { 'vigil.dev/quarantine': 'true' } }, blastRadius: { scope: 'pod', pods: 1 }, rationale: '' }],
    analyser: { kind: 'deterministic', version: 't' },
  },
};

let strictDir: string;
let strictVersion: string;
beforeAll(async () => {
  strictDir = mkdtempSync(join(tmpdir(), 'vigil-strict-'));
  strictVersion = await buildBundle(policySourceWith((c) => (c.min_confidence = 0.9)), strictDir);
});

describe('policy holder', () => {
  let holder: PolicyHolder;
  afterEach(() => holder?.close());

  it('swaps to a new bundle published like a ConfigMap, and keeps it when a broken one follows', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'vigil-mount-'));
    publishLikeConfigMap(mount, builtBundleDir());
    holder = new PolicyHolder(mount, log);
    expect(await holder.reload()).toBe(true);
    const first = holder.current()!;
    expect((await evaluateVerdict(first, input)).outcome).toBe('auto_execute');

    publishLikeConfigMap(mount, strictDir);
    expect(await holder.reload()).toBe(true);
    expect(holder.current()?.version).toBe(strictVersion);
    expect(await evaluateVerdict(holder.current(), input)).toMatchObject({ outcome: 'escalate', policyVersion: strictVersion });
    expect(await register.getSingleMetricAsString('vigil_policy_bundle_info')).toContain(`version="${strictVersion}"`);

    const broken = mkdtempSync(join(tmpdir(), 'vigil-broken-'));
    publishLikeConfigMap(broken, strictDir);
    writeFileSync(join(broken, 'data.json'), '{"vigil": {"config": {}}}');
    publishLikeConfigMap(mount, broken);
    expect(await holder.reload()).toBe(false);
    expect(holder.current()?.version).toBe(strictVersion);
  });

  it('lets an evaluation started on the old bundle finish on it', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'vigil-mount-'));
    publishLikeConfigMap(mount, builtBundleDir());
    holder = new PolicyHolder(mount, log);
    await holder.reload();
    const old = holder.current();
    const inFlight = Array.from({ length: 20 }, () => evaluateVerdict(old, input));
    publishLikeConfigMap(mount, strictDir);
    await holder.reload();
    const verdicts = await Promise.all(inFlight);
    expect(new Set(verdicts.map((v) => `${v.outcome}@${v.policyVersion}`))).toEqual(new Set([`auto_execute@${old?.version}`]));
  });

  it('notices a new bundle on its own by polling the manifest', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'vigil-mount-'));
    publishLikeConfigMap(mount, builtBundleDir());
    holder = new PolicyHolder(mount, log);
    await holder.reload();
    holder.watch(20);
    publishLikeConfigMap(mount, strictDir);
    const deadline = Date.now() + 30_000;
    while (holder.current()?.version !== strictVersion && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(holder.current()?.version).toBe(strictVersion);
  });

  it('reports a missing directory as a failed load, not a crash', async () => {
    holder = new PolicyHolder(join(tmpdir(), 'vigil-no-such-dir'), log);
    expect(await holder.reload()).toBe(false);
    expect(holder.current()).toBeNull();
  });
});
