/**
 * Incidents per second and event-to-action latency through the whole path, side by side with a
 * bare Temporal baseline of the same shape on the same dev server.
 *
 * Vigil: the gate's production path in this process (an in-memory source that batches like the
 * Kafka one → Gate → scoring engine → signal-with-start of incidentWorkflow), the five real
 * worker processes (coordinator, analysis without an LLM, review on the real policy bundle,
 * remediation in dry-run, notification without webhooks). Every alert is a Notice-priority
 * "Terminal shell in container" in `default` on a pod of its own: a distinct incident that the
 * policy auto-executes (a quarantine label), so no escalation. The gate's threshold is forced to
 * 0 so every event passes: the gate still parses, validates, extracts features and scores each.
 *
 * Baseline: a bare workflow calling four no-op activities in sequence on four queues, served by
 * four processes plus its workflow worker, 2 KB messages, started by client.workflow.start from
 * the same kind of source; same server, same worker options (lib/worker-tuning.ts).
 *
 * Phases per round, each side in turn (the order alternates by round): single (one incident at
 * a time on an idle stack), burst (N at once), sustained (N/2 at half the round's Vigil burst
 * rate, both sides at that same rate). Latency: the gate's receive time (the anomaly's
 * `receivedAt`, the baseline's own) to the completion of the remediation activity, both read
 * from the run's history. Server CPU from /proc/<pid>/stat of the dev server.
 *
 *   npm run build && node dist/bench/incident-throughput.js [--incidents 200] [--concurrency 8] [--rounds 3]
 *     [--in-memory] [--untuned] [--pragma PRAGMA=VALUE ...] [--dynamic KEY=JSON ...] [--single 10] [--keep] [--cpu-prof DIR]
 *   (--cpu-prof DIR: the coordinator's V8 CPU profiles into DIR, written as it stops)
 *   (--keep: on failure, leave the dev server and workers up for inspection until SIGINT/SIGTERM)
 *   (--untuned: the temporal CLI's defaults instead of lib/dev-server.ts's DEV_SERVER_TUNING)
 *   VIGIL_WORKER_OPTIONS='{"maxConcurrentWorkflowTaskPolls":4}' applies to both sides' workers.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FalcoAlert, IncidentOutcome } from '../contracts';
import { FalcoAlertSchema, TASK_QUEUES } from '../contracts';
import type { ScoringEngine } from '../gate/engine/engine';
import { InlineEngine } from '../gate/engine/inline-engine';
import { ThreadEngine, threadEngineAvailable } from '../gate/engine/thread-engine';
import { Gate } from '../gate/gate';
import type { Child } from '../lib/devstack/children';
import { startChild } from '../lib/devstack/children';
import type { DevServer } from '../lib/devstack/dev-server';
import { DEV_SERVER_TUNING, startDevServer } from '../lib/devstack/dev-server';
import { withReverseShell } from '../lib/devstack/reverse-shell';
import { DEFAULT_CORRELATION_WINDOW_MS } from '../lib/identity';
import { openOrJoinIncident } from '../lib/incidents';
import { fromRoot } from '../lib/paths';
import { freePort } from '../lib/devstack/ports';
import type { WorkerStack } from '../lib/devstack/stack';
import { signingOpener } from '../lib/trust/anomaly-signature';
import { signerFromFile } from '../lib/trust/signing';
import { startWorkers, waitReady } from '../lib/devstack/stack';
import { connectClient } from '../lib/temporal-client';
import { temporalConfigFromEnv } from '../lib/temporal-config';
import { INCIDENT_WORKFLOW_TYPE } from '../workflows/definitions';
import type { BaselineInput } from './baseline/shape';
import { BASELINE_PAYLOAD_BYTES, BASELINE_QUEUES, BASELINE_ROLES, BASELINE_WORKFLOW_TYPE } from './baseline/shape';
import type { RunFacts } from './lib/history-facts';
import { readFacts } from './lib/history-facts';
import { assertDistinctWorkloads, benchPod } from './lib/bench-pods';
import { trainDemoModel } from './lib/gate-traffic';
import { cpuSeconds } from './lib/proc-usage';
import { QueueSource } from './lib/queue-source';
import { flagArg, load, mean, median, numberArg, percentile } from './lib/stats';

// The gate's warnings (dead letters, Temporal retries) to stderr: stdout carries the figures, and a
// gate retrying in silence is what made this bench hang without a word once.
const log = pino({ name: 'bench-gate', level: 'warn' }, pino.destination(2));

function listArg(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && process.argv[i + 1]) out.push(process.argv[i + 1]!);
  });
  return out;
}

type SideName = 'vigil' | 'baseline';

/** One side of the comparison: how to offer it events, and what its runs are. */
interface Side {
  name: SideName;
  workflowType: string;
  /** Activity whose completion is "the action". */
  actionActivity: string;
  /** Queue names in agent order (coordinator, analysis, review, remediation, notification). */
  queues: readonly string[];
  workerPids: () => number[];
  /** Offers n events now; each resolves to its workflow id once Temporal has it. */
  offer(n: number): Promise<string>[];
}

interface PhaseResult {
  side: SideName;
  n: number;
  rate: number;
  latencies: number[];
  facts: RunFacts[];
  serverCpu: number;
  workerCpu: number;
  /** CPU seconds of each worker process, in agent order. */
  workerCpus: number[];
}

interface Waiter {
  resolve(id: string): void;
  reject(err: Error): void;
}

/** The gate's side: alerts in, workflow ids out (as the opener reports them). */
function vigilSide(client: Client, engine: ScoringEngine, template: FalcoAlert, workers: WorkerStack, concurrency: number): { side: Side; stop(): Promise<void> } {
  const source = new QueueSource();
  const waiting: Waiter[] = [];
  const gate = new Gate({
    source,
    engine,
    log,
    openConcurrency: concurrency,
    // Signed with the stack's gate key, as the production gate does: an unsigned incident never auto-executes.
    opener: signingOpener(
      {
        open: async (anomaly) => {
          const result = await openOrJoinIncident(client, anomaly);
          // Every bench alert is a workload of its own, so anything but a new incident means the bench
          // measures something else: fail the phase now (thrown, the gate would retry it for ever).
          if (result.outcome === 'started') waiting.shift()?.resolve(result.incidentId);
          else waiting.shift()?.reject(new Error(`bench alert ${anomaly.correlationKey} did not open a new incident but ${result.outcome} ${result.incidentId}`));
          return result;
        },
      },
      workers.gateKeys ? signerFromFile(workers.gateKeys.privateKeyFile, 'gate signing key') : null,
    ),
  });
  // A gate that stops (a dead-lettered bench event ends the source) fails every run still waiting, and later offers.
  let stopped: Error | null = null;
  const running = gate.run().then(
    () => {
      stopped = new Error('the bench gate stopped');
    },
    (err: unknown) => {
      stopped = new Error(`the bench gate failed: ${err instanceof Error ? err.message : String(err)}`);
    },
  );
  void running.then(() => waiting.splice(0).forEach((w) => w.reject(stopped!)));
  const tag = randomUUID().slice(0, 8);
  assertDistinctWorkloads(template, tag);
  let seq = 0;
  const side: Side = {
    name: 'vigil',
    workflowType: INCIDENT_WORKFLOW_TYPE,
    actionActivity: 'remediate',
    queues: [TASK_QUEUES.coordinator, TASK_QUEUES.analysis, TASK_QUEUES.review, TASK_QUEUES.remediation, TASK_QUEUES.notification],
    workerPids: () => [...workers.workers.values()].map((c) => c.pid),
    offer(n) {
      if (stopped) return Array.from({ length: n }, () => Promise.reject(stopped!));
      const ids = Array.from({ length: n }, () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject })));
      const now = new Date().toISOString();
      source.push(
        Array.from({ length: n }, () => {
          seq += 1;
          const alert = { ...template, time: now, uuid: randomUUID(), output_fields: { ...template.output_fields, 'k8s.pod.name': benchPod(tag, seq) } };
          return Buffer.from(JSON.stringify(alert));
        }),
      );
      return ids;
    },
  };
  return {
    side,
    async stop() {
      await gate.stop();
      await running;
    },
  };
}

/** The baseline's side: the same source shape, a plain start per event. */
function baselineSide(client: Client, workers: Child[], concurrency: number): { side: Side; stop(): Promise<void> } {
  const source = new QueueSource();
  const waiting: Array<(id: string) => void> = [];
  const tag = randomUUID().slice(0, 8);
  let seq = 0;
  const body = 'x'.repeat(BASELINE_PAYLOAD_BYTES);
  const running = source.run(async (events) => {
    const receivedAt = new Date().toISOString();
    let next = 0;
    const one = async () => {
      while (next < events.length) {
        next += 1;
        const workflowId = `baseline-${tag}-${++seq}`;
        const input: BaselineInput = { receivedAt, body };
        await client.workflow.start(BASELINE_WORKFLOW_TYPE, { taskQueue: BASELINE_QUEUES.coordinator, workflowId, args: [input] });
        waiting.shift()?.(workflowId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, one));
    return { deadLetters: [] };
  });
  const side: Side = {
    name: 'baseline',
    workflowType: BASELINE_WORKFLOW_TYPE,
    actionActivity: 'remediate',
    queues: BASELINE_ROLES.map((r) => BASELINE_QUEUES[r]),
    workerPids: () => workers.map((c) => c.pid),
    offer(n) {
      const ids = Array.from({ length: n }, () => new Promise<string>((resolve) => waiting.push(resolve)));
      source.push(Array.from({ length: n }, () => Buffer.alloc(0)));
      return ids;
    },
  };
  return {
    side,
    async stop() {
      await source.stop();
      await running;
    },
  };
}

async function startBaselineWorkers(address: string, logDir: string): Promise<Child[]> {
  const children: Child[] = [];
  try {
    await Promise.all(
      BASELINE_ROLES.map(async (role) => {
        const port = await freePort();
        const child = startChild({
          name: `baseline-${role}`,
          command: process.execPath,
          args: [fromRoot('dist', 'bench', 'baseline', 'worker.js'), role],
          env: { TEMPORAL_ADDRESS: address, VIGIL_OPS_PORT: String(port) },
          logFile: join(logDir, `baseline-${role}.log`),
        });
        children.push(child);
        // As long as Vigil's workers get: on a loaded machine a worker takes minutes to load.
        await waitReady(`baseline ${role}`, child, port, 300_000);
      }),
    );
    return children;
  } catch (err) {
    await Promise.all(children.map((c) => c.stop()));
    throw err;
  }
}

/** Waits until every run of this side is closed: visibility first (cheap), then each result. */
async function waitClosed(client: Client, side: Side, ids: string[]): Promise<void> {
  const query = `WorkflowType = '${side.workflowType}' AND ExecutionStatus = 'Running'`;
  while ((await client.workflow.count(query)).count > 0) await new Promise((r) => setTimeout(r, 100));
  for (const id of ids) await client.workflow.getHandle(id).result();
}

/** Runs n events through one side, offered all at once (rate 0) or at `rate` per second. */
async function phase(client: Client, server: DevServer, side: Side, n: number, rate: number): Promise<PhaseResult> {
  const cpu0 = cpuSeconds(server.child.pid);
  const pids = side.workerPids();
  const w0 = pids.map(cpuSeconds);
  const t0 = Date.now();
  let ids: Promise<string>[];
  if (rate <= 0) {
    ids = side.offer(n);
  } else {
    ids = [];
    for (let i = 0; i < n; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      ids.push(...side.offer(1));
    }
  }
  const workflowIds = await Promise.all(ids);
  await waitClosed(client, side, workflowIds);
  const serverCpu = cpuSeconds(server.child.pid) - cpu0;
  const workerCpus = pids.map((pid, i) => cpuSeconds(pid) - w0[i]!);
  const workerCpu = workerCpus.reduce((a, b) => a + b, 0);
  const facts = await readFacts(client, workflowIds, side.actionActivity);
  checkOutcomes(side, facts);
  const end = Math.max(...facts.map((f) => f.closedAt ?? Infinity));
  const latencies = facts.map((f) => (f.actionDoneAt ?? NaN) - (f.receivedAt ?? NaN));
  return { side: side.name, n, rate: n / ((end - t0) / 1000), latencies, facts, serverCpu, workerCpu, workerCpus };
}

/** One incident at a time, each waiting for the last to close: latency on an idle stack. */
async function single(client: Client, server: DevServer, side: Side, k: number): Promise<PhaseResult> {
  const parts: PhaseResult[] = [];
  for (let i = 0; i < k; i++) parts.push(await phase(client, server, side, 1, 0));
  return {
    side: side.name,
    n: k,
    rate: mean(parts.map((p) => p.rate)),
    latencies: parts.flatMap((p) => p.latencies),
    facts: parts.flatMap((p) => p.facts),
    serverCpu: parts.reduce((s, p) => s + p.serverCpu, 0),
    workerCpu: parts.reduce((s, p) => s + p.workerCpu, 0),
    workerCpus: parts[0]!.workerCpus.map((_, i) => parts.reduce((s, p) => s + p.workerCpus[i]!, 0)),
  };
}

/** A run that did not do what the bench claims (complete, and for Vigil execute its action in dry-run) fails the bench. */
function checkOutcomes(side: Side, facts: RunFacts[]): void {
  for (const f of facts) {
    if (!f.completed || f.actionDoneAt === null || f.receivedAt === null) throw new Error(`${side.name} run ${f.workflowId} did not complete its action (completed=${f.completed})`);
    if (side.name === 'vigil') {
      const outcome = f.result as IncidentOutcome;
      if (outcome.resolution !== 'executed' || outcome.verdict !== 'auto_execute') throw new Error(`incident ${f.workflowId} was not auto-executed: ${JSON.stringify(outcome)}`);
    }
  }
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function row(label: string, r: PhaseResult): string {
  const f = r.facts;
  return [
    label.padEnd(10),
    r.side.padEnd(9),
    String(r.n).padStart(4),
    fmt(r.rate, 2).padStart(8),
    fmt(percentile(r.latencies, 50), 0).padStart(7),
    fmt(percentile(r.latencies, 99), 0).padStart(7),
    fmt(mean(f.map((x) => x.events))).padStart(7),
    fmt(mean(f.map((x) => x.bytes)) / 1024).padStart(8),
    fmt(mean(f.map((x) => x.workflowTasks))).padStart(5),
    fmt((r.serverCpu / r.n) * 1000, 0).padStart(9),
    fmt((r.workerCpu / r.n) * 1000, 0).padStart(9),
  ].join(' ');
}

const HEADER = `${'phase'.padEnd(10)} ${'side'.padEnd(9)} ${'n'.padStart(4)} ${'runs/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'events'.padStart(7)} ${'hist KiB'.padStart(8)} ${'WFTs'.padStart(5)} ${'srv ms/i'.padStart(9)} ${'wkr ms/i'.padStart(9)}`;

function waitsLine(r: PhaseResult, queues: readonly string[]): string {
  const wft = r.facts.flatMap((f) => f.workflowTaskWaits);
  const parts = [`workflow tasks ${fmt(percentile(wft, 50), 0)}/${fmt(percentile(wft, 99), 0)}`];
  for (const q of queues.slice(1)) {
    const xs = r.facts.flatMap((f) => f.activityWaits.get(q) ?? []);
    parts.push(`${q} ${fmt(percentile(xs, 50), 0)}/${fmt(percentile(xs, 99), 0)}`);
  }
  const cpu = queues.map((q, i) => `${q} ${fmt(((r.workerCpus[i] ?? NaN) / r.n) * 1000, 0)}`).join(', ');
  return `           ${r.side.padEnd(9)} schedule-to-start p50/p99 ms: ${parts.join(', ')}\n           ${r.side.padEnd(9)} worker CPU ms/incident: ${cpu}`;
}

async function main(): Promise<void> {
  const n = numberArg('incidents', 200);
  const concurrency = numberArg('concurrency', 8);
  const rounds = numberArg('rounds', 3);
  const singles = numberArg('single', Math.min(n, 10));
  const sustainedN = Math.max(1, Math.floor(n / 2));
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-incidents-'));
  const pragmas = listArg('pragma');
  const dynamicConfig = Object.fromEntries(
    listArg('dynamic').map((kv) => {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new Error(`--dynamic needs KEY=JSON, got ${kv}`);
      return [kv.slice(0, eq), JSON.parse(kv.slice(eq + 1)) as unknown];
    }),
  );
  const dbFile = flagArg('in-memory') ? undefined : join(work, 'temporal.db');
  const untuned = flagArg('untuned');
  process.stdout.write(
    `incident throughput: ${n} incidents per burst, ${sustainedN} sustained, ${singles} single, concurrency ${concurrency}, ${rounds} round(s); node ${process.version}, ${cpus().length} cpus, load ${load()}\n` +
      `dev server: ${dbFile ? 'SQLite file' : 'in-memory SQLite'}, ${untuned ? 'CLI defaults' : `tuned ${JSON.stringify(DEV_SERVER_TUNING)}`}${pragmas.length ? `, pragmas ${pragmas.join(' ')}` : ''}${Object.keys(dynamicConfig).length ? `, dynamic config ${JSON.stringify(dynamicConfig)}` : ''}; worker options ${process.env.VIGIL_WORKER_OPTIONS ?? 'defaults'}\n`,
  );

  // The coordinator's CPU profile (its main thread and the workflow threads), written when it exits.
  const profileDir = listArg('cpu-prof')[0];
  const profileArgs = profileDir ? { coordinator: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : undefined;
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  let ok = false;
  const keep = flagArg('keep');
  try {
    const server = await startDevServer({ uiPort: null, dbFile, logFile: join(work, 'temporal.log'), sqlitePragmas: pragmas, dynamicConfig, tuned: !untuned });
    cleanups.push(() => server.stop());
    process.stderr.write(`bench stack: temporal ${server.address}, logs in ${work}\n`);
    // Both stacks start at once; whichever started is stopped even if the other failed.
    const [vigilStack, baseStack] = await Promise.allSettled([startWorkers({ temporalAddress: server.address, logDir: work, env: {}, nodeArgsFor: profileArgs, readyTimeoutMs: 300_000 }), startBaselineWorkers(server.address, work)]);
    if (vigilStack.status === 'fulfilled') cleanups.push(() => vigilStack.value.stop());
    if (baseStack.status === 'fulfilled') cleanups.push(() => Promise.all(baseStack.value.map((c) => c.stop())).then(() => undefined));
    if (vigilStack.status === 'rejected') throw vigilStack.reason;
    if (baseStack.status === 'rejected') throw baseStack.reason;
    const workers = vigilStack.value;
    const baselineWorkers = baseStack.value;
    const client = await connectClient(temporalConfigFromEnv({ TEMPORAL_ADDRESS: server.address }));
    cleanups.push(() => client.connection.close());

    const { modelPath, settings } = trainDemoModel(work);
    const engineOptions = { modelPath, settings: { ...settings, anomalyThreshold: 0 }, maxEventBytes: 1 << 20, correlationWindowMs: DEFAULT_CORRELATION_WINDOW_MS };
    const engine: ScoringEngine = threadEngineAvailable() ? await ThreadEngine.start(engineOptions) : new InlineEngine(engineOptions);
    cleanups.push(() => engine.close());

    const template = FalcoAlertSchema.parse(
      readFileSync(fromRoot('examples', 'falco-alerts.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as FalcoAlert)
        .find((a) => a.rule === 'Terminal shell in container' && a.priority === 'Notice' && a.output_fields['k8s.ns.name'] === 'default'),
    );
    const vigil = vigilSide(client, engine, withReverseShell(template), workers, concurrency);
    cleanups.push(() => vigil.stop());
    const baseline = baselineSide(client, baselineWorkers, concurrency);
    cleanups.push(() => baseline.stop());

    // Warm-up: the first workflow tasks load the sandboxes and JIT the paths; not measured.
    for (const side of [vigil.side, baseline.side]) await phase(client, server, side, Math.min(5, n), 0);

    const results: Array<Record<'single' | 'burst' | 'sustained', Record<SideName, PhaseResult>>> = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [vigil.side, baseline.side] : [baseline.side, vigil.side];
      const round = { single: {}, burst: {}, sustained: {} } as (typeof results)[number];
      process.stdout.write(`\nround ${r + 1} (load ${load()})\n${HEADER}\n`);
      for (const side of order) round.single[side.name] = await single(client, server, side, singles);
      for (const side of order) round.burst[side.name] = await phase(client, server, side, n, 0);
      const rate = round.burst.vigil.rate / 2;
      for (const side of order) round.sustained[side.name] = await phase(client, server, side, sustainedN, rate);
      for (const p of ['single', 'burst', 'sustained'] as const) {
        const label = p === 'sustained' ? `sust@${fmt(rate, 1)}` : p;
        process.stdout.write(`${row(label, round[p].vigil)}\n${row('', round[p].baseline)}\n`);
        process.stdout.write(`${''.padEnd(10)} ${'ratio'.padEnd(9)} ${''.padStart(4)} ${fmt(round[p].vigil.rate / round[p].baseline.rate, 3).padStart(8)}\n`);
      }
      process.stdout.write(`${waitsLine(round.burst.vigil, vigil.side.queues)}\n${waitsLine(round.burst.baseline, baseline.side.queues)}\n`);
      results.push(round);
    }

    const rates = results.map((r) => r.burst.vigil.rate);
    const baseRates = results.map((r) => r.burst.baseline.rate);
    const ratios = results.map((r) => r.burst.vigil.rate / r.burst.baseline.rate);
    const sustained = results.flatMap((r) => r.sustained.vigil.latencies);
    const singleLat = results.flatMap((r) => r.single.vigil.latencies);
    const baseSingle = results.flatMap((r) => r.single.baseline.latencies);
    const baseSustained = results.flatMap((r) => r.sustained.baseline.latencies);
    const perIncident = (side: SideName, pick: (f: RunFacts) => number) => mean(results.flatMap((r) => r.burst[side].facts.map(pick)));
    const srv = (side: SideName) => mean(results.map((r) => (r.burst[side].serverCpu / r.burst[side].n) * 1000));
    process.stdout.write(
      `\nmedians over ${rounds} round(s), load ${load()}:\n` +
        `  burst: vigil ${fmt(median(rates), 2)}/s, baseline ${fmt(median(baseRates), 2)}/s, ratio ${fmt(median(ratios), 3)}\n` +
        `  event-to-action single: vigil p50 ${fmt(percentile(singleLat, 50), 0)} ms p99 ${fmt(percentile(singleLat, 99), 0)} ms; baseline p50 ${fmt(percentile(baseSingle, 50), 0)} ms p99 ${fmt(percentile(baseSingle, 99), 0)} ms\n` +
        `  event-to-action sustained (half capacity): vigil p50 ${fmt(percentile(sustained, 50), 0)} ms p99 ${fmt(percentile(sustained, 99), 0)} ms; baseline p50 ${fmt(percentile(baseSustained, 50), 0)} ms p99 ${fmt(percentile(baseSustained, 99), 0)} ms\n` +
        `  per incident (burst): history events ${fmt(perIncident('vigil', (f) => f.events))} vs ${fmt(perIncident('baseline', (f) => f.events))} (${fmt(perIncident('vigil', (f) => f.events) / perIncident('baseline', (f) => f.events), 2)}x), ` +
        `bytes ${fmt(perIncident('vigil', (f) => f.bytes), 0)} vs ${fmt(perIncident('baseline', (f) => f.bytes), 0)}, workflow tasks ${fmt(perIncident('vigil', (f) => f.workflowTasks))} vs ${fmt(perIncident('baseline', (f) => f.workflowTasks))}, ` +
        `server CPU ${fmt(srv('vigil'), 0)} ms vs ${fmt(srv('baseline'), 0)} ms\n`,
    );
    process.stdout.write(
      `incidents/s ${fmt(median(rates), 2)} baseline/s ${fmt(median(baseRates), 2)} ratio ${fmt(median(ratios), 3)} p50 ${fmt(percentile(sustained, 50), 0)}ms p99 ${fmt(percentile(sustained, 99), 0)}ms\n`,
    );
    ok = true;
  } catch (err) {
    if (!keep) throw err;
    // Left up for a look (temporal workflow list/show --address, the logs); a signal stops it all.
    process.stderr.write(`incident-throughput failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n--keep: stack left up until SIGINT/SIGTERM\n`);
    await new Promise(() => setInterval(() => undefined, 60_000));
  } finally {
    await cleanup();
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    if (ok) rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`logs kept in ${work}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`incident-throughput failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
