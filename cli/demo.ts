import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import type { IncidentState } from '../contracts';
import { SETTLED_STATUSES } from '../contracts';
import { gateConfigFromEnv } from '../gate/config';
import { loadGateModel, saveGateModel } from '../gate/model/gate-model';
import { trainGateModel } from '../gate/model/train';
import { readTrainingFile } from '../gate/model/training-input';
import { readGateSettings } from '../gate/policy-settings';
import { runGate } from '../gate/run-gate';
import type { Child } from '../lib/devstack/children';
import { startChild } from '../lib/devstack/children';
import { startDemoKube } from '../lib/devstack/demo-kube';
import type { DemoKube } from '../lib/devstack/demo-kube';
import type { DevServer } from '../lib/devstack/dev-server';
import { startDevServer, temporalAnswers } from '../lib/devstack/dev-server';
import { openOrJoinIncident } from '../lib/incidents';
import { fromRoot } from '../lib/paths';
import { freePort } from '../lib/devstack/ports';
import { startWorkers } from '../lib/devstack/stack';
import { connectClient } from '../lib/temporal-client';
import { temporalConfigFromEnv } from '../lib/temporal-config';
import { stateQuery } from '../workflows/definitions';
import { describeStats } from './gate';

const say = (s = '') => process.stdout.write(`${s}\n`);
/** A path as the user can type it from the repo root. */
const shown = (p: string) => {
  const r = relative(fromRoot(), p);
  return r.startsWith('..') ? p : r || '.';
};

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => void freePort().then(resolve));
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}

async function settle(client: Client, ids: string[], timeoutMs: number): Promise<IncidentState[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(ids.map((id) => client.workflow.getHandle(id).query(stateQuery)));
    if (states.every((s) => SETTLED_STATUSES.has(s.status)) || Date.now() > deadline) return states;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const DEMO_BACKGROUND = fromRoot('examples', 'gate-background.jsonl');
const DEMO_REPLAY = fromRoot('examples', 'gate-replay.jsonl');

/** The demo's model: trained on the benign background once, retrained when the background is newer or the model no longer loads. */
async function ensureModel(modelPath: string, policyDir: string): Promise<void> {
  const fresh = existsSync(modelPath) && statSync(modelPath).mtimeMs >= statSync(DEMO_BACKGROUND).mtimeMs;
  if (fresh) {
    try {
      loadGateModel(modelPath);
      say(`Using the gate model in ${modelPath}.`);
      return;
    } catch (err) {
      say(`Retraining: ${(err as Error).message}`);
    }
  }
  const input = await readTrainingFile(DEMO_BACKGROUND);
  say(`Training the gate's Isolation Forest on ${input.alerts.length} benign background alerts (examples/gate-background.jsonl)...`);
  const model = trainGateModel(input.alerts, { criticalNamespaces: readGateSettings(policyDir).criticalNamespaces, input: DEMO_BACKGROUND });
  mkdirSync(join(modelPath, '..'), { recursive: true });
  saveGateModel(model, modelPath);
}

/** Replays a JSONL file through the gate in this process (the file source), collecting the incidents it opened. */
async function replayFromFile(client: Client, file: string, modelPath: string, dataDir: string, gateKeyFile: string | undefined): Promise<string[]> {
  const ids = new Set<string>();
  const deadLetterFile = join(dataDir, 'gate', 'demo.dlq.jsonl');
  const config = gateConfigFromEnv({}, { source: 'file', input: file, deadLetterFile, modelPath, policyDir: process.env.VIGIL_POLICY_DIR || undefined, signingKeyFile: gateKeyFile });
  const log = pino({ name: 'vigil-gate', level: 'info' }, pino.destination({ dest: join(dataDir, 'logs', 'gate.log'), mkdir: true, sync: true }));
  const gate = await runGate(config, {
    log,
    opener: {
      open: async (anomaly) => {
        const r = await openOrJoinIncident(client, anomaly);
        ids.add(r.incidentId);
        return r;
      },
    },
  });
  const stats = await gate.done;
  say(`\nGate (threshold ${gate.settings.anomalyThreshold ?? gate.engine.model.threshold ?? 'default'} from ${gate.settings.anomalyThreshold !== undefined ? gate.settings.source : 'the model'}, model ${gate.engine.model.id}):`);
  say(`  ${describeStats(stats)}.`);
  const pct = stats.scored ? ((100 * stats.filtered) / stats.scored).toFixed(1) : '0';
  say(`  ${stats.filtered} of ${stats.scored} valid alerts (${pct}%) filtered out before any LLM call; dead letters in ${deadLetterFile}; gate log ${shown(join(dataDir, 'logs', 'gate.log'))}`);
  return [...ids];
}

const execFileAsync = promisify(execFile);

/**
 * `--kafka`: the local broker (scripts/kafka.sh, data in .data/kafka), the replay produced to the
 * topic as falcosidekick would (value only), and the gate as its own process (dist/gate/main.js).
 */
async function replayThroughKafka(
  client: Client,
  file: string,
  modelPath: string,
  address: string,
  dataDir: string,
  cleanup: Array<() => Promise<void>>,
  gateKeyFile: string | undefined,
): Promise<string[]> {
  const kafkaDir = join(dataDir, 'kafka');
  let brokers = process.env.KAFKA_BROKERS ?? '';
  if (!brokers) {
    say(`Starting the local Kafka broker (scripts/kafka.sh, data in ${shown(kafkaDir)})...`);
    const { stdout } = await execFileAsync('bash', [fromRoot('scripts', 'kafka.sh'), 'start', '--data', kafkaDir, '--owner-pid', String(process.pid)], { timeout: 300_000 });
    brokers = stdout.split('\n').find((l) => l.startsWith('KAFKA_BROKERS='))?.slice('KAFKA_BROKERS='.length) ?? '';
    if (!brokers) throw new Error('scripts/kafka.sh start printed no KAFKA_BROKERS');
    cleanup.push(async () => void (await execFileAsync('bash', [fromRoot('scripts', 'kafka.sh'), 'stop', '--data', kafkaDir]).catch(() => undefined)));
  }
  const topic = process.env.VIGIL_KAFKA_TOPIC || 'falco.events';
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  const kafka = new Kafka({ clientId: 'vigil-demo', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  // The gate refuses to start without both topics (it never auto-creates them): make them here.
  const admin = kafka.admin();
  await admin.connect();
  const dlqTopic = process.env.VIGIL_KAFKA_DLQ_TOPIC || `${topic}.dlq`;
  const existing = new Set(await admin.listTopics());
  const missing = [topic, dlqTopic].filter((t) => !existing.has(t));
  if (missing.length > 0) await admin.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ topic: t, numPartitions: 1 })) });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: lines.map((value) => ({ value })) });
  await producer.disconnect();
  say(`Produced ${lines.length} alerts to ${topic} on ${brokers}.`);

  const opsPort = await freePort();
  const gateLog = join(dataDir, 'logs', 'gate.log');
  const logStart = existsSync(gateLog) ? statSync(gateLog).size : 0;
  const gate: Child = startChild({
    name: 'gate',
    command: process.execPath,
    args: [fromRoot('dist', 'gate', 'main.js')],
    env: { KAFKA_BROKERS: brokers, TEMPORAL_ADDRESS: address, VIGIL_MODEL_PATH: modelPath, VIGIL_OPS_PORT: String(opsPort), VIGIL_OPS_HOST: '127.0.0.1', ...(gateKeyFile ? { VIGIL_GATE_SIGNING_KEY_FILE: gateKeyFile } : {}) },
    logFile: gateLog,
  });
  cleanup.push(() => gate.stop());
  say(`  gate          pid ${gate.pid}  ops :${opsPort}  log ${shown(gateLog)}`);
  // The gate's own counters say when it has read everything produced.
  const deadline = Date.now() + 120_000;
  let lag = Infinity;
  while (Date.now() < deadline && gate.process.exitCode === null) {
    const text = await fetch(`http://127.0.0.1:${opsPort}/metrics`).then((r) => r.text(), () => '');
    const lags = [...text.matchAll(/^vigil_gate_consumer_lag\{[^}]*\} (\d+)/gm)].map((m) => Number(m[1]));
    lag = lags.length ? lags.reduce((a, b) => a + b, 0) : Infinity;
    if (lag === 0) {
      const pick = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      say(`\nGate (separate process, Kafka source): ${pick('vigil_gate_events_consumed_total')} consumed, ${pick('vigil_gate_anomalies_total')} anomalous, ${pick('vigil_gate_llm_calls_avoided_total')} benign filtered out (metrics on :${opsPort}/metrics).`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (lag !== 0) throw new Error(`the gate did not catch up with ${topic} (see ${shown(gateLog)})`);
  // The gate logs each anomaly with the incident it opened or joined (a rerun joins the incidents
  // of the last run, so the incidents are read from this run's log lines, not from start times).
  const ids = new Set<string>();
  for (const line of readFileSync(gateLog, 'utf8').slice(logStart).split('\n')) {
    if (!line.includes('"msg":"anomaly"')) continue;
    const id = (JSON.parse(line) as { incidentId?: unknown }).incidentId;
    if (typeof id === 'string') ids.add(id);
  }
  return [...ids];
}

/**
 * The embedded default: a Temporal dev server (unless TEMPORAL_ADDRESS answers), each agent as
 * its own process, and the sample alerts replayed through the gate: scored by the Isolation
 * Forest, only anomalies open (or join) incidents. Ctrl-C stops every child by PID.
 */
export async function runDemo(opts: { alertsFile?: string; ui: boolean; exitWhenDone: boolean; kafka?: boolean; kube?: boolean; dryRun?: boolean }): Promise<void> {
  // VIGIL_DATA_DIR moves every file the demo writes (server db, logs, model, cluster) elsewhere: tests run it beside a user's demo.
  const dataDir = process.env.VIGIL_DATA_DIR || fromRoot('.data');
  let server: DevServer | null = null;
  let address = process.env.TEMPORAL_ADDRESS ?? '';
  if (address && (await temporalAnswers(address))) {
    say(`Using the Temporal server at ${address}.`);
  } else {
    say(`Starting the Temporal dev server (SQLite in ${shown(join(dataDir, 'temporal.db'))}, so incidents survive a restart)...`);
    server = await startDevServer({
      port: await portOr(7233),
      uiPort: opts.ui ? await portOr(8233) : null,
      dbFile: join(dataDir, 'temporal.db'),
      logFile: join(dataDir, 'logs', 'temporal.log'),
    });
    address = server.address;
  }
  const cleanup: Array<() => Promise<void>> = [];
  if (server) cleanup.push(() => (server as DevServer).stop());
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping workers and server...');
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const file = opts.alertsFile ?? DEMO_REPLAY;
    let kube: DemoKube | undefined;
    if (opts.kube !== false) {
      kube = await startDemoKube({ dataDir, alertsFile: file, dryRun: opts.dryRun, say });
      const cluster = kube.cluster;
      cleanup.push(() => cluster.stop());
    } else {
      say('No Kubernetes (--no-kube): remediation plans in dry-run mode only.');
    }
    say('Starting five worker processes: coordinator, analysis, review, remediation, notification...');
    const stack = await startWorkers({
      temporalAddress: address,
      logDir: join(dataDir, 'logs'),
      env: { VIGIL_LOG_LEVEL: process.env.VIGIL_LOG_LEVEL ?? 'info' },
      envFor: kube ? { remediation: kube.remediationEnv } : undefined,
    });
    cleanup.push(() => stack.stop());
    for (const [name, child] of stack.workers) say(`  ${name.padEnd(13)} pid ${child.pid}  ops :${stack.opsPorts.get(name)}  log ${shown(join(dataDir, 'logs', `${name}.log`))}`);

    const client = await connectClient(temporalConfigFromEnv({ ...process.env, TEMPORAL_ADDRESS: address }));
    const modelPath = process.env.VIGIL_MODEL_PATH || join(dataDir, 'gate', 'model.json');
    await ensureModel(modelPath, process.env.VIGIL_POLICY_DIR || fromRoot('policies', 'build'));
    say(`Replaying ${file} through the gate${opts.kafka ? ' via Kafka' : ''}...`);
    const ids = opts.kafka ? await replayThroughKafka(client, file, modelPath, address, dataDir, cleanup, stack.gateKeys?.privateKeyFile) : await replayFromFile(client, file, modelPath, dataDir, stack.gateKeys?.privateKeyFile);
    const states = await settle(client, [...new Set(ids)], 120_000);
    say('\nIncidents:');
    for (const s of states) {
      say(`  ${s.incidentId}  ${s.severity.padEnd(8)} ${(s.verdict?.outcome ?? '-').padEnd(12)} ${s.status.padEnd(17)} ${s.anomaly.alert.rule} on ${s.assetLabel}`);
    }
    const waiting = states.filter((s) => s.status === 'awaiting_decision');
    if (server?.uiUrl) say(`\nTemporal UI: ${server.uiUrl}/namespaces/default/workflows  (filter: VigilStatus="awaiting_decision")`);
    say(`Temporal address: ${address}   (export TEMPORAL_ADDRESS=${address} for the commands below)`);
    if (waiting.length) {
      const first = waiting[0] as IncidentState;
      say(`\n${waiting.length} incident(s) wait for an analyst. See them with:  npx vigil pending`);
      say(`Approve (alice is a senior analyst in policies/data.json):`);
      say(`  npx vigil approve ${first.incidentId} --analyst alice --reason "confirmed malicious"`);
      say(`  npx vigil reject ${first.incidentId} --analyst alice --reason "false positive"`);
      say(`  temporal workflow signal --address ${address} --workflow-id ${first.incidentId} --name analystDecision --input "$(npx vigil approve ${first.incidentId} --analyst alice --print)"`);
      say(`(decisions are signed: give alice a development key first with  npx vigil analyst add alice --role analyst senior --team security)`);
    }
    if (kube) {
      say('\nKubernetes:');
      for (const line of kube.instructions) say(`  ${line}`);
      if (waiting[0]) say(`  after approving, undo the containment:  npx vigil revert ${waiting[0].incidentId} --analyst alice --reason "contained, cleaned up"`);
      // The last line, like scripts/kube.sh start: scripts can pick it up.
      say(`KUBECONFIG=${kube.cluster.kubeconfigPath}`);
    }
    if (opts.exitWhenDone) return void (await shutdown(0));
    say('\nVigil is running. Ctrl-C stops every process.');
    await new Promise(() => undefined);
  } catch (err) {
    process.stderr.write(`demo failed: ${(err as Error).message}\n`);
    await shutdown(1);
  }
}
