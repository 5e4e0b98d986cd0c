import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundleFiles } from '../../../activities/review/bundle-files';
import type { PolicyBundle } from '../../../activities/review/policy-bundle';
import { instantiatePolicy } from '../../../activities/review/policy-bundle';
import { PolicyTimeoutError } from '../../../activities/review/threaded-policy';
import { evaluateVerdict } from '../../../activities/review/verdict-engine';
import { buildBundle, POLICY_SRC } from '../../helpers/policy-bundles';

/**
 * A real wasm policy that never answers in time (`mode: loop`) or asks for more memory than it may
 * have (`mode: alloc`), built from fixtures/runaway with the project's build script.
 */
const VERDICT = 'vigil/review/verdict';
let dir: string;
beforeAll(async () => {
  const src = mkdtempSync(join(tmpdir(), 'vigil-runaway-src-'));
  cpSync(join(__dirname, 'fixtures', 'runaway'), src, { recursive: true });
  cpSync(join(POLICY_SRC, 'data.json'), join(src, 'data.json'));
  dir = mkdtempSync(join(tmpdir(), 'vigil-runaway-'));
  await buildBundle(src, dir);
});

const bundles: PolicyBundle[] = [];
async function load(limits: Parameters<typeof instantiatePolicy>[1]) {
  const b = await instantiatePolicy(await readBundleFiles(dir), limits);
  bundles.push(b);
  return b;
}
afterEach(() => {
  for (const b of bundles.splice(0)) b.retire();
});

describe('threaded policy evaluation', () => {
  it('answers like the policy does', async () => {
    const b = await load({ isolation: 'thread', timeoutMs: 5000 });
    await expect(b.evaluate(VERDICT, { mode: 'alloc', n: 100 })).resolves.toBe(100);
    await expect(b.evaluate(VERDICT, { mode: 'none' })).resolves.toBeUndefined();
  });

  it('stops an evaluation past its deadline, then serves the requests queued behind it on a fresh thread', async () => {
    const b = await load({ isolation: 'thread', timeoutMs: 150 });
    // n=2000 is ~8e9 loop steps: minutes of wasm, if nothing stopped it.
    const stuck = b.evaluate(VERDICT, { mode: 'loop', n: 2000 });
    const queued = [b.evaluate(VERDICT, { mode: 'alloc', n: 1 }), b.evaluate(VERDICT, { mode: 'alloc', n: 2 })];
    await expect(stuck).rejects.toBeInstanceOf(PolicyTimeoutError);
    await expect(Promise.all(queued)).resolves.toEqual([1, 2]);
    await expect(b.evaluate(VERDICT, { mode: 'alloc', n: 3 })).resolves.toBe(3);
  });

  it('turns a timeout into an escalate verdict with policy_error', async () => {
    const b = await load({ isolation: 'thread', timeoutMs: 100 });
    const failures: string[] = [];
    // A verdict input that also switches the runaway fixture into its endless loop.
    const v = await evaluateVerdict(
      b,
      {
        incident: { id: 'i', severity: 'low', asset: { kind: 'pod', namespace: 'default', pod: 'p' } },
        alert: { rule: 'r', priority: 'Notice', source: 'syscall', tags: [] },
        anomaly: { score: 1 },
        analysis: { severity: 'low', technique: null, confidence: 1, summary: 's', actions: [], analyser: { kind: 'deterministic', version: 't' } },
        mode: 'loop',
        n: 2000,
      } as never,
      { onFailure: (_e, kind) => failures.push(kind) },
    );
    // This bundle has no step mutation to ask, so the escalation says an approval would run nothing.
    expect(v).toMatchObject({ outcome: 'escalate', reasons: [{ code: 'policy_error', message: 'policy evaluation timed out after 100 ms' }, { code: 'no_steps' }], allowedActions: [] });
    expect(failures).toEqual(['timeout']);
  });

  it.each(['thread', 'inline'] as const)('caps wasm memory (%s): a runaway allocation fails that evaluation only', async (isolation) => {
    const b = await load({ isolation, timeoutMs: 10_000, maxMemoryPages: 64 });
    await expect(b.evaluate(VERDICT, { mode: 'alloc', n: 5_000_000 })).rejects.toThrow(/opa_malloc/);
    await expect(b.evaluate(VERDICT, { mode: 'alloc', n: 10 })).resolves.toBe(10);
  });

  it('finishes evaluations in flight when retired, and still answers if asked again', async () => {
    const b = await load({ isolation: 'thread', timeoutMs: 5000 });
    const inFlight = b.evaluate(VERDICT, { mode: 'loop', n: 150 });
    b.retire();
    await expect(inFlight).resolves.toBeUndefined();
    await expect(b.evaluate(VERDICT, { mode: 'alloc', n: 7 })).resolves.toBe(7);
  });

  it('fails to load a wasm file that is not a policy', async () => {
    const files = await readBundleFiles(dir);
    await expect(instantiatePolicy({ ...files, wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 42]) }, { isolation: 'thread' })).rejects.toThrow(/failed to load/);
    await expect(instantiatePolicy({ ...files, wasm: new Uint8Array([1, 2, 3]) }, { isolation: 'inline' })).rejects.toThrow();
  });
});
