import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { rocAuc, trainIsolationForest } from '../../gate/iforest';

/**
 * Parity with scikit-learn on the eight ADBench "Classical" sets: for every set, the mean ROC-AUC
 * of our forest (100 trees, ψ = 256) over 20 seeds must be within 0.02 of scikit-learn's
 * IsolationForest(n_estimators=100, max_samples=256) over 20 seeds, on the very same rows.
 * Twenty seeds keep the seed-to-seed spread of the mean (≈0.004 on the noisiest set, cardio)
 * well inside the tolerance, so a failure means a real difference in the algorithm.
 *
 * Needs scikit-learn: `bash scripts/setup.sh sklearn` (or VIGIL_PYTHON pointing at a python
 * that has it). Absent python or data fail the test with that instruction; they never skip it.
 */
const ROOT = resolve(__dirname, '../..');
const PYTHON = process.env['VIGIL_PYTHON'] ?? join(ROOT, '.tools/venv/bin/python');
const DATA_DIR = process.env['VIGIL_ADBENCH_DIR'] ?? join(__dirname, '..', '..', '..', 'shared', 'data', 'adbench');
const SEEDS = Array.from({ length: 20 }, (_, i) => i);
const TOLERANCE = 0.02;
// A guard against a hung child, not a speed limit: scikit-learn takes 60-70 s here when quiet, over 150 s at load 15.
const PYTHON_DEADLINE_MS = 420_000;

interface SklearnDataset {
  name: string;
  nRows: number;
  nFeatures: number;
  anomalies: number;
  X: string;
  y: string;
  sklearn: { seeds: number[]; aucs: number[]; meanAuc: number; seconds: number };
}

const dataFiles = existsSync(DATA_DIR) ? readdirSync(DATA_DIR).filter((f) => f.endsWith('.npz')).sort() : [];

describe('Isolation Forest parity with scikit-learn on ADBench', () => {
  let workDir: string | undefined;
  let child: ChildProcess | undefined;
  let sklearnVersion = '';
  const byName = new Map<string, SklearnDataset>();
  const summary: string[] = [];

  beforeAll(async () => {
    if (!isExecutable(PYTHON)) {
      throw new Error(`no python at ${PYTHON}: run \`bash scripts/setup.sh sklearn\` (installs scikit-learn into .tools/venv) or set VIGIL_PYTHON`);
    }
    if (dataFiles.length === 0) throw new Error(`no ADBench .npz files in ${DATA_DIR}; set VIGIL_ADBENCH_DIR`);
    workDir = mkdtempSync(join(tmpdir(), 'vigil-parity-'));
    const out = join(workDir, 'sklearn.json');
    await runPython(['parity', '--data-dir', DATA_DIR, '--out', out, '--seeds', SEEDS.join(',')], (c) => (child = c));
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { sklearnVersion: string; datasets: SklearnDataset[] };
    sklearnVersion = doc.sklearnVersion;
    for (const d of doc.datasets) byName.set(d.name, d);
  }, PYTHON_DEADLINE_MS + 10_000);

  afterAll(() => {
    // Only reached with a live child if beforeAll timed out: stop it by its pid.
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    if (summary.length > 0) console.log([`scikit-learn ${sklearnVersion}, ${SEEDS.length} seeds each`, ...summary].join('\n'));
  });

  it('covers every data set in the directory', () => {
    expect([...byName.keys()].sort()).toEqual(dataFiles);
  });

  it.each(dataFiles)('%s: mean AUC within 0.02 of scikit-learn', (name) => {
    const d = byName.get(name);
    if (d === undefined) throw new Error(`scikit-learn produced no result for ${name}`);
    const xBytes = Buffer.from(d.X, 'base64');
    const data = new Float64Array(xBytes.buffer.slice(xBytes.byteOffset, xBytes.byteOffset + xBytes.length));
    const labels = Buffer.from(d.y, 'base64');
    expect(data.length).toBe(d.nRows * d.nFeatures);

    const started = performance.now();
    const scores = new Float64Array(d.nRows);
    const aucs = SEEDS.map((seed) => {
      const model = trainIsolationForest({ data, nRows: d.nRows, nFeatures: d.nFeatures }, { seed, nTrees: 100, sampleSize: 256 });
      return rocAuc(model.scoreMatrix(data, scores), labels);
    });
    const ours = aucs.reduce((a, b) => a + b, 0) / aucs.length;
    const theirs = d.sklearn.meanAuc;
    summary.push(
      `${name.padEnd(20)} ${String(d.nRows).padStart(6)} x ${String(d.nFeatures).padEnd(3)} ours ${ours.toFixed(4)}  sklearn ${theirs.toFixed(4)}  ` +
        `diff ${(ours - theirs).toFixed(4)}  (ours ${((performance.now() - started) / 1000).toFixed(2)} s, sklearn ${d.sklearn.seconds.toFixed(2)} s)`,
    );
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(TOLERANCE);
  });
});

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs scripts/adbench_sklearn.py; rejects with its stderr on failure, kills it by pid at the deadline. */
function runPython(args: string[], onSpawn: (child: ChildProcess) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(PYTHON, [join(ROOT, 'scripts/adbench_sklearn.py'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    onSpawn(proc);
    let stderr = '';
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = setTimeout(() => {
      if (proc.pid !== undefined) process.kill(proc.pid, 'SIGKILL');
      reject(new Error(`adbench_sklearn.py did not finish within ${PYTHON_DEADLINE_MS / 1000} s`));
    }, PYTHON_DEADLINE_MS);
    proc.on('error', (err) => {
      clearTimeout(deadline);
      reject(new Error(`cannot start ${PYTHON}: ${err.message}`));
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (code === 0) resolvePromise();
      else reject(new Error(`adbench_sklearn.py failed (${signal ?? `exit ${code}`}):\n${stderr.trim()}`));
    });
  });
}
