import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { ITopicMetadata, LogEntry, logCreator } from 'kafkajs';
import { lastLines, pidAlive, runServerScript, waitAllGone } from '../../lib/devstack/pids';
import { fromRoot } from '../../lib/paths';

/**
 * A real single-node Kafka (KRaft) broker for tests, started by scripts/kafka.sh.
 * With KAFKA_BROKERS set, that cluster is used instead and nothing is started or stopped.
 */

export interface StartKafkaOptions {
  /** Broker port on 127.0.0.1; default: a free one. */
  port?: number;
  /** Data dir (config, KRaft logs, broker.log, broker.pid); default: a fresh temp dir that stop() removes. */
  dataDir?: string;
  /** Limit for the whole start, a first-time jar install included; default 240 s. */
  timeoutMs?: number;
  /** Keep a temp data dir after stop() (to read broker.log). */
  keepData?: boolean;
  /** Environment for the script; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface KafkaBroker {
  /** host:port list for kafkajs. */
  brokers: string[];
  /** The broker JVM's PID; undefined for an external cluster. */
  pid: number | undefined;
  /** The data dir; undefined for an external cluster. */
  dataDir: string | undefined;
  /** True when KAFKA_BROKERS named an existing cluster. */
  external: boolean;
  /** Stops the broker by PID (TERM, then KILL) and waits until it is gone. Idempotent; a no-op when external. */
  stop(): Promise<void>;
}

const SCRIPT = fromRoot('scripts', 'kafka.sh');
const DEFAULT_START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_S = 30;

const runScript = (args: string[], timeoutMs: number, env: NodeJS.ProcessEnv) => runServerScript(SCRIPT, args, timeoutMs, env);
const tail = lastLines;

/** True while the process exists and is not a zombie. */
export const isProcessAlive = pidAlive;

const waitGone = (pid: number, timeoutMs: number): Promise<boolean> => waitAllGone([pid], timeoutMs);

async function readPid(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(dataDir, 'broker.pid'), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function brokerLogTail(dataDir: string): Promise<string> {
  try {
    return tail(await readFile(join(dataDir, 'broker.log'), 'utf8'), 20);
  } catch {
    return '(no broker.log)';
  }
}

function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

/** Starts a broker (or adopts KAFKA_BROKERS). Throws with the script's output and the broker log tail on failure. */
export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const env = { ...(opts.env ?? process.env) };
  const external = env.KAFKA_BROKERS?.trim();
  if (external) {
    const brokers = parseBrokers(external);
    if (brokers.length === 0) throw new Error(`KAFKA_BROKERS is set but names no broker: "${external}"`);
    return { brokers, pid: undefined, dataDir: undefined, external: true, stop: async () => {} };
  }

  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'vigil-kafka-')));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  // The script's own readiness wait ends before ours, so its error (with the log tail) is what we see.
  const readySeconds = Math.max(10, Math.floor((timeoutMs - 5_000) / 1000));
  // --owner-pid: the script's watchdog stops the broker once this process is gone, so a test run
  // that dies or times out without stop() leaves no JVM. (A process 'exit' handler would not do:
  // jest hands test files a sandboxed process object whose 'exit' listeners never fire.)
  const args = ['start', '--data', dataDir, '--timeout', String(readySeconds), '--owner-pid', String(process.pid)];
  if (opts.port !== undefined) args.push('--port', String(opts.port));

  const res = await runScript(args, timeoutMs, env);
  const line = res.stdout.split('\n').find((l) => l.startsWith('KAFKA_BROKERS='));
  const pid = await readPid(dataDir);

  if (res.code !== 0 || line === undefined || pid === undefined) {
    // The broker runs in its own session, so killing the script on a timeout leaves it running: end it here.
    if (pid !== undefined && isProcessAlive(pid)) {
      await runScript(['stop', '--data', dataDir, '--timeout', '5'], 30_000, env);
    }
    const why = res.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${res.code ?? 'a signal'}`;
    const logTail = await brokerLogTail(dataDir);
    if (ownDir && !opts.keepData) await rm(dataDir, { recursive: true, force: true });
    throw new Error(
      `scripts/kafka.sh start ${why}` +
        (line === undefined ? ' without printing KAFKA_BROKERS=' : '') +
        (pid === undefined ? ' and left no broker.pid' : '') +
        `\n--- script stderr ---\n${tail(res.stderr)}\n--- broker.log (${dataDir}) ---\n${logTail}`,
    );
  }

  const brokers = parseBrokers(line.slice('KAFKA_BROKERS='.length));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const res = await runScript(['stop', '--data', dataDir, '--timeout', String(STOP_TIMEOUT_S)], (STOP_TIMEOUT_S + 30) * 1000, env);
      // The script kills by PID too; this is the fallback when it could not (timeout, missing ps, ...).
      if (!(await waitGone(pid, 5_000))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      const gone = await waitGone(pid, 10_000);
      if (!gone) {
        throw new Error(`Kafka broker pid ${pid} still running after stop\n--- script stderr ---\n${tail(res.stderr)}`);
      }
      if (ownDir && !opts.keepData) await rm(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  return { brokers, pid, dataDir, external: false, stop };
}

export interface CreateTopicOptions {
  /** Default -1: the cluster's default.replication.factor (1 on the local broker). */
  replicationFactor?: number;
  /** Default 30 s. */
  timeoutMs?: number;
}

// Answers a broker gives while its internal topics are still being created or loaded; kafkajs
// retries them on its own but logs each at ERROR, which buries real errors in test output.
const TRANSIENT = /coordinator is not available|coordinator is loading|not the correct coordinator|leader not available|no leader for partition/i;

/** Logs kafkajs errors on stderr, except the transient start-up answers that kafkajs retries. */
const quietLogCreator: logCreator = () => (entry: LogEntry) => {
  const { message, error } = entry.log as LogEntry['log'] & { error?: unknown };
  if (typeof error === 'string' && TRANSIENT.test(error)) return;
  console.error(`[kafkajs ${entry.namespace}] ${message}${error === undefined ? '' : `: ${String(error)}`}`);
};

/** A kafkajs client with quiet logging and retries suited to a broker that has just started. */
export function testKafka(brokers: string[], clientId = 'vigil-test'): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.ERROR,
    logCreator: quietLogCreator,
    connectionTimeout: 5_000,
    retry: { initialRetryTime: 200, retries: 10 },
  });
}

/** The broker's answer while a topic it has just created is not in its metadata yet (retriable in Kafka). */
const notYetKnown = (err: unknown): boolean => {
  const e = err as { type?: string; originalError?: unknown } | null;
  return e?.type === 'UNKNOWN_TOPIC_OR_PARTITION' || (e?.originalError !== undefined && notYetKnown(e.originalError));
};

/**
 * Creates a topic and waits until every partition has a leader. An existing topic with the same
 * partition count is accepted; one with a different count is an error.
 */
export async function createTopic(
  brokers: string[],
  topic: string,
  partitions: number,
  opts: CreateTopicOptions = {},
): Promise<void> {
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`createTopic(${topic}): bad partition count ${partitions}`);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const admin = testKafka(brokers, 'vigil-test-admin').admin();
  try {
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: partitions, replicationFactor: opts.replicationFactor ?? -1 }],
        waitForLeaders: true,
        timeout: timeoutMs,
      });
    } catch (err) {
      // A loaded broker may answer the leader wait before its metadata knows the new topic: poll below.
      if (!notYetKnown(err)) throw err;
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let meta: ITopicMetadata | undefined;
      try {
        meta = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0];
      } catch (err) {
        if (!notYetKnown(err) || Date.now() >= deadline) throw err;
      }
      const count = meta?.partitions.length ?? 0;
      if (count !== 0 && count !== partitions) {
        throw new Error(`topic ${topic} already exists with ${count} partitions, not ${partitions}`);
      }
      if (count === partitions && meta?.partitions.every((p) => p.leader >= 0)) return;
      if (Date.now() >= deadline) throw new Error(`topic ${topic}: partitions without a leader after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    throw new Error(`createTopic(${topic}, ${partitions}) on ${brokers.join(',')}: ${(err as Error).message}`, { cause: err });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
