import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import type { IncidentState } from '../../contracts';
import { fromRoot } from '../../lib/paths';
import { runCommand, runVigil } from '../helpers/run-command';

/**
 * The README's first command, as a user runs it: `vigil demo` on its embedded default (dev
 * server, local API server seeded from the sample alerts, five workers, the replay through the
 * gate). An analyst's approval then makes remediation act on the demo cluster for real.
 */
const DEMO_TIMEOUT_MS = 420_000;

interface RunningDemo {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDemo(dataDir: string): RunningDemo {
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_DATA_DIR: dataDir, VIGIL_ANALYST_KEYS_DIR: join(dataDir, 'analysts') };
  // The embedded default: nothing external.
  for (const k of ['TEMPORAL_ADDRESS', 'KUBECONFIG', 'KAFKA_BROKERS', 'VIGIL_DEMO_DRY_RUN', 'VIGIL_MODEL_PATH']) delete env[k];
  const child = spawn(process.execPath, [fromRoot('bin', 'vigil.js'), 'demo', '--no-ui'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, context: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe('vigil demo (the quick start)', () => {
  let dataDir: string;
  let demo: RunningDemo | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
  });

  afterAll(async () => {
    if (demo && demo.child.exitCode === null) {
      demo.child.kill('SIGTERM');
      const stopped = await Promise.race([demo.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 60_000))]);
      if (!stopped) demo.child.kill('SIGKILL');
    }
    // The demo stops its cluster on SIGTERM; if it could not, the cluster's own PID files stop it.
    await runCommand('bash', [fromRoot('scripts', 'kube.sh'), 'stop', '--data', join(dataDir, 'kube')], { timeoutMs: 60_000 });
    rmSync(dataDir, { recursive: true, force: true });
  }, 180_000);

  it(
    'opens incidents from the sample alerts, and an approved one is contained on the demo cluster',
    async () => {
      demo = startDemo(dataDir);
      const d = demo;
      await until('the demo to be running', () => (d.output().includes('Vigil is running.') ? true : d.child.exitCode !== null ? Promise.reject(new Error(`demo exited ${d.child.exitCode}\n${d.output()}`)) : undefined), DEMO_TIMEOUT_MS, d.output);
      const out = d.output();
      expect(out).toContain('acting on this cluster');
      const address = /Temporal address: (\S+)/.exec(out)?.[1];
      const kubeconfig = /^KUBECONFIG=(\S+)$/m.exec(out)?.[1];
      expect(address).toBeDefined();
      expect(kubeconfig).toBeDefined();
      const filtered = /(\d+) of (\d+) valid alerts .* filtered out/.exec(out);
      expect(Number(filtered?.[1])).toBeGreaterThan(0);
      // The reverse shell in dev-team-b's catalog is plain evidence of compromise: policy contains it with nobody asked.
      const byItself = /^ {2}(\S+) +\S+ +auto_execute +contained +.* on dev-team-b\/catalog-/m.exec(out)?.[1];
      if (!byItself) throw new Error(`no incident contained without a human in the demo's list:\n${out}`);

      const env = { TEMPORAL_ADDRESS: address, VIGIL_ANALYST_KEYS_DIR: join(dataDir, 'analysts') };
      const pending = await runVigil(['pending', '--json'], { env });
      expect(pending.code).toBe(0);
      const waiting = JSON.parse(pending.stdout) as IncidentState[];
      expect(waiting.length).toBeGreaterThan(0);
      // A pod whose verdict plans the quarantine label: the approval must turn into that write.
      // (Not one that also terminates the pod: its ReplicaSet replaces it under a new name.)
      const planned = (s: IncidentState, actionner: string) => s.verdict?.allowedActions.some((a) => a.actionner === actionner) === true;
      const target = waiting.find((s) => s.asset.kind === 'pod' && planned(s, 'kubernetes:label') && !planned(s, 'kubernetes:terminate'));
      if (!target) throw new Error(`no waiting incident on a pod with a planned label:\n${pending.stdout}`);
      const namespace = target.asset.namespace ?? '';
      const pod = target.asset.pod ?? '';

      // Decisions are signed: alice (a senior analyst in the policy data) gets a development key, as the demo tells users to.
      // A copy of the data file takes the policy-data half, so the test writes nothing in the repository.
      const dataCopy = join(dataDir, 'data.json');
      copyFileSync(fromRoot('policies', 'data.json'), dataCopy);
      const added = await runVigil(['analyst', 'add', 'alice', '--role', 'analyst', 'senior', '--team', 'security', '--data', dataCopy, '--no-build'], { env });
      expect({ code: added.code, stderr: added.stderr }).toEqual({ code: 0, stderr: '' });
      const approved = await runVigil(['approve', target.incidentId, '--analyst', 'alice', '--reason', 'demo test: confirmed'], { env });
      expect({ code: approved.code, stderr: approved.stderr }).toEqual({ code: 0, stderr: expect.any(String) });

      const closed = await until(
        `${target.incidentId} to be contained`,
        async () => {
          const r = await runVigil(['show', target.incidentId, '--json'], { env });
          const s = r.code === 0 ? (JSON.parse(r.stdout) as IncidentState) : undefined;
          // Acting remediation holds the incident open as `contained` until an analyst reverts or confirms, or the TTL expires.
          return s?.status === 'contained' || s?.status === 'closed' ? s : undefined;
        },
        120_000,
        d.output,
      );
      expect(closed.actionResults.filter((r) => r.status === 'executed').map((r) => r.actionner)).toContain('kubernetes:label');

      // Ground truth is the API server, read with the admin credentials the demo printed.
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig as string);
      const live = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: pod, namespace });
      expect(live.metadata?.labels?.['vigil.dev/quarantine']).toBe('true');
      const contained = JSON.parse((await runVigil(['show', byItself, '--json'], { env })).stdout) as IncidentState;
      const quarantined = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: contained.asset.pod ?? '', namespace: contained.asset.namespace ?? '' });
      expect(quarantined.metadata?.labels?.['vigil.dev/quarantine']).toBe('true');
      // Every write the outcome records is on the API server (patched or applied objects exist).
      const objects = KubernetesObjectApi.makeApiClient(kc);
      const writes = closed.actionResults.filter((r) => r.status === 'executed').flatMap((r) => r.writes ?? []);
      expect(writes.length).toBeGreaterThan(0);
      for (const w of writes.filter((x) => x.verb !== 'delete')) {
        const obj = await objects.read({ apiVersion: w.ref.apiVersion, kind: w.ref.kind, metadata: { name: w.ref.name, ...(w.ref.namespace ? { namespace: w.ref.namespace } : {}) } });
        expect(obj.metadata?.name).toBe(w.ref.name);
      }

      // The analyst undoes it: the label and the NetworkPolicy are gone from the API server.
      const reverted = await runVigil(['revert', target.incidentId, '--analyst', 'alice', '--reason', 'demo test: cleaned up'], { env });
      expect({ code: reverted.code, stderr: reverted.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      const after = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: pod, namespace });
      expect(after.metadata?.labels?.['vigil.dev/quarantine']).toBeUndefined();
      for (const w of writes.filter((x) => x.verb === 'apply')) {
        await expect(objects.read({ apiVersion: w.ref.apiVersion, kind: w.ref.kind, metadata: { name: w.ref.name, ...(w.ref.namespace ? { namespace: w.ref.namespace } : {}) } })).rejects.toThrow();
      }

      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
      const status = await runCommand('bash', [fromRoot('scripts', 'kube.sh'), 'status', '--data', join(dataDir, 'kube')], { timeoutMs: 30_000 });
      expect(status.code).toBe(3);
    },
    DEMO_TIMEOUT_MS + 240_000,
  );
});
