/**
 * Where the gate's time goes, per event, in one process without Kafka: bytes → string, JSON.parse,
 * validation (the contract's zod schema vs the gate's contract-equal fast check), features,
 * Isolation Forest scoring, and the whole scoring core. Best of `--repeats` passes over the same
 * events, stages timed side by side, so the ratios are the figures to read.
 *
 *   npm run build && node dist/bench/gate-stages.js [--events 60000] [--repeats 5]
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { FalcoAlert } from '../contracts';
import { FalcoAlertSchema } from '../contracts';
import { GateCore, packEvents } from '../gate/core';
import { fastParseAlert } from '../gate/fast-alert';
import { FEATURE_COUNT, FeatureExtractor } from '../gate/features/extractor';
import { decodeGateModel, encodeGateModel } from '../gate/model/gate-model';
import { trainGateModel } from '../gate/model/train';
import { readGateSettings } from '../gate/policy-settings';
import { validateEvent } from '../gate/validate';
import { fromRoot } from '../lib/paths';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1] ?? fallback) : fallback;
}

function main(): void {
  const n = arg('events', 60_000);
  const repeats = arg('repeats', 5);
  const settings = readGateSettings(fromRoot('policies', 'build'));
  const lines = ['gate-background.jsonl', 'gate-replay.jsonl'].flatMap((f) => readFileSync(fromRoot('examples', f), 'utf8').split('\n')).filter((l) => l.trim());
  const background = readFileSync(fromRoot('examples', 'gate-background.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => FalcoAlertSchema.parse(JSON.parse(l)));
  const model = decodeGateModel(encodeGateModel(trainGateModel(background, { criticalNamespaces: settings.criticalNamespaces })));
  // Events as the gate meets them: the demo traffic cycled, each cycle five days later.
  const events: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const line = lines[i % lines.length]!;
    const cycle = Math.floor(i / lines.length);
    let text = line;
    if (cycle > 0) {
      try {
        const a = JSON.parse(line) as { time: string };
        a.time = new Date(Date.parse(a.time) + cycle * 5 * 86_400_000).toISOString();
        text = JSON.stringify(a);
      } catch {
        // a malformed line stays as it is
      }
    }
    events.push(Buffer.from(text));
  }
  const texts = events.map((b) => b.toString('utf8'));
  // Stages after parsing take what parses (the replay's malformed lines are dead letters).
  const jsonTexts = texts.filter((t) => {
    try {
      JSON.parse(t);
      return true;
    } catch {
      return false;
    }
  });
  const parsed = jsonTexts.map((t) => JSON.parse(t) as Record<string, unknown>);
  const alerts: FalcoAlert[] = parsed.flatMap((j) => {
    const r = FalcoAlertSchema.safeParse(j);
    return r.success ? [r.data] : [];
  });
  const matrix = new Float64Array(alerts.length * FEATURE_COUNT);

  const stages: Array<[string, number, () => void]> = [
    ['bytes → string', events.length, () => events.forEach((b) => b.toString('utf8'))],
    ['JSON.parse', jsonTexts.length, () => jsonTexts.forEach((t) => JSON.parse(t) as unknown)],
    ["contract's zod schema (safeParse)", parsed.length, () => parsed.forEach((j) => FalcoAlertSchema.safeParse(j))],
    ['fast check (fast-alert.ts)', parsed.length, () => parsed.forEach((j) => fastParseAlert({ ...j }))],
    ['validateEvent (parse + fast check)', texts.length, () => texts.forEach((t) => validateEvent(t, t.length, 1 << 20))],
    ['features (extract)', alerts.length, () => {
      const fx = new FeatureExtractor({ baseline: model.baseline, criticalNamespaces: settings.criticalNamespaces });
      alerts.forEach((a, i) => fx.extract(a, matrix, i * FEATURE_COUNT));
    }],
    ['scoring (100 trees, ψ=256, scoreMatrix)', alerts.length, () => model.forest.scoreMatrix(matrix)],
    ['whole core (GateCore.process, batches of 1000)', events.length, () => {
      const core = new GateCore({ model, settings, maxEventBytes: 1 << 20, correlationWindowMs: 600_000 });
      for (let i = 0; i < events.length; i += 1000) core.process(packEvents(events.slice(i, i + 1000)));
    }],
  ];
  const best = new Map<string, number>();
  for (let r = 0; r < repeats; r++) {
    for (const [name, count, fn] of stages) {
      const t0 = process.hrtime.bigint();
      fn();
      const ns = Number(process.hrtime.bigint() - t0) / count;
      best.set(name, Math.min(best.get(name) ?? Infinity, ns));
    }
  }
  const core = best.get('whole core (GateCore.process, batches of 1000)')!;
  console.log(`${n} events, Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}; best of ${repeats}`);
  console.log('| stage | µs/event | events/s | share of the core |');
  console.log('|---|---:|---:|---:|');
  for (const [name] of stages) {
    const ns = best.get(name)!;
    console.log(`| ${name} | ${(ns / 1000).toFixed(2)} | ${Math.round(1e9 / ns).toLocaleString('en-US')} | ${((100 * ns) / core).toFixed(0)}% |`);
  }
  console.log(`zod / fast check: ${(best.get("contract's zod schema (safeParse)")! / best.get('fast check (fast-alert.ts)')!).toFixed(1)}x`);
}

main();
