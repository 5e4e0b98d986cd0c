/**
 * Detection on a realistic stream (scripts/gen-eval-stream.ts): trains the gate on the training
 * hour the way `vigil train` does, replays the evaluation hour through the real gate, and prints
 *
 *   - benign pass rate, first ten minutes and steady state (after the first ten minutes);
 *   - benign incidents per hour, and how many of them auto-executed;
 *   - attack chains detected, and incidents per chain.
 *
 *   npm run -s build && node dist/bench/detection-eval.js [--seeds 1,2,3] [--stack] [--dir <dir with train/eval/eval-labels.jsonl>]
 *
 * Without --stack the gate runs on its own (GateCore, as on its scoring thread) and incidents are
 * counted by workflow id. With --stack the same replay goes through `runGate` on the file source
 * into a real Temporal dev server and the five workers (as separate processes), and each
 * incident's verdict is read from its `state` query: that is where "auto-executed" comes from.
 * A directory given with --dir is evaluated as is (a stream this repository did not generate).
 * Results: docs/PERFORMANCE.md.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Anomaly, FalcoAlert } from '../contracts';
import { FalcoAlertSchema, SETTLED_STATUSES } from '../contracts';
import { GateCore, packEvents } from '../gate/core';
import { saveGateModel } from '../gate/model/gate-model';
import { decodeGateModel, encodeGateModel } from '../gate/model/gate-model';
import { trainGateModel } from '../gate/model/train';
import { readGateSettings } from '../gate/policy-settings';
import { gateConfigFromEnv } from '../gate/config';
import { runGate } from '../gate/run-gate';
import { incidentIdFor } from '../lib/identity';
import { openOrJoinIncident } from '../lib/incidents';
import { createLogger } from '../lib/logger';
import { fromRoot } from '../lib/paths';
import { generateEvalStreams } from '../scripts/gen-eval-stream';
import { startDevServer } from '../lib/devstack/dev-server';
import { startWorkers } from '../lib/devstack/stack';
import { connectClient } from '../lib/temporal-client';
import { temporalConfigFromEnv } from '../lib/temporal-config';
import { stateQuery } from '../workflows/definitions';

type Label = { label: 'benign' } | { label: 'attack'; chain: string };
interface Streams {
  name: string;
  train: FalcoAlert[];
  evalLines: string[];
  labels: Label[];
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? '') : undefined;
};
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

function fromDir(dir: string): Streams {
  const lines = (f: string) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim());
  return {
    name: dir,
    train: lines('train.jsonl').map((l) => FalcoAlertSchema.parse(JSON.parse(l))),
    evalLines: lines('eval.jsonl'),
    labels: lines('eval-labels.jsonl').map((l) => JSON.parse(l) as Label),
  };
}

function generated(seed: number): Streams {
  const s = generateEvalStreams({ seed, startMs: Date.parse('2026-11-30T08:00:00Z') });
  return {
    name: `seed ${seed}`,
    train: s.train.map((a) => FalcoAlertSchema.parse(a)),
    evalLines: s.eval.map((l) => JSON.stringify(l.alert)),
    labels: s.eval.map((l) => l.label),
  };
}

interface Figures {
  benign: number;
  benignFirst10: number;
  passedFirst10: number;
  passedSteady: number;
  benignIncidents: number;
  hours: number;
  chains: Map<string, Set<string>>;
  chainNames: Set<string>;
  threshold: number;
  heldOutPassRate: number | null;
}

/** Which eval line each anomaly came from, keyed by fingerprint-free content (the line itself). */
function tally(s: Streams, passed: Array<{ index: number; anomaly: Anomaly; incidentId: string }>, threshold: number, heldOut: number | null): Figures {
  const times = s.evalLines.map((l) => Date.parse((JSON.parse(l) as { time: string }).time));
  const start = Math.min(...times);
  const end = Math.max(...times);
  const first10 = (i: number) => times[i]! < start + 10 * 60_000;
  const benignIdx = s.labels.flatMap((l, i) => (l.label === 'benign' ? [i] : []));
  const incidents = new Map<string, { benign: number; attack: number }>();
  const chains = new Map<string, Set<string>>();
  let passedFirst10 = 0;
  let passedSteady = 0;
  for (const p of passed) {
    const label = s.labels[p.index]!;
    const inc = incidents.get(p.incidentId) ?? { benign: 0, attack: 0 };
    if (label.label === 'benign') {
      inc.benign += 1;
      if (first10(p.index)) passedFirst10 += 1;
      else passedSteady += 1;
    } else {
      inc.attack += 1;
      chains.set(label.chain, (chains.get(label.chain) ?? new Set()).add(p.incidentId));
    }
    incidents.set(p.incidentId, inc);
  }
  return {
    benign: benignIdx.length,
    benignFirst10: benignIdx.filter(first10).length,
    passedFirst10,
    passedSteady,
    benignIncidents: [...incidents.values()].filter((i) => i.attack === 0).length,
    hours: Math.max(1, end - start) / 3_600_000,
    chains,
    chainNames: new Set(s.labels.flatMap((l) => (l.label === 'attack' ? [l.chain] : []))),
    threshold,
    heldOutPassRate: heldOut,
  };
}

function print(name: string, f: Figures, autoExecuted: number | null, extra = ''): void {
  const steadyBenign = f.benign - f.benignFirst10;
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`\n${name}: ${f.benign} benign alerts, threshold ${f.threshold.toFixed(4)}${f.heldOutPassRate !== null ? ` (held-out pass rate at training: ${pct(f.heldOutPassRate)})` : ''}${extra}`);
  say(`  benign pass rate: first 10 min ${pct(f.passedFirst10 / Math.max(1, f.benignFirst10))} (${f.passedFirst10}/${f.benignFirst10}), steady ${pct(f.passedSteady / Math.max(1, steadyBenign))} (${f.passedSteady}/${steadyBenign}), overall ${pct((f.passedFirst10 + f.passedSteady) / Math.max(1, f.benign))}`);
  say(`  benign incidents: ${(f.benignIncidents / f.hours).toFixed(1)}/hour${autoExecuted !== null ? `, auto-executed: ${autoExecuted}` : ''}`);
  const detected = [...f.chainNames].filter((c) => f.chains.has(c));
  say(`  attack chains detected: ${detected.length}/${f.chainNames.size}; incidents per chain: ${[...f.chainNames].map((c) => `${c} ${f.chains.get(c)?.size ?? 0}`).join(', ')}`);
}

function train(s: Streams, criticalNamespaces: string[]) {
  return decodeGateModel(encodeGateModel(trainGateModel(s.train, { criticalNamespaces, input: s.name })), s.name);
}

/** The gate alone, as on its scoring thread: batches of 500 in stream order. */
function offline(s: Streams, policyDir: string): void {
  const settings = readGateSettings(policyDir);
  const model = train(s, settings.criticalNamespaces);
  const core = new GateCore({
    model,
    // The model's calibrated threshold, as a fresh install runs it (no policy override).
    settings: { anomalyThreshold: undefined, priorityFloor: settings.priorityFloor, criticalNamespaces: settings.criticalNamespaces, suppressions: [] },
    maxEventBytes: 1 << 20,
    correlationWindowMs: 10 * 60_000,
  });
  const passed: Array<{ index: number; anomaly: Anomaly; incidentId: string }> = [];
  for (let at = 0; at < s.evalLines.length; at += 500) {
    const batch = s.evalLines.slice(at, at + 500);
    const r = core.process(packEvents(batch.map((l) => Buffer.from(l))));
    for (const a of r.anomalies) passed.push({ index: at + a.index, anomaly: a.anomaly, incidentId: incidentIdFor(a.anomaly) });
  }
  print(s.name, tally(s, passed, core.threshold.value, model.calibration?.heldOut?.passRate ?? null), null, ' [gate only]');
}

/** The same replay through runGate into a real dev server and the five workers; verdicts from each incident's state. */
async function withStack(streams: Streams[], policyDir: string): Promise<void> {
  const log = createLogger('detection-eval', 'warn');
  const logDir = mkdtempSync(join(tmpdir(), 'vigil-detection-eval-'));
  const server = await startDevServer({ uiPort: null, logFile: join(logDir, 'temporal.log') });
  const workers = await startWorkers({ temporalAddress: server.address, logDir, env: { VIGIL_POLICY_DIR: policyDir } }).catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  const client = await connectClient(temporalConfigFromEnv({ TEMPORAL_ADDRESS: server.address }));
  try {
    for (const s of streams) {
      const settings = readGateSettings(policyDir);
      const dir = mkdtempSync(join(tmpdir(), 'vigil-detection-run-'));
      const modelPath = join(dir, 'model.json');
      saveGateModel(trainGateModel(s.train, { criticalNamespaces: settings.criticalNamespaces, input: s.name }), modelPath);
      const input = join(dir, 'eval.jsonl');
      writeFileSync(input, s.evalLines.map((l) => `${l}\n`).join(''));
      const index = new Map(s.evalLines.map((l, i) => [l, i]));
      const passed: Array<{ index: number; anomaly: Anomaly; incidentId: string }> = [];
      // Signed with the stack's gate key, as in production: unsigned anomalies open untrusted incidents, which always escalate.
      const config = gateConfigFromEnv({}, { source: 'file', input, modelPath, policyDir, scoringThread: 'false', signingKeyFile: workers.gateKeys?.privateKeyFile });
      const gate = await runGate(config, {
        log,
        opener: {
          open: async (anomaly) => {
            const r = await openOrJoinIncident(client, anomaly);
            const i = index.get(JSON.stringify(anomaly.alert));
            if (i !== undefined) passed.push({ index: i, anomaly, incidentId: r.incidentId });
            return r;
          },
        },
      });
      await gate.done;
      const figures = tally(s, passed, gate.engine.model.threshold ?? NaN, null);
      // Every incident's verdict once review has answered (analysis and review take a few seconds each).
      const benignIds = new Set<string>();
      const attackIds = new Set<string>();
      for (const p of passed) (s.labels[p.index]!.label === 'benign' ? benignIds : attackIds).add(p.incidentId);
      let autoExecuted = 0;
      const chainExecuted: string[] = [];
      const outcomes = { benign: new Map<string, number>(), attack: new Map<string, number>() };
      for (const id of new Set([...benignIds, ...attackIds])) {
        const outcome = await verdictOf(client, id);
        const side = attackIds.has(id) ? outcomes.attack : outcomes.benign;
        side.set(outcome, (side.get(outcome) ?? 0) + 1);
        if (outcome === 'auto_execute' && !attackIds.has(id)) autoExecuted += 1;
        if (outcome === 'auto_execute' && attackIds.has(id)) chainExecuted.push(id);
      }
      print(s.name, figures, autoExecuted, ` [gate + dev stack]`);
      const show = (m: Map<string, number>) => [...m].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      process.stdout.write(`  verdicts: benign incidents ${show(outcomes.benign)}; attack incidents ${show(outcomes.attack)}\n`);
      const injection = figures.chains.get('prompt-injection');
      process.stdout.write(`  attack incidents auto-executed: ${chainExecuted.length}${injection ? `; prompt-injection chain executed: ${[...injection].some((id) => chainExecuted.includes(id)) ? 'YES' : 'no'}` : ''}\n`);
    }
  } finally {
    await client.connection.close().catch(() => undefined);
    await workers.stop();
    await server.stop();
  }
}

/** An incident's verdict once it has settled (SETTLED_STATUSES) with no novel alert still to analyse: final for this stream. */
async function verdictOf(client: Awaited<ReturnType<typeof connectClient>>, id: string): Promise<string> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      const state = await client.workflow.getHandle(id).query(stateQuery);
      const analysing = (state.timeline ?? []).slice(1).some((e) => e.novel && e.reanalysis === undefined);
      if (state.verdict && SETTLED_STATUSES.has(state.status) && !analysing) return state.verdict.outcome;
    } catch {
      // not yet queryable
    }
    if (Date.now() > deadline) return 'no verdict';
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const policyDir = arg('policy-dir') ?? fromRoot('policies', 'build');
  const dir = arg('dir');
  const seeds = (arg('seeds') ?? '1,2,3').split(',').map(Number);
  const streams = dir ? [fromDir(dir)] : seeds.map(generated);
  if (process.argv.includes('--stack')) await withStack(streams, policyDir);
  else for (const s of streams) offline(s, policyDir);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
