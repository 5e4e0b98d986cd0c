import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { GateCore, packEvents } from '../../gate/core';
import { loadGateModel } from '../../gate/model/gate-model';
import { readGateSettings } from '../../gate/policy-settings';
import type { DevServer } from '../../lib/devstack/dev-server';
import { startDevServer } from '../../lib/devstack/dev-server';
import { incidentHolds, openOrJoinIncident } from '../../lib/incidents';
import type { Anomaly } from '../../contracts';
import { incidentIdFor } from '../../lib/identity';
import type { WorkerStack } from '../../lib/devstack/stack';
import { startWorkers } from '../../lib/devstack/stack';
import { connectClient } from '../../lib/temporal-client';
import { temporalConfigFromEnv } from '../../lib/temporal-config';
import { alertsQuery, stateQuery } from '../../workflows/definitions';
import { FollowUps } from '../../gate/follow-ups';
import { originOf, signingOpener } from '../../lib/trust/anomaly-signature';
import { testGateSigner, testGateVerifier } from '../helpers/trust';
import { anomalyOf, exampleAlert, ROOT } from '../helpers/fixtures';
import { runVigil } from '../helpers/run-command';
import { BACKGROUND, jsonl, REPLAY } from '../unit/gate/helpers';

/** `vigil train` and `vigil gate --input` as a user runs them, against a real dev server and coordinator process. */
describe('vigil train and vigil gate on a JSONL file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-gate-file-'));
  const modelPath = join(dir, 'model.json');
  const policyDir = join(ROOT, 'policies', 'build');
  let server: DevServer | undefined;
  let workers: WorkerStack | undefined;
  let client: Client | undefined;

  beforeAll(async () => {
    server = await startDevServer({ uiPort: null, logFile: join(dir, 'temporal.log') });
    workers = await startWorkers({ temporalAddress: server.address, logDir: dir, names: ['coordinator'] });
    client = await connectClient(temporalConfigFromEnv({ TEMPORAL_ADDRESS: server.address }));
  }, 180_000);

  afterAll(async () => {
    await client?.connection.close().catch(() => undefined);
    await workers?.stop();
    await server?.stop();
  }, 60_000);

  const vigil = (...args: string[]) =>
    runVigil(args, { env: { TEMPORAL_ADDRESS: server!.address, VIGIL_LOG_LEVEL: 'warn' }, timeoutMs: 120_000 });

  it('trains a model from a JSONL file, and says what is wrong with bad arguments', async () => {
    const ok = await vigil('train', '--input', BACKGROUND, '--out', modelPath, '--policy-dir', policyDir, '--seed', '3');
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toContain(`trained vigil forest (100 trees, ψ=256, seed 3) on ${jsonl(BACKGROUND).length} alerts`);
    expect(loadGateModel(modelPath).forest.info.seed).toBe(3);

    const missing = await vigil('train', '--input', join(dir, 'absent.jsonl'), '--out', join(dir, 'x.json'), '--policy-dir', policyDir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
    const both = await vigil('train', '--input', BACKGROUND, '--kafka', '--out', join(dir, 'x.json'));
    expect(both.stderr).toContain('exactly one of --input');
    const badTrainer = await vigil('train', '--input', BACKGROUND, '--trainer', 'forest', '--out', join(dir, 'x.json'), '--policy-dir', policyDir);
    expect(badTrainer.stderr).toContain('--trainer must be one of vigil, ml-isolation-forest');
  }, 120_000);

  it('opens one incident per correlated anomaly, dead-letters bad lines, and a replay opens nothing new', async () => {
    const dlq = join(dir, 'replay.dlq.jsonl');
    const run = () => vigil('gate', '--input', REPLAY, '--model', modelPath, '--dlq-file', dlq, '--policy-dir', policyDir, '--ops-port', '0');
    const lines = jsonl(REPLAY);

    // What the gate must decide: the same core over the same file, in the same order.
    const settings = readGateSettings(policyDir);
    const core = new GateCore({ model: loadGateModel(modelPath), settings, maxEventBytes: 1 << 20, correlationWindowMs: 600_000 });
    const expected = core.process(packEvents(lines.map((l) => Buffer.from(l)))).anomalies.map((a) => a.anomaly);
    const incidents = new Map<string, Set<string>>();
    for (const a of expected) incidents.set(incidentIdFor(a), (incidents.get(incidentIdFor(a)) ?? new Set()).add(a.fingerprint!));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(lines.length / 10);

    const first = await run();
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(
      `${lines.length} event(s): 2 dead-lettered, ${lines.length - 2} scored, ${expected.length} anomalous (${incidents.size} incident(s) opened, ${expected.length - incidents.size} alert(s) joined an open one)`,
    );
    expect(first.stdout).toContain(`${lines.length - 2 - expected.length} benign alert(s) filtered out`);
    const letters = readFileSync(dlq, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; reason: string; source: { line: number }; value: string });
    expect(letters.map((d) => [d.kind, d.source.line, d.value])).toEqual([
      ['not_json', lines.length - 1, lines[lines.length - 2]],
      ['invalid_alert', lines.length, lines[lines.length - 1]],
    ]);

    for (const [id, fingerprints] of incidents) {
      const held = await client!.workflow.getHandle(id).query(alertsQuery);
      expect({ id, alerts: [...held.alertIds].sort() }).toEqual({ id, alerts: [...fingerprints].sort() });
    }

    const again = await run();
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain(`0 incident(s) opened, ${expected.length} alert(s) joined an open one`);
    for (const [id, fingerprints] of incidents) {
      expect((await client!.workflow.getHandle(id).query(alertsQuery)).joinedAlerts).toBe(fingerprints.size - 1);
    }
  }, 180_000);

  it('tells started, joined and joined-to-closed apart, and never counts an alert twice', async () => {
    const alert = exampleAlert((a) => a.rule === 'Terminal shell in container' && a.priority === 'Critical');
    const key = `gate-file-it/${Date.now()}`;
    const a1 = { ...anomalyOf(alert, { key }), fingerprint: 'a'.repeat(64) };
    const a2 = { ...anomalyOf(alert, { key }), fingerprint: 'b'.repeat(64) };
    expect(await openOrJoinIncident(client!, a1)).toEqual({ incidentId: incidentIdFor(a1), outcome: 'started' });
    expect((await openOrJoinIncident(client!, a1)).outcome).toBe('joined');
    expect((await openOrJoinIncident(client!, a2)).outcome).toBe('joined');
    const handle = client!.workflow.getHandle(incidentIdFor(a1));
    const held = await handle.query(alertsQuery);
    expect(held).toEqual({ alertIds: ['a'.repeat(64), 'b'.repeat(64)], joinedAlerts: 1, untracked: 0 });
    await handle.terminate('test: close the incident');
    expect(await openOrJoinIncident(client!, a2)).toEqual({ incidentId: incidentIdFor(a2), outcome: 'joined_closed' });

    // Through the gate's hand-over, the late alert is not dropped: it opens one follow-up, signed and linked.
    const opener = signingOpener({ open: (a: Anomaly) => openOrJoinIncident(client!, a), holds: (id: string, a: Anomaly) => incidentHolds(client!, id, a) }, testGateSigner());
    const followUps = new FollowUps(opener);
    // A redelivery of an alert the closed incident had is not news: no follow-up.
    expect(await followUps.openOrFollow(a2)).toEqual({ incidentId: incidentIdFor(a2), outcome: 'joined_closed' });
    const a3 = { ...anomalyOf(alert, { key }), fingerprint: 'd'.repeat(64) };
    const late = await followUps.openOrFollow(a3);
    expect(late).toMatchObject({ outcome: 'follow_up', followUpOf: incidentIdFor(a1) });
    expect(late.incidentId).not.toBe(incidentIdFor(a1));
    const again = await followUps.openOrFollow({ ...a3, fingerprint: 'c'.repeat(64) });
    expect(again).toMatchObject({ outcome: 'follow_up', incidentId: late.incidentId });
    const followUp = client!.workflow.getHandle(late.incidentId);
    expect(await followUp.query(alertsQuery)).toMatchObject({ joinedAlerts: 1 });
    const state = await followUp.query(stateQuery);
    expect(state.followUpOf).toBe(incidentIdFor(a1));
    expect(originOf(testGateVerifier(), late.incidentId, state.anomaly)).toEqual({ trusted: true });
    expect(await (await followUp.describe()).staticDetails()).toContain(`Follow-up of:** ${incidentIdFor(a1)}`);
    await followUp.terminate('test done');
  }, 60_000);
});
