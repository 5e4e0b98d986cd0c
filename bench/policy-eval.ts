/**
 * Verdict evaluation latency, side by side on the same inputs (the parity table: every verdict path):
 *   - in-process wasm on the caller's thread (`inline`, no deadline possible),
 *   - in-process wasm in a worker thread with a deadline (`thread`, what the review worker runs),
 *   - `opa eval` on the Rego source, one process per call (the baseline: what evaluating with the
 *     opa binary would cost without a server).
 * Both in-process modes go through the review agent's own `evaluateVerdict` (input digest, result
 * validation). Rounds interleave the modes so they share the machine's load. Prints p50/p99 per
 * evaluation and ratios, and the time to load a bundle (what a hot reload costs).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/policy-eval.js [--n 3000] [--opa-n 60]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundleFiles } from '../activities/review/bundle-files';
import type { PolicyBundle } from '../activities/review/policy-bundle';
import { instantiatePolicy } from '../activities/review/policy-bundle';
import { evaluateVerdict } from '../activities/review/verdict-engine';
import { fromRoot } from '../lib/paths';
import { toolPath } from '../lib/tools';
import { VERDICT_CASES } from '../test/helpers/policy-inputs';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1] ?? fallback) : fallback;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => (err ? reject(new Error(`${command} ${args.join(' ')}: ${stderr || err.message}`)) : resolve()));
  });
}

async function main(): Promise<void> {
  const n = arg('n', 3000);
  const opaN = arg('opa-n', 60);
  const opa = toolPath('opa', 'OPA_BIN');
  const src = fromRoot('policies');
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-policy-'));
  try {
    await run('bash', [fromRoot('scripts', 'build-policy.sh'), src, join(work, 'bundle')]);
    const inputFiles = VERDICT_CASES.map((c, i) => {
      const f = join(work, `input-${i}.json`);
      writeFileSync(f, JSON.stringify(c.input));
      return f;
    });

    // A hot reload reads, checks and instantiates a bundle: time that too (thread mode includes spawning the thread).
    const loads: Record<'inline' | 'thread', number[]> = { inline: [], thread: [] };
    const bundles: Partial<Record<'inline' | 'thread', PolicyBundle>> = {};
    for (let i = 0; i < 10; i++) {
      for (const isolation of ['inline', 'thread'] as const) {
        const t0 = process.hrtime.bigint();
        const b = await instantiatePolicy(await readBundleFiles(join(work, 'bundle')), { isolation, timeoutMs: 2000 });
        loads[isolation].push(ms(t0));
        bundles[isolation]?.retire();
        bundles[isolation] = b;
      }
    }
    const inline = bundles.inline as PolicyBundle;
    const thread = bundles.thread as PolicyBundle;

    const times: Record<'inline' | 'thread' | 'opa eval', number[]> = { inline: [], thread: [], 'opa eval': [] };
    const timeOne = async (mode: 'inline' | 'thread', i: number) => {
      const input = VERDICT_CASES[i % VERDICT_CASES.length]!.input;
      const t0 = process.hrtime.bigint();
      const v = await evaluateVerdict(mode === 'inline' ? inline : thread, input);
      times[mode].push(ms(t0));
      if (v.reasons[0]?.code === 'policy_error') throw new Error(`${mode}: ${v.reasons[0].message}`);
    };
    for (let i = 0; i < 200; i++) {
      await timeOne('inline', i);
      await timeOne('thread', i);
    }
    times.inline.length = 0;
    times.thread.length = 0;

    const rounds = opaN;
    const perRound = Math.ceil(n / rounds);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < perRound; k++) {
        await timeOne('inline', r * perRound + k);
        await timeOne('thread', r * perRound + k);
      }
      const t0 = process.hrtime.bigint();
      await run(opa, ['eval', '--v1-compatible', '--format', 'json', '-d', join(src, 'vigil'), '-d', join(src, 'data.json'), '-i', inputFiles[r % inputFiles.length]!, 'data.vigil.review.verdict']);
      times['opa eval'].push(ms(t0));
    }
    inline.retire();
    thread.retire();

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const p = (xs: number[]) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) });
    const base = p(times['opa eval']);
    console.log(`Node ${process.version}, ${cpu}, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}; ${VERDICT_CASES.length} inputs (every verdict path)`);
    console.log('| mode | evaluations | p50 | p99 | opa eval p50 ÷ this p50 | opa eval p99 ÷ this p99 |');
    console.log('|---|---|---|---|---|---|');
    for (const [mode, xs] of Object.entries(times)) {
      const q = p(xs);
      console.log(`| ${mode} | ${xs.length} | ${q.p50.toFixed(3)} ms | ${q.p99.toFixed(3)} ms | ${(base.p50 / q.p50).toFixed(0)}x | ${(base.p99 / q.p99).toFixed(0)}x |`);
    }
    const ti = p(times.inline);
    const tt = p(times.thread);
    console.log(`\nthread ÷ inline: p50 ${(tt.p50 / ti.p50).toFixed(2)}x, p99 ${(tt.p99 / ti.p99).toFixed(2)}x (the cost of a stoppable deadline)`);
    console.log(`bundle load (read + check + instantiate), p50 of 10: inline ${quantile(loads.inline, 0.5).toFixed(1)} ms, thread ${quantile(loads.thread, 0.5).toFixed(1)} ms`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
