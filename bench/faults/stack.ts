import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { SEVERITIES } from '../../contracts';
import { saveGateModel } from '../../gate/model/gate-model';
import { trainGateModel } from '../../gate/model/train';
import type { Child } from '../../lib/devstack/children';
import { startChild } from '../../lib/devstack/children';
import type { DevServer } from '../../lib/devstack/dev-server';
import { startDevServer } from '../../lib/devstack/dev-server';
import { freePort } from '../../lib/devstack/ports';
import type { WorkerName, WorkerStack } from '../../lib/devstack/stack';
import { startWorkers } from '../../lib/devstack/stack';
import { fromRoot } from '../../lib/paths';
import { connectClient } from '../../lib/temporal-client';
import { temporalConfigFromEnv } from '../../lib/temporal-config';
import type { KafkaBroker } from '../../test/helpers/kafka-broker';
import { startKafka } from '../../test/helpers/kafka-broker';
import type { FaultKube } from './kube';
import type { Watched } from './soak-stats';
import { startFaultKube } from './kube';
import { exampleFile, MAX_EVENT_BYTES } from './stream';
import type { WebhookSink } from './webhook-sink';
import { startWebhookSink } from './webhook-sink';

/**
 * The whole stack as production runs it, on loopback: a Kafka broker (scripts/kafka.sh) and a
 * Temporal dev server, each with a data dir kept across its own restarts and on a fixed port so the
 * clients' addresses stay valid; the five workers as processes; the gate as a process per scenario;
 * the notifier's webhook as a local server. Every child is stopped by PID.
 */
export interface FaultStack {
  dir: string;
  kafka: KafkaBroker;
  server: DevServer;
  workers: WorkerStack;
  client: Client;
  sink: WebhookSink;
  /** The API server remediation acts on (acting mode), or null when the stack runs remediation in dry-run. */
  kube: FaultKube | null;
  restartServer(downMs: number): Promise<void>;
  restartBroker(downMs: number): Promise<void>;
  startGate(topic: string): Promise<Child>;
  rss(): Record<string, number>;
  /** Every process of the stack by role, with its PID now (and ops port, for the Node ones): what the soak samples. */
  watched(): Watched[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a PID in MiB, from /proc (0 when gone). */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export interface FaultStackOptions {
  /** Remediation acts on a local kube-apiserver (scripts/kube.sh); false: dry-run, no cluster. */
  acting: boolean;
  /** How long containment holds before the policy's TTL reverts it (acting mode), so incidents close without an analyst. */
  containmentTtlSeconds: number;
  /** Node flags for one worker (the soak's memory-pressure run: `--max-old-space-size`), kept across its restarts. */
  nodeArgsFor?: Partial<Record<WorkerName, string[]>>;
  /** Extra environment for one worker (a memory experiment: `MALLOC_ARENA_MAX`), kept across its restarts. */
  envFor?: Partial<Record<WorkerName, NodeJS.ProcessEnv>>;
}

/** Stacks started and not yet stopped, so an interrupted run can stop every child it started (`stopOpenFaultStacks`). */
const openStacks = new Set<() => Promise<void>>();

/** Stops every stack still open: the harness's SIGINT/SIGTERM path, where no `finally` of a scenario will run. */
export async function stopOpenFaultStacks(): Promise<void> {
  for (const stop of [...openStacks]) await stop().catch((err: unknown) => console.error(`stopping the fault stack: ${(err as Error).message}`));
}

export async function startFaultStack(opts: FaultStackOptions = { acting: true, containmentTtlSeconds: 15 }): Promise<FaultStack> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-faults-'));
  const modelPath = join(dir, 'model.json');
  const policyDir = join(dir, 'policy');
  cpSync(fromRoot('policies', 'build'), policyDir, { recursive: true });
  // Threshold 0: every valid alert is an anomaly, so the expected incidents are known from the stream.
  const dataPath = join(policyDir, 'data.json');
  const data = JSON.parse(readFileSync(dataPath, 'utf8')) as { vigil: { config: { gate: { anomaly_threshold: number }; remediation?: Record<string, unknown> } } };
  data.vigil.config.gate.anomaly_threshold = 0;
  // A short TTL for every severity: containment is reverted by the policy, not by an analyst.
  const ttl = Object.fromEntries(SEVERITIES.map((s) => [s, opts.containmentTtlSeconds]));
  data.vigil.config.remediation = { ...data.vigil.config.remediation, containment_ttl_seconds: ttl };
  writeFileSync(dataPath, JSON.stringify(data));
  saveGateModel(trainGateModel(exampleFile('gate-background.jsonl'), { criticalNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'vigil'], seed: 1, input: 'examples/gate-background.jsonl' }), modelPath);

  const kafkaDir = join(dir, 'kafka');
  const kafkaPort = await freePort();
  const serverPort = await freePort();
  const dbFile = join(dir, 'temporal.db');
  const serverOpts = { port: serverPort, uiPort: null, dbFile, logFile: join(dir, 'temporal.log') };
  const sink = await startWebhookSink();
  const stack = {} as FaultStack;
  const gates: Child[] = [];
  const gateOpsPorts = new Map<Child, number>();
  let kafka: KafkaBroker | undefined;
  let server: DevServer | undefined;
  let workers: WorkerStack | undefined;
  let kube: FaultKube | null = null;
  // Once: the interrupt path and a scenario's own `finally` may both ask.
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopNow());
  const stopNow = async () => {
    openStacks.delete(stop);
    for (const g of gates) await g.kill9();
    await stack.client?.connection.close().catch(() => undefined);
    await workers?.stop();
    await server?.stop();
    await kafka?.stop();
    await kube?.stop();
    await sink.close();
    // Logs and data are kept for a post-mortem only when asked (VIGIL_FAULTS_KEEP=1).
    if (process.env.VIGIL_FAULTS_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    else console.error(`fault stack logs kept in ${dir}`);
  };
  openStacks.add(stop);
  try {
    const kubeStarted = opts.acting ? startFaultKube(join(dir, 'kube')) : Promise.resolve(null);
    [kafka, server, kube] = await Promise.all([startKafka({ port: kafkaPort, dataDir: kafkaDir }), startDevServer(serverOpts), kubeStarted]);
    const acting: NodeJS.ProcessEnv = kube
      ? { ...kube.remediationEnv, VIGIL_DRY_RUN: 'false', VIGIL_POLICY_DIR: policyDir, VIGIL_EVIDENCE_DIR: join(dir, 'evidence') }
      : { VIGIL_DRY_RUN: 'true', VIGIL_POLICY_DIR: policyDir };
    workers = await startWorkers({
      temporalAddress: server.address,
      logDir: dir,
      env: { VIGIL_NOTIFIERS: 'webhook', VIGIL_WEBHOOK_URL: sink.url, VIGIL_LOG_LEVEL: 'warn' },
      envFor: { ...opts.envFor, remediation: { ...opts.envFor?.remediation, ...acting } },
      nodeArgsFor: opts.nodeArgsFor,
    });
    const gateKey = workers.gateKeys?.privateKeyFile;
    if (!gateKey) throw new Error('the worker stack made no gate key: the gate could not sign, and every incident would escalate');
    const client = await connectClient(temporalConfigFromEnv({ TEMPORAL_ADDRESS: server.address }));
    Object.assign(stack, {
      dir,
      kafka,
      server,
      workers,
      client,
      sink,
      kube,
      async restartServer(downMs: number) {
        await stack.server.stop();
        await sleep(downMs);
        server = await startDevServer(serverOpts);
        stack.server = server;
      },
      async restartBroker(downMs: number) {
        await stack.kafka.stop();
        await sleep(downMs);
        kafka = await startKafka({ port: kafkaPort, dataDir: kafkaDir });
        stack.kafka = kafka;
      },
      async startGate(topic: string) {
        const opsPort = await freePort();
        const logFile = join(dir, `gate-${topic}.log`);
        const child = startChild({
          name: 'gate',
          command: process.execPath,
          args: [fromRoot('dist', 'gate', 'main.js')],
          env: {
            KAFKA_BROKERS: stack.kafka.brokers.join(','),
            VIGIL_KAFKA_TOPIC: topic,
            VIGIL_KAFKA_DLQ_TOPIC: `${topic}.dlq`,
            VIGIL_KAFKA_GROUP: `gate-${topic}`,
            VIGIL_KAFKA_TRANSACTIONAL_ID: `gate-${topic}`,
            VIGIL_KAFKA_SESSION_TIMEOUT_MS: '8000',
            VIGIL_GATE_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES),
            VIGIL_MODEL_PATH: modelPath,
            VIGIL_POLICY_DIR: policyDir,
            VIGIL_GATE_SIGNING_KEY_FILE: gateKey,
            // Each row counts completed incidents: one whose containment was refused would otherwise
            // stay open watching its workload for 10 min (the watch has its own tests).
            VIGIL_GATE_INCIDENT_WATCH_MS: '0',
            TEMPORAL_ADDRESS: stack.server.address,
            VIGIL_OPS_PORT: String(opsPort),
            VIGIL_OPS_HOST: '127.0.0.1',
          },
          logFile,
        });
        gates.push(child);
        gateOpsPorts.set(child, opsPort);
        const deadline = Date.now() + 90_000;
        for (;;) {
          if (child.process.exitCode !== null) throw new Error(`gate exited with ${child.process.exitCode}; log ${logFile}`);
          if (await fetch(`http://127.0.0.1:${opsPort}/readyz`).then((r) => r.ok, () => false)) return child;
          if (Date.now() > deadline) throw new Error(`gate not ready within 90 s; log ${logFile}`);
          await sleep(250);
        }
      },
      rss() {
        const out: Record<string, number> = { temporal: rssMiB(stack.server.child.pid) };
        for (const [name, c] of stack.workers.workers) out[name] = rssMiB(c.pid);
        for (const g of gates) if (g.process.exitCode === null && g.process.signalCode === null) out.gate = rssMiB(g.pid);
        return out;
      },
      watched() {
        const out: Watched[] = [];
        for (const [name, c] of stack.workers.workers) out.push({ role: name, pid: c.pid, opsPort: stack.workers.opsPorts.get(name) });
        for (const g of gates) if (g.process.exitCode === null && g.process.signalCode === null) out.push({ role: 'gate', pid: g.pid, opsPort: gateOpsPorts.get(g) });
        out.push({ role: 'temporal', pid: stack.server.child.pid });
        if (stack.kafka.pid !== undefined) out.push({ role: 'broker', pid: stack.kafka.pid });
        for (const [role, pid] of Object.entries(stack.kube?.pids() ?? {})) out.push({ role, pid });
        return out;
      },
      stop,
    } satisfies FaultStack);
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}
