/**
 * Gate scale-out: one gate vs two gate replicas (one consumer group) on a two-partition topic, on
 * the local broker. Each replica is its own process running the gate's production path
 * (KafkaSource with its transactional commits → Gate → scoring thread), anomalies handed to a
 * counting stub instead of Temporal, so the figure is the gate's. The replicas join the group on
 * an empty topic and each consumes a warm-up event first (the group has settled, every partition
 * has its owner); then the parent produces the events and times until all are consumed.
 *
 *   npm run build && node dist/bench/gate-scaleout.js [--events 100000] [--rounds 3]
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ThreadEngine } from '../gate/engine/thread-engine';
import { Gate } from '../gate/gate';
import { readGateSettings } from '../gate/policy-settings';
import { KafkaSource } from '../gate/sources/kafka-source';
import { incidentIdFor } from '../lib/identity';
import { createLogger } from '../lib/logger';
import { fromRoot } from '../lib/paths';
import { startKafka } from '../test/helpers/kafka-broker';
import { demoTraffic, trainDemoModel } from './lib/gate-traffic';
import { createTopicPatiently } from './lib/kafka-raw';
import { load, median, numberArg } from './lib/stats';

interface ReplicaArgs {
  brokers: string[];
  topic: string;
  groupId: string;
  modelPath: string;
}

/** A replica: the gate on its own, reporting how many events it has consumed every 50 ms. */
async function replica(args: ReplicaArgs): Promise<void> {
  const log = createLogger('bench-replica', 'silent');
  const settings = readGateSettings(fromRoot('policies', 'build'));
  const engine = await ThreadEngine.start({ modelPath: args.modelPath, settings, maxEventBytes: 1 << 20, correlationWindowMs: 600_000 });
  const id = randomUUID().slice(0, 8);
  const source = new KafkaSource({ brokers: args.brokers, topic: args.topic, deadLetterTopic: `${args.topic}.dlq`, groupId: args.groupId, clientId: `bench-replica-${id}`, transactionalId: `${args.groupId}-${id}`, fromBeginning: true, log });
  const gate = new Gate({ source, engine, log, opener: { open: async (a) => ({ incidentId: incidentIdFor(a.correlationKey), outcome: 'started' }) } });
  const running = gate.run();
  const timer = setInterval(() => process.send?.({ consumed: gate.stats.consumed }), 50);
  process.once('message', () => {
    clearInterval(timer);
    void gate
      .stop()
      .then(() => running)
      .then(() => engine.close())
      .then(() => process.exit(0));
  });
  await running;
}

async function timeReplicas(count: number, brokers: string[], modelPath: string, total: number): Promise<number> {
  const topic = `bench.scale.${randomUUID().slice(0, 8)}`;
  await createTopicPatiently(brokers, topic, 2);
  await createTopicPatiently(brokers, `${topic}.dlq`, 1);
  const groupId = `bench-scale-${randomUUID()}`;
  const consumed = new Array<number>(count).fill(0);
  const children: ChildProcess[] = [];
  const producer = new Kafka({ clientId: 'bench-producer', brokers, logLevel: logLevel.NOTHING }).producer();
  try {
    for (let i = 0; i < count; i++) {
      const child = fork(__filename, ['--replica', JSON.stringify({ brokers, topic, groupId, modelPath } satisfies ReplicaArgs)], { stdio: 'inherit' });
      child.on('message', (m: { consumed: number }) => (consumed[i] = m.consumed));
      children.push(child);
    }
    await producer.connect();
    const traffic = demoTraffic();
    // One warm-up event per partition, until every replica has one: the group has settled.
    const sum = () => consumed.reduce((a, b) => a + b, 0);
    let warm = 0;
    const settleBy = Date.now() + 120_000;
    while (consumed.some((c) => c === 0)) {
      if (Date.now() > settleBy) throw new Error(`replicas did not all get a partition within 120 s: ${consumed.join(', ')}`);
      await producer.send({ topic, acks: 1, messages: [0, 1].map((partition) => ({ partition, value: traffic.at(warm++) })) });
      await new Promise((r) => setTimeout(r, 500));
    }
    while (sum() < warm) await new Promise((r) => setTimeout(r, 20));
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < total; i += 500) await producer.send({ topic, acks: 1, messages: Array.from({ length: Math.min(500, total - i) }, (_, j) => ({ value: traffic.at(warm + i + j) })) });
    while (sum() < warm + total) await new Promise((r) => setTimeout(r, 10));
    return total / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.send('stop');
            setTimeout(() => c.kill('SIGKILL'), 20_000).unref();
          }),
      ),
    );
  }
}

async function main(): Promise<void> {
  const total = numberArg('events', 100_000);
  const rounds = numberArg('rounds', 3);
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-scale-'));
  const { modelPath } = trainDemoModel(work);
  const broker = await startKafka();
  try {
    console.log(`${total} events on a 2-partition topic; Node ${process.version}, ${cpus().length} CPUs, load ${load()}`);
    const rows: Array<{ one: number; two: number }> = [];
    for (let r = 0; r < rounds; r++) {
      const first = r % 2 === 0 ? 1 : 2;
      const a = await timeReplicas(first, broker.brokers, modelPath, total);
      const b = await timeReplicas(3 - first, broker.brokers, modelPath, total);
      const row = first === 1 ? { one: a, two: b } : { one: b, two: a };
      rows.push(row);
      console.log(`round ${r + 1}: one gate ${row.one.toFixed(0)}/s | two replicas ${row.two.toFixed(0)}/s = ${(row.two / row.one).toFixed(2)}x (load ${load()})`);
    }
    console.log(`median: one ${median(rows.map((x) => x.one)).toFixed(0)}/s, two ${median(rows.map((x) => x.two)).toFixed(0)}/s, ratio ${median(rows.map((x) => x.two / x.one)).toFixed(2)}x; load ${load()}`);
  } finally {
    await broker.stop();
  }
}

const at = process.argv.indexOf('--replica');
(at >= 0 ? replica(JSON.parse(process.argv[at + 1]!) as ReplicaArgs) : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
