import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { bundleVersion } from '../../activities/review/bundle-files';
import { PolicyHolder } from '../../activities/review/policy-holder';
import type { VerdictInput } from '../../activities/review/verdict-engine';
import { evaluateVerdict } from '../../activities/review/verdict-engine';
import type { IncidentOutcome, Verdict } from '../../contracts';
import { startIncident } from '../../lib/incidents';
import { stateQuery } from '../../workflows/definitions';
import type { DevStack } from '../helpers/dev-stack';
import { startDevStack } from '../helpers/dev-stack';
import { anomalyOf, byRule, evidentAlert, exampleAlert } from '../helpers/fixtures';
import { buildBundle, POLICY_SRC, policySourceWith, publishLikeConfigMap } from '../helpers/policy-bundles';
import { VERDICT_CASES } from '../helpers/policy-inputs';

/**
 * Hot reload under load: verdicts keep flowing while the bundle directory is swapped the way a
 * ConfigMap mount is (new files in a hidden dir, `..data` symlink renamed over), first to a stricter
 * policy, then to a broken one that must be refused while the last good policy stays in force.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('policy hot reload under load', () => {
  let work: string;
  let v1: { dir: string; version: string };
  let v2: { dir: string; version: string };
  let broken: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'vigil-reload-'));
    const build = async (name: string, src: string) => ({ dir: join(work, name), version: await buildBundle(src, join(work, name)) });
    v1 = await build('v1', POLICY_SRC);
    // v2: low severity becomes notify-only, so the same low-severity input flips from auto_execute to auto_reject.
    v2 = await build('v2', policySourceWith((c) => (c.notify_only_severities = ['info', 'low'])));
    // A bundle whose files agree with its manifest but whose wasm is cut short: it fails to instantiate.
    broken = join(work, 'broken');
    publishLikeConfigMap(broken, v2.dir);
    const wasm = readFileSync(join(v2.dir, 'policy.wasm')).subarray(0, 1000);
    writeFileSync(join(broken, 'policy.wasm'), wasm);
    const version = bundleVersion(wasm, readFileSync(join(broken, 'data.json')));
    writeFileSync(join(broken, 'manifest.json'), JSON.stringify({ version, entrypoints: ['vigil/review/verdict', 'vigil/decision/result'] }));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('in process: every verdict comes from one whole bundle, none fails, each loop moves forward only', async () => {
    const mount = join(work, 'mount-a');
    publishLikeConfigMap(mount, v1.dir);
    const logged: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
    const holder = new PolicyHolder(mount, log);
    expect(await holder.reload()).toBe(true);
    holder.watch(20);
    const input = VERDICT_CASES.find((c) => c.name === 'auto_execute: label at low')?.input as VerdictInput;
    const expected: Record<string, Verdict['outcome']> = { [v1.version]: 'auto_execute', [v2.version]: 'auto_reject' };
    const seen: Array<Array<{ version: string; outcome: string; codes: string[] }>> = [[], [], [], []];
    let stop = false;
    const loops = seen.map(async (log) => {
      while (!stop) {
        const v = await evaluateVerdict(holder.current(), input);
        log.push({ version: v.policyVersion, outcome: v.outcome, codes: v.reasons.map((r) => r.code) });
      }
    });
    const count = () => seen.reduce((n, l) => n + l.length, 0);
    const countOf = (version: string) => seen.reduce((n, l) => n + l.filter((x) => x.version === version).length, 0);
    try {
      await until('verdicts under v1', () => countOf(v1.version) >= 200);
      publishLikeConfigMap(mount, v2.dir);
      await until('verdicts under v2', () => countOf(v2.version) >= 200);
      publishLikeConfigMap(mount, broken);
      await until('the broken bundle refused', () => logged.some((l) => l.includes('policy bundle failed to load')));
      const afterBroken = count();
      await until('more verdicts after the broken bundle', () => count() >= afterBroken + 200);
    } finally {
      stop = true;
      await Promise.all(loops);
      holder.close();
    }
    const all = seen.flat();
    expect(all.filter((x) => x.codes.includes('policy_error'))).toEqual([]);
    for (const x of all) expect(x.outcome).toBe(expected[x.version]);
    for (const log of seen) {
      const firstV2 = log.findIndex((x) => x.version === v2.version);
      expect(firstV2).toBeGreaterThan(0);
      expect(log.slice(firstV2).every((x) => x.version === v2.version)).toBe(true);
    }
    expect(holder.current()?.version).toBe(v2.version);
  });

  describe('the review worker process on a mounted bundle', () => {
    let stack: DevStack;
    const mount = () => join(work, 'mount-b');
    beforeAll(async () => {
      publishLikeConfigMap(mount(), v1.dir);
      stack = await startDevStack({ VIGIL_POLICY_DIR: mount() });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('keeps reviewing incidents while the bundle is swapped, then refuses a broken bundle and keeps the last good one', async () => {
      // A low-severity reverse shell: executes under v1, notify-only under v2.
      const lowShell = evidentAlert;
      const incidents: Array<Promise<{ outcome: IncidentOutcome; version: string }>> = [];
      const open = async () => {
        const { incidentId } = await startIncident(stack.client, anomalyOf(lowShell()));
        const handle = stack.client.workflow.getHandle(incidentId);
        incidents.push(handle.result().then(async (outcome: IncidentOutcome) => ({ outcome, version: (await handle.query(stateQuery)).verdict?.policyVersion ?? '?' })));
      };
      const versionsSoFar = async () => new Set((await Promise.all(incidents)).map((i) => i.version));

      for (let i = 0; i < 5; i++) await open();
      expect(await versionsSoFar()).toEqual(new Set([v1.version]));
      publishLikeConfigMap(mount(), v2.dir);
      // Incidents keep arriving while the worker notices the swap (it polls the manifest every second).
      await until('a verdict under v2', async () => {
        await open();
        return (await versionsSoFar()).has(v2.version);
      });
      const reviewLog = join(stack.logDir, 'review.log');
      publishLikeConfigMap(mount(), broken);
      await until('the review worker refusing the broken bundle', () => readFileSync(reviewLog, 'utf8').includes('policy bundle failed to load'));
      for (let i = 0; i < 3; i++) await open();

      const done = await Promise.all(incidents);
      const expected: Record<string, IncidentOutcome['resolution']> = { [v1.version]: 'executed', [v2.version]: 'rejected' };
      for (const d of done) expect(d.outcome.resolution).toBe(expected[d.version]);
      expect(done.slice(-3).every((d) => d.version === v2.version)).toBe(true);
    });
  });
});
