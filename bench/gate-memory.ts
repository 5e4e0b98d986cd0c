/**
 * The gate's memory at steady state with many distinct pods in its feature windows. Each
 * configuration runs in a fresh child process (so one cannot inherit another's heap); in it, the
 * gate's scoring core (what the gate's scoring thread holds: model, rarity tables, windows) takes
 * alerts from N distinct pods, then RSS and heap are read after a full GC. The baseline is the
 * same child with the model loaded and no pods; the figure to read is the difference.
 *
 *   npm run build && node dist/bench/gate-memory.js [--pods 100000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FalcoAlertSchema } from '../contracts';
import { GateCore, packEvents } from '../gate/core';
import { loadGateModel, saveGateModel } from '../gate/model/gate-model';
import { trainGateModel } from '../gate/model/train';
import { readGateSettings } from '../gate/policy-settings';
import { fromRoot } from '../lib/paths';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1] ?? fallback) : fallback;
}

interface Sample {
  pods: number;
  maxSubjects: number;
  held: number;
  rssMiB: number;
  heapMiB: number;
}

const MiB = 1024 * 1024;
/** Held here so the collector cannot free the core before it is measured. */
const alive: unknown[] = [];

/** In the child: feed `pods` distinct pods (two alerts each, two rules), then measure. */
function child(modelPath: string, pods: number, maxSubjects: number): Sample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the child with --expose-gc');
  const settings = readGateSettings(fromRoot('policies', 'build'));
  const core = new GateCore({ model: loadGateModel(modelPath), settings, maxEventBytes: 1 << 20, correlationWindowMs: 600_000, extractor: { windows: { maxSubjects } } });
  alive.push(core);
  const template = JSON.parse(readFileSync(fromRoot('examples', 'gate-background.jsonl'), 'utf8').split('\n').find((l) => l.includes('"k8s.pod.name"'))!) as {
    rule: string;
    time: string;
    output_fields: Record<string, unknown>;
  };
  const start = Date.parse('2026-11-20T00:00:00Z');
  let held = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < pods; i += 1000) {
      const batch: Buffer[] = [];
      for (let k = i; k < Math.min(pods, i + 1000); k++) {
        const alert = {
          ...template,
          rule: pass === 0 ? template.rule : 'Read sensitive file untrusted',
          time: new Date(start + k * 10 + pass * 60_000).toISOString(),
          output_fields: { ...template.output_fields, 'k8s.ns.name': `ns-${k % 500}`, 'k8s.pod.name': `pod-${k}`, 'container.id': k.toString(16).padStart(12, '0') },
        };
        batch.push(Buffer.from(JSON.stringify(alert)));
      }
      held = core.process(packEvents(batch)).windowSubjects;
    }
  }
  gc();
  gc();
  const m = process.memoryUsage();
  return { pods, maxSubjects, held, rssMiB: m.rss / MiB, heapMiB: m.heapUsed / MiB };
}

function main(): void {
  if (process.argv.includes('--child')) {
    const s = child(process.argv[process.argv.indexOf('--model') + 1]!, arg('pods', 0), arg('max-subjects', 100_000));
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const pods = arg('pods', 100_000);
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-mem-'));
  const modelPath = join(work, 'model.json');
  const background = readFileSync(fromRoot('examples', 'gate-background.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => FalcoAlertSchema.parse(JSON.parse(l)));
  saveGateModel(trainGateModel(background, { criticalNamespaces: readGateSettings(fromRoot('policies', 'build')).criticalNamespaces }), modelPath);
  const run = (n: number, maxSubjects: number): Sample =>
    JSON.parse(execFileSync(process.execPath, ['--expose-gc', __filename, '--child', '--model', modelPath, '--pods', String(n), '--max-subjects', String(maxSubjects)], { encoding: 'utf8' })) as Sample;

  // Windows sized so `pods` all fit (the bound is an upper limit; see BoundedMap), then the
  // default bound under three times as many pods, to show it holds.
  const rows: Array<[string, Sample]> = [
    ['baseline: model loaded, no pods', run(0, 2 * pods)],
    [`${pods} distinct pods, all held`, run(pods, 2 * pods)],
    [`${3 * pods} distinct pods, bound ${pods} (default)`, run(3 * pods, pods)],
  ];
  const base = rows[0]![1];
  console.log(`Node ${process.version}; each row a fresh process, after a full GC`);
  console.log('| run | pods seen | pods held in windows | RSS MiB | heap MiB | RSS over baseline |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, s] of rows) {
    console.log(`| ${name} | ${s.pods} | ${s.held} | ${s.rssMiB.toFixed(1)} | ${s.heapMiB.toFixed(1)} | ${(s.rssMiB - base.rssMiB).toFixed(1)} MiB (${(s.rssMiB / base.rssMiB).toFixed(2)}x) |`);
  }
  const perPod = ((rows[1]![1].heapMiB - base.heapMiB) * MiB) / Math.max(1, rows[1]![1].held);
  console.log(`heap per pod held: ~${perPod.toFixed(0)} bytes`);
}

main();
