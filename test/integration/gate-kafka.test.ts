import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Admin, Producer } from 'kafkajs';
import { FalcoAlertSchema } from '../../contracts';
import { encodeModel, trainIsolationForest } from '../../gate/iforest';
import { saveGateModel } from '../../gate/model/gate-model';
import { trainGateModel } from '../../gate/model/train';
import type { Child } from '../../lib/devstack/children';
import { startChild } from '../../lib/devstack/children';
import type { DevServer } from '../../lib/devstack/dev-server';
import { startDevServer } from '../../lib/devstack/dev-server';
import { alertFingerprint, correlationKeyFor, incidentIdFor } from '../../lib/identity';
import { freePort } from '../../lib/devstack/ports';
import type { WorkerStack } from '../../lib/devstack/stack';
import { startWorkers } from '../../lib/devstack/stack';
import { connectClient } from '../../lib/temporal-client';
import { temporalConfigFromEnv } from '../../lib/temporal-config';
import { alertsQuery } from '../../workflows/definitions';
import type { KafkaBroker } from '../helpers/kafka-broker';
import { createTopic, startKafka, testKafka } from '../helpers/kafka-broker';
import { ROOT } from '../helpers/fixtures';
import { runCommand } from '../helpers/run-command';
import type { MixedStream } from '../unit/gate/helpers';
import { background, CRITICAL, mixedStream } from '../unit/gate/helpers';

/**
 * The gate as production runs it: `node dist/gate/main.js`, a real Kafka broker, a real Temporal
 * dev server, and the coordinator worker as its own process (no analysis worker, so incidents
 * stay open and every later alert can join them).
 */
describe('gate on Kafka (real broker, dev server, gate process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-gate-it-'));
  const modelPath = join(dir, 'model.json');
  const policyDir = join(dir, 'policy');
  let kafka: KafkaBroker | undefined;
  let server: DevServer | undefined;
  let workers: WorkerStack | undefined;
  let client: Client | undefined;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  const gates: Child[] = [];

  beforeAll(async () => {
    cpSync(join(ROOT, 'policies', 'build'), policyDir, { recursive: true });
    setThreshold(0.6);
    saveGateModel(trainGateModel(background(), { criticalNamespaces: CRITICAL, seed: 1, input: 'examples/gate-background.jsonl' }), modelPath);
    [kafka, server] = await Promise.all([startKafka(), startDevServer({ uiPort: null, logFile: join(dir, 'temporal.log') })]);
    workers = await startWorkers({ temporalAddress: server.address, logDir: dir, names: ['coordinator'] });
    client = await connectClient(temporalConfigFromEnv({ TEMPORAL_ADDRESS: server.address }));
    admin = testKafka(kafka.brokers, 'vigil-gate-it-admin').admin();
    await admin.connect();
    producer = testKafka(kafka.brokers, 'vigil-gate-it-producer').producer();
    await producer.connect();
  }, 300_000);

  afterAll(async () => {
    for (const g of gates) await g.kill9();
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await client?.connection.close().catch(() => undefined);
    await workers?.stop();
    await server?.stop();
    await kafka?.stop();
  }, 120_000);

  function setThreshold(t: number): void {
    const path = join(policyDir, 'data.json');
    const data = JSON.parse(readFileSync(path, 'utf8')) as { vigil: { config: { gate: { anomaly_threshold: number } } } };
    data.vigil.config.gate.anomaly_threshold = t;
    writeFileSync(path, JSON.stringify(data));
  }

  async function startGate(topic: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: Child; metrics: () => Promise<string> }> {
    const opsPort = await freePort();
    const child = startChild({
      name: 'gate',
      command: process.execPath,
      args: [join(ROOT, 'dist', 'gate', 'main.js')],
      env: {
        KAFKA_BROKERS: kafka!.brokers.join(','),
        VIGIL_KAFKA_TOPIC: topic,
        VIGIL_KAFKA_DLQ_TOPIC: `${topic}.dlq`,
        VIGIL_KAFKA_GROUP: `gate-${topic}`,
        VIGIL_KAFKA_TRANSACTIONAL_ID: `gate-${topic}`,
        VIGIL_MODEL_PATH: modelPath,
        VIGIL_POLICY_DIR: policyDir,
        TEMPORAL_ADDRESS: server!.address,
        VIGIL_OPS_PORT: String(opsPort),
        VIGIL_OPS_HOST: '127.0.0.1',
        VIGIL_KAFKA_SESSION_TIMEOUT_MS: '8000',
        ...env,
      },
      logFile: join(dir, `gate-${topic}.log`),
    });
    gates.push(child);
    const metrics = async () => (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.process.exitCode !== null) throw new Error(`gate exited with ${child.process.exitCode}; log ${join(dir, `gate-${topic}.log`)}`);
      const ok = await fetch(`http://127.0.0.1:${opsPort}/readyz`).then((r) => r.ok, () => false);
      if (ok) return { child, metrics };
      if (Date.now() > deadline) throw new Error('gate not ready within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** A metric's value (summed over label sets that match), from Prometheus text. */
  function metric(text: string, name: string, labels: Record<string, string> = {}): number {
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
    }
    return sum;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function produce(topic: string, stream: MixedStream, partitions: number): Promise<void> {
    await createTopic(kafka!.brokers, topic, partitions);
    await createTopic(kafka!.brokers, `${topic}.dlq`, 1);
    // falcosidekick's shape: the alert JSON as value, no key, no headers.
    await producer!.send({ topic, acks: -1, messages: stream.messages.map((m, i) => ({ value: m.value, partition: i % partitions })) });
  }

  async function committedAll(topic: string): Promise<boolean> {
    const ends = await admin!.fetchTopicOffsets(topic);
    const [committed] = await admin!.fetchOffsets({ groupId: `gate-${topic}`, topics: [topic] });
    return ends.every((e) => committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
  }

  /** Every message of a topic, read as read_committed (aborted transactions never show). */
  async function readAll(topic: string): Promise<Array<{ value: Buffer | null; headers: Record<string, string> }>> {
    const ends = await admin!.fetchTopicOffsets(topic);
    const want = ends.reduce((n, e) => n + Number(e.high), 0);
    const out: Array<{ value: Buffer | null; headers: Record<string, string>; offset: string }> = [];
    const consumer = testKafka(kafka!.brokers, 'vigil-gate-it-reader').consumer({ groupId: `reader-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      // Offsets count transaction markers too: stop when the reader has caught up to the end.
      let caughtUp = false;
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            out.push({ value: m.value, offset: m.offset, headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)])) });
          }
          if (Number(batch.highWatermark) >= want && BigInt(batch.lastOffset()) + 1n >= BigInt(batch.highWatermark)) caughtUp = true;
        },
      });
      await until(`reading ${topic}`, async () => (caughtUp || want === 0 ? true : undefined), 30_000);
    } finally {
      await consumer.disconnect();
    }
    return out;
  }

  const expectedMalformed = (stream: MixedStream) =>
    stream.messages
      .filter((m) => m.kind === 'malformed')
      .map((m) => (m.value ?? Buffer.alloc(0)).toString('base64'))
      .sort();

  it('dead-letters every malformed message with its reason and original bytes, follows policy and model changes, and drains on SIGTERM', async () => {
    const topic = `falco.events.${randomUUID().slice(0, 8)}`;
    const stream = mixedStream({ benign: 120, groups: 0, seed: 11 });
    await produce(topic, stream, 2);
    // `vigil train --kafka` reads the latest window of the topic without moving anyone's offsets.
    const trained = await runCommand(
      process.execPath,
      [join(ROOT, 'bin', 'vigil.js'), 'train', '--kafka', '--brokers', kafka!.brokers.join(','), '--topic', topic, '--window', '1000', '--out', join(dir, 'window-model.json'), '--policy-dir', policyDir],
      { timeoutMs: 120_000 },
    );
    const valid = stream.messages.filter((m) => m.kind === 'benign').length;
    expect({ code: trained.code, stderr: trained.code === 0 ? '' : trained.stderr }).toEqual({ code: 0, stderr: '' });
    expect(trained.stdout).toContain(`on ${valid} alerts from kafka:${topic} (last 1000)`);
    expect(trained.stdout).toContain('skipped');

    const gate = await startGate(topic);
    const total = stream.messages.length;
    const text = await until('all consumed', async () => {
      const t = await gate.metrics();
      return metric(t, 'vigil_gate_events_consumed_total') === total && (await committedAll(topic)) ? t : undefined;
    });
    const malformed = expectedMalformed(stream);
    expect(metric(text, 'vigil_gate_events_dead_lettered_total')).toBe(malformed.length);
    expect(metric(text, 'vigil_gate_events_validated_total')).toBe(total - malformed.length);
    expect(metric(text, 'vigil_gate_events_scored_total')).toBe(total - malformed.length);
    expect(metric(text, 'vigil_gate_anomalies_total')).toBe(0);
    expect(metric(text, 'vigil_gate_llm_calls_avoided_total')).toBe(total - malformed.length);
    expect(metric(text, 'vigil_gate_events_dead_lettered_total', { kind: 'not_json' })).toBe(3);
    expect(metric(text, 'vigil_gate_events_dead_lettered_total', { kind: 'empty' })).toBe(1);
    expect(metric(text, 'vigil_gate_events_dead_lettered_total', { kind: 'not_an_object' })).toBe(2);
    expect(metric(text, 'vigil_gate_events_dead_lettered_total', { kind: 'invalid_alert' })).toBe(2);
    expect(metric(text, 'vigil_gate_consumer_lag')).toBe(0);
    expect(metric(text, 'vigil_gate_anomaly_score_count')).toBe(total - malformed.length);

    const dlq = await readAll(`${topic}.dlq`);
    expect(dlq.map((m) => (m.value ?? Buffer.alloc(0)).toString('base64')).sort()).toEqual(malformed);
    for (const m of dlq) {
      expect(m.headers).toMatchObject({ 'vigil-dlq-source-topic': topic, 'vigil-dlq-kind': expect.any(String), 'vigil-dlq-reason': expect.any(String) });
      const partition = Number(m.headers['vigil-dlq-source-partition']);
      const offset = Number(m.headers['vigil-dlq-source-offset']);
      // The header points at the very message: message i went to partition i % 2.
      const index = stream.messages.findIndex((_, i) => i % 2 === partition && Math.floor(i / 2) === offset);
      expect(stream.messages[index]?.kind).toBe('malformed');
    }

    // Policy: a new threshold applies without a restart.
    setThreshold(0.75);
    await until('threshold 0.75', async () => (metric(await gate.metrics(), 'vigil_gate_anomaly_threshold') === 0.75 ? true : undefined), 20_000);

    // Model: a model for other features is refused and the current one kept; a good one is taken.
    const modelId = (t: string) => /vigil_gate_model_info\{model="([0-9a-f]+)"/.exec(t)?.[1];
    const before = modelId(await gate.metrics());
    const good = readFileSync(modelPath);
    writeFileSync(modelPath, encodeModel(trainIsolationForest([[1, 2], [2, 3], [3, 1]], { featureNames: ['a', 'b'] })));
    await until('refusal logged', async () => (readFileSync(join(dir, `gate-${topic}.log`), 'utf8').includes('new model refused') ? true : undefined), 20_000);
    expect(modelId(await gate.metrics())).toBe(before);
    saveGateModel(trainGateModel(background(), { criticalNamespaces: CRITICAL, seed: 2 }), modelPath);
    const after = await until('new model', async () => {
      const id = modelId(await gate.metrics());
      return id && id !== before ? id : undefined;
    }, 20_000);
    expect(after).not.toBe(before);
    writeFileSync(modelPath, good);

    gate.child.process.kill('SIGTERM');
    expect(await gate.child.exited).toBe(0);
    expect(await committedAll(topic)).toBe(true);
    setThreshold(0.6);
  }, 240_000);

  it('kill -9 mid-batch, restart: every anomalous alert in exactly one incident, none lost, the DLQ holds exactly the malformed ones', async () => {
    const topic = `falco.events.${randomUUID().slice(0, 8)}`;
    const stream = mixedStream({ benign: 300, groups: 12, seed: 4 });
    await produce(topic, stream, 3);
    // Small fetches make many batches; the commit delay holds each batch, already in Temporal,
    // uncommitted for a while, so the kill lands after Temporal acknowledged and before Kafka committed.
    const slow = { VIGIL_KAFKA_MAX_BYTES_PER_PARTITION: '8192', VIGIL_GATE_COMMIT_DELAY_MS: '1500' };
    const first = await startGate(topic, slow);
    const atKill = await until('a first incident', async () => {
      const t = await first.metrics();
      return metric(t, 'vigil_gate_incidents_total') > 0 ? t : undefined;
    });
    await first.child.kill9();
    const consumedBefore = metric(atKill, 'vigil_gate_events_consumed_total');
    expect(await committedAll(topic)).toBe(false);

    const second = await startGate(topic, { VIGIL_KAFKA_MAX_BYTES_PER_PARTITION: '8192' });
    const done = await until('all committed', async () => ((await committedAll(topic)) ? second.metrics() : undefined), 120_000);
    // Redelivery happened: the killed batch's anomalies reached Temporal twice.
    const anomalous = stream.messages.filter((m) => m.kind === 'anomalous');
    expect(metric(atKill, 'vigil_gate_anomalies_total') + metric(done, 'vigil_gate_anomalies_total')).toBeGreaterThan(anomalous.length);
    expect(consumedBefore + metric(done, 'vigil_gate_events_consumed_total')).toBeGreaterThan(stream.messages.length);
    expect(metric(done, 'vigil_gate_incidents_total', { outcome: 'joined_closed' })).toBe(0);

    // Each incident holds exactly its group's alerts: none lost, none counted twice, none in two incidents.
    const byIncident = new Map<string, Set<string>>();
    for (const m of anomalous) {
      const alert = FalcoAlertSchema.parse(JSON.parse(m.value!.toString()));
      const id = incidentIdFor(correlationKeyFor(alert));
      byIncident.set(id, (byIncident.get(id) ?? new Set()).add(alertFingerprint(alert)));
    }
    expect(byIncident.size).toBe(stream.anomalousGroups);
    let sum = 0;
    const seen = new Set<string>();
    for (const [id, expected] of byIncident) {
      const held = await client!.workflow.getHandle(id).query(alertsQuery);
      expect({ id, alerts: [...held.alertIds].sort(), joined: held.joinedAlerts }).toEqual({ id, alerts: [...expected].sort(), joined: expected.size - 1 });
      for (const a of held.alertIds) {
        expect(seen.has(a)).toBe(false);
        seen.add(a);
      }
      sum += held.alertIds.length;
    }
    expect(sum).toBe(anomalous.length);
    // And no other incident was opened.
    const listed: string[] = [];
    for await (const wf of client!.workflow.list({ query: `WorkflowType = 'incidentWorkflow'` })) listed.push(wf.workflowId);
    expect(listed.filter((id) => !byIncident.has(id))).toEqual([]);

    const dlq = await readAll(`${topic}.dlq`);
    expect(dlq.map((m) => (m.value ?? Buffer.alloc(0)).toString('base64')).sort()).toEqual(expectedMalformed(stream));
    second.child.process.kill('SIGTERM');
    expect(await second.child.exited).toBe(0);
  }, 300_000);
});
