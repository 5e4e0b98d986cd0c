import { formatIssues } from '../contracts/issues';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { DEFAULT_CORRELATION_MAX_MS, DEFAULT_CORRELATION_WINDOW_MS } from '../lib/identity';
import { fromRoot } from '../lib/paths';

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number) => z.coerce.number().int().min(min);

export const DEFAULT_TOPIC = 'falco.events';
export const DEFAULT_DLQ_TOPIC = 'falco.events.dlq';

/** The gate process's whole configuration, parsed once in main (env, or the CLI's flags over env). */
export const GateConfigSchema = z
  .object({
    source: z.enum(['kafka', 'file']),
    /** File source: a JSONL path, or '-' for stdin. */
    input: z.string().min(1).default('-'),
    deadLetterFile: z.string().min(1).optional(),
    brokers: z.array(z.string().min(1)).default([]),
    topic: z.string().min(1).default(DEFAULT_TOPIC),
    deadLetterTopic: z.string().min(1).default(DEFAULT_DLQ_TOPIC),
    groupId: z.string().min(1).default('vigil-gate'),
    clientId: z.string().min(1).default('vigil-gate'),
    transactionalId: z.string().min(1).default(`vigil-gate-${hostname()}`),
    fromBeginning: flag.default(true),
    kafkaSsl: flag.default(false),
    kafkaSaslMechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    kafkaSaslUsername: z.string().optional(),
    kafkaSaslPasswordFile: z.string().optional(),
    maxBytesPerPartition: int(1024).optional(),
    /** How long the group waits for a silent member (a killed gate) before its partitions move. */
    sessionTimeoutMs: int(6000).default(30_000),
    modelPath: z.string().min(1).default(fromRoot('.data', 'gate', 'model.json')),
    policyDir: z.string().min(1).default(fromRoot('policies', 'build')),
    maxEventBytes: int(1024).default(1024 * 1024),
    /** A workload's incident window closes after this long without an anomaly ... */
    correlationWindowMs: int(1000).default(DEFAULT_CORRELATION_WINDOW_MS),
    /** ... and never spans more than this. */
    correlationMaxMs: int(1000).default(DEFAULT_CORRELATION_MAX_MS),
    /**
     * How long a settled incident keeps watching its workload for more of the chain (wall time;
     * default: the correlation window; 0: incidents close as soon as they settle).
     */
    incidentWatchMs: int(0).optional(),
    /** An alert dated further ahead of its receive time is untrusted: windows use the receive time. */
    maxAlertFutureMs: int(0).default(5 * 60_000),
    /** ... likewise one dated further back (0: no bound; the file source's default, for replays). */
    maxAlertAgeMs: int(0).optional(),
    /** A scoring thread that does not answer a batch in this long is replaced. */
    stallMs: int(100).default(10_000),
    /** Probes fail while a batch has been scoring longer than this (the watchdog). */
    watchdogMs: int(100).default(30_000),
    /** Fault injection for the hardening tests only: `stall:<marker>` or `crash:<marker>`. */
    faultInjection: z.string().regex(/^(stall|crash):.+$/).optional(),
    maxSubjects: int(1).default(100_000),
    maxRarityKeys: int(1).default(50_000),
    openConcurrency: int(1).default(8),
    scoringThread: flag.default(true),
    batchSize: int(1).default(500),
    opsPort: int(0).max(65535).default(9464),
    opsHost: z.string().default('0.0.0.0'),
    shutdownGraceMs: int(0).default(20_000),
    /** Ed25519 private key (PKCS#8 PEM) the gate signs anomalies with; without it every incident is untrusted. */
    signingKeyFile: z.string().min(1).optional(),
    /** Fault injection for the redelivery test only: delay each Kafka commit after Temporal acknowledged the batch. */
    commitDelayMs: int(0).default(0),
  })
  .superRefine((c, ctx) => {
    if (c.source === 'kafka' && c.brokers.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['brokers'], message: 'the Kafka source needs KAFKA_BROKERS (host:port,...); `scripts/kafka.sh start` runs a local broker' });
    }
    if (c.kafkaSaslMechanism && (!c.kafkaSaslUsername || !c.kafkaSaslPasswordFile)) {
      ctx.addIssue({ code: 'custom', path: ['kafkaSaslMechanism'], message: 'SASL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE' });
    }
  });
export type GateConfig = z.infer<typeof GateConfigSchema>;

const csv = (v: string | undefined) =>
  v === undefined || v.trim() === ''
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** Environment names → config fields. Empty variables count as unset. */
export function gateConfigFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<Record<keyof GateConfig, unknown>> = {}): GateConfig {
  const e = (name: string) => (env[name] === '' ? undefined : env[name]);
  const raw: Record<string, unknown> = {
    source: e('VIGIL_GATE_SOURCE') ?? (e('KAFKA_BROKERS') ? 'kafka' : e('VIGIL_GATE_INPUT') ? 'file' : 'kafka'),
    input: e('VIGIL_GATE_INPUT'),
    deadLetterFile: e('VIGIL_GATE_DLQ_FILE'),
    brokers: csv(e('KAFKA_BROKERS')),
    topic: e('VIGIL_KAFKA_TOPIC'),
    deadLetterTopic: e('VIGIL_KAFKA_DLQ_TOPIC'),
    groupId: e('VIGIL_KAFKA_GROUP'),
    clientId: e('VIGIL_KAFKA_CLIENT_ID'),
    transactionalId: e('VIGIL_KAFKA_TRANSACTIONAL_ID'),
    fromBeginning: e('VIGIL_KAFKA_FROM_BEGINNING'),
    kafkaSsl: e('KAFKA_SSL'),
    kafkaSaslMechanism: e('KAFKA_SASL_MECHANISM'),
    kafkaSaslUsername: e('KAFKA_SASL_USERNAME'),
    kafkaSaslPasswordFile: e('KAFKA_SASL_PASSWORD_FILE'),
    maxBytesPerPartition: e('VIGIL_KAFKA_MAX_BYTES_PER_PARTITION'),
    sessionTimeoutMs: e('VIGIL_KAFKA_SESSION_TIMEOUT_MS'),
    modelPath: e('VIGIL_MODEL_PATH'),
    policyDir: e('VIGIL_POLICY_DIR'),
    maxEventBytes: e('VIGIL_GATE_MAX_EVENT_BYTES'),
    correlationWindowMs: e('VIGIL_GATE_CORRELATION_WINDOW_MS'),
    correlationMaxMs: e('VIGIL_GATE_CORRELATION_MAX_MS'),
    incidentWatchMs: e('VIGIL_GATE_INCIDENT_WATCH_MS'),
    maxAlertFutureMs: e('VIGIL_GATE_MAX_ALERT_FUTURE_MS'),
    maxAlertAgeMs: e('VIGIL_GATE_MAX_ALERT_AGE_MS'),
    stallMs: e('VIGIL_GATE_STALL_MS'),
    watchdogMs: e('VIGIL_GATE_WATCHDOG_MS'),
    faultInjection: e('VIGIL_GATE_FAULT_INJECTION'),
    maxSubjects: e('VIGIL_GATE_MAX_SUBJECTS'),
    maxRarityKeys: e('VIGIL_GATE_MAX_RARITY_KEYS'),
    openConcurrency: e('VIGIL_GATE_OPEN_CONCURRENCY'),
    scoringThread: e('VIGIL_GATE_SCORING_THREAD'),
    batchSize: e('VIGIL_GATE_BATCH_SIZE'),
    opsPort: e('VIGIL_OPS_PORT'),
    opsHost: e('VIGIL_OPS_HOST'),
    shutdownGraceMs: e('VIGIL_SHUTDOWN_GRACE_MS'),
    signingKeyFile: e('VIGIL_GATE_SIGNING_KEY_FILE'),
    commitDelayMs: e('VIGIL_GATE_COMMIT_DELAY_MS'),
  };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) raw[k] = v;
  const parsed = GateConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`invalid gate configuration: ${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** kafkajs SASL settings, the password read from its file (a mounted Secret), never from the environment. */
export function kafkaSasl(c: GateConfig): SASLOptions | undefined {
  if (!c.kafkaSaslMechanism || !c.kafkaSaslUsername || !c.kafkaSaslPasswordFile) return undefined;
  const password = readFileSync(c.kafkaSaslPasswordFile, 'utf8').trim();
  const username = c.kafkaSaslUsername;
  if (c.kafkaSaslMechanism === 'plain') return { mechanism: 'plain', username, password };
  if (c.kafkaSaslMechanism === 'scram-sha-256') return { mechanism: 'scram-sha-256', username, password };
  return { mechanism: 'scram-sha-512', username, password };
}
