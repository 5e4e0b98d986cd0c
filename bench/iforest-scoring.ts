/**
 * Isolation Forest scoring throughput, single-threaded, side by side on the same rows:
 * Vigil's flat scorer (wasm and JS kernels), ml-isolation-forest's own predict (the baseline),
 * the same ml trees converted to our layout, our object-tree reference walk, and scikit-learn's
 * score_samples (timed by scripts/adbench_sklearn.py in a child process on the same rows).
 * Every forest has 100 trees grown on ψ = 256 rows.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/iforest-scoring.js [--data file.npz] [--repeats 7] [--ml-rows 5000] [--ml-native 1]
 *
 * The baseline is ml-isolation-forest trained like ours, on ψ = 256 rows, so trees are the same
 * size. With --ml-native 1 (default) it is also trained the package's own way, every tree on all
 * rows (~10 s and ~300 MB for shuttle), and that predict is timed on 2,000 rows.
 *
 * Needs scikit-learn (`bash scripts/setup.sh sklearn`, or VIGIL_PYTHON). Results: docs/PERFORMANCE.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { fromRoot } from '../lib/paths';
import { growForest, referenceScore, rocAuc, trainIsolationForest } from '../gate/iforest';
import type { IsolationForestModel } from '../gate/iforest';
import { trainMlForest } from '../gate/iforest/ml-trainer';

interface BenchRows {
  name: string;
  nRows: number;
  nFeatures: number;
  X: string;
  y: string;
  sklearnVersion: string;
  seconds: number[];
  auc: number | null;
}

interface Measurement {
  scorer: string;
  rows: number;
  /** Sorted wall times of the timed repeats, in seconds. */
  seconds: number[];
  auc?: number;
}

const ROOT = findRoot(__dirname);
const args = parseArgs(process.argv.slice(2));
const DATA = args.get('data') ?? join(process.env['VIGIL_ADBENCH_DIR'] ?? fromRoot('..', 'shared', 'data', 'adbench'), '32_shuttle.npz');
const REPEATS = Number(args.get('repeats') ?? 7);
const ML_ROWS = Number(args.get('ml-rows') ?? 5000);
const ML_NATIVE = (args.get('ml-native') ?? '1') !== '0';
const PYTHON = process.env['VIGIL_PYTHON'] ?? join(ROOT, '.tools/venv/bin/python');

async function main(): Promise<void> {
  if (!existsSync(PYTHON)) throw new Error(`no python at ${PYTHON}: run \`bash scripts/setup.sh sklearn\` or set VIGIL_PYTHON`);
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  try {
    const out = join(work, 'rows.json');
    console.error(`scikit-learn: timing score_samples on ${DATA} ...`);
    await runPython(['bench', '--data', DATA, '--out', out, '--repeats', String(REPEATS)]);
    report(measure(JSON.parse(readFileSync(out, 'utf8')) as BenchRows));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function measure(bench: BenchRows): { bench: BenchRows; results: Measurement[] } {
  const xBytes = Buffer.from(bench.X, 'base64');
  const data = new Float64Array(xBytes.buffer.slice(xBytes.byteOffset, xBytes.byteOffset + xBytes.length));
  const labels = Buffer.from(bench.y, 'base64');
  const matrix = { data, nRows: bench.nRows, nFeatures: bench.nFeatures };
  const rows = Array.from({ length: bench.nRows }, (_, r) => Array.from(data.subarray(r * bench.nFeatures, (r + 1) * bench.nFeatures)));
  const mlRows = rows.slice(0, Math.min(ML_ROWS, rows.length));
  const out = new Float64Array(bench.nRows);
  const auc = (scores: ArrayLike<number>): number | undefined => safeAuc(scores, labels.subarray(0, scores.length));

  console.error('training: vigil and ml-isolation-forest, 100 trees, ψ = 256 ...');
  const options = { nTrees: 100, sampleSize: 256, seed: 0 };
  const wasm = trainIsolationForest(matrix, options);
  const js = trainIsolationForest(matrix, { ...options, scorer: { kernel: 'js' } });
  const ml = trainIsolationForest(matrix, { ...options, trainer: 'ml-isolation-forest' });
  const grown = growForest(matrix, options);
  const baseline = ml.baseline!;

  const results: Measurement[] = [];
  const time = (scorer: string, n: number, run: () => ArrayLike<number> | void, scored?: () => ArrayLike<number>): void => {
    run(); // warm-up: JIT tiers and the wasm tier-up happen here, not in the timed runs
    const seconds: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const started = process.hrtime.bigint();
      run();
      seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    seconds.sort((a, b) => a - b);
    const m: Measurement = { scorer, rows: n, seconds };
    const s = scored?.();
    const a = s === undefined ? undefined : auc(s);
    if (a !== undefined) m.auc = a;
    results.push(m);
    console.error(`  ${scorer}: ${fmt(n / seconds[0]!)} events/s`);
  };
  const single = (model: IsolationForestModel): (() => Float64Array) => () => {
    for (let r = 0; r < rows.length; r++) out[r] = model.score(rows[r]!);
    return out;
  };

  console.error('scoring ...');
  time('ml-isolation-forest predict (baseline)', mlRows.length, () => baseline.predict(mlRows), () => baseline.predict(rows));
  time('vigil flat, wasm kernel, scoreMatrix', bench.nRows, () => wasm.scoreMatrix(data, out), () => wasm.scoreMatrix(data));
  time('vigil flat, wasm kernel, scoreBatch(number[][])', bench.nRows, () => wasm.scoreBatch(rows, out));
  time('vigil flat, wasm kernel, score(row) one at a time', bench.nRows, single(wasm));
  time('vigil flat, JS kernel, scoreMatrix', bench.nRows, () => js.scoreMatrix(data, out), () => js.scoreMatrix(data));
  time('ml-isolation-forest trees in vigil flat layout (wasm)', bench.nRows, () => ml.scoreMatrix(data, out), () => ml.scoreMatrix(data));
  time('vigil object trees, recursive reference walk', mlRows.length, () => mlRows.map((row) => referenceScore(grown.trees, row)));
  if (ML_NATIVE) {
    console.error('training ml-isolation-forest on all rows, its native use ...');
    const native = trainMlForest(matrix, { nTrees: 100, sampleSize: bench.nRows, seed: 0 }).baseline;
    const few = rows.slice(0, 2000);
    time('ml-isolation-forest predict, trained on all rows (its default)', few.length, () => native.predict(few));
  }
  results.push({ scorer: `scikit-learn ${bench.sklearnVersion} score_samples (python child)`, rows: bench.nRows, seconds: bench.seconds, ...(bench.auc === null ? {} : { auc: bench.auc }) });
  return { bench, results };
}

function report({ bench, results }: { bench: BenchRows; results: Measurement[] }): void {
  const baseline = results[0]!;
  const baseRate = baseline.rows / baseline.seconds[0]!;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `Isolation Forest scoring — ${bench.name} (${bench.nRows} rows x ${bench.nFeatures} features), 100 trees, ψ = 256, one thread`,
    `Node ${process.version}, ${cpu}, ${cpus().length} cores; best of ${REPEATS} runs after a warm-up (median in brackets)`,
    '',
    '| scorer | rows timed | events/s (best) | events/s (median) | ns/event | vs ml-isolation-forest | ROC-AUC |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map((m) => {
      const best = m.rows / m.seconds[0]!;
      const median = m.rows / m.seconds[Math.floor(m.seconds.length / 2)]!;
      return `| ${m.scorer} | ${m.rows} | ${fmt(best)} | ${fmt(median)} | ${(1e9 / best).toFixed(0)} | ${(best / baseRate).toFixed(1)}× | ${m.auc === undefined ? '' : m.auc.toFixed(4)} |`;
    }),
  ];
  console.log(lines.join('\n'));
}

function safeAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | undefined {
  try {
    return rocAuc(scores, labels);
  } catch {
    return undefined; // a slice without both classes
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function runPython(pyArgs: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(PYTHON, [join(ROOT, 'scripts/adbench_sklearn.py'), ...pyArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
    const deadline = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      fail(new Error('adbench_sklearn.py bench took longer than 5 minutes'));
    }, 300_000);
    child.on('error', (err) => {
      clearTimeout(deadline);
      fail(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (code === 0) done();
      else fail(new Error(`adbench_sklearn.py bench failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** The repository root, whether this runs from bench/ or from dist/bench/. */
function findRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts/adbench_sklearn.py'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the repository root above ${start}`);
  }
}

function parseArgs(argv: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]!;
    if (!key.startsWith('--') || argv[i + 1] === undefined) throw new Error(`usage: iforest-scoring [--data file.npz] [--repeats n] [--ml-rows n] (bad argument ${key})`);
    map.set(key.slice(2), argv[++i]!);
  }
  return map;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
