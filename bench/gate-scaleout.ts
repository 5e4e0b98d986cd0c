/**
 * Gate scale-out: one gate vs two gate replicas (one consumer group) on a two-partition topic, on
 * the local broker. Each replica is its own process running the gate's production path
 * (KafkaSource with its transactional commits → Gate → scoring thread), anomalies handed to a
 * counting stub instead of Temporal, so the figure is the gate's. The topic is filled first; the
 * replicas start together and are timed once each of them holds a partition.
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

/** A replica: the gate on its own; starts on "go", reports its consumed count every 20 ms, stops on "stop". */
async function replica(args: ReplicaArgs): Promise<void> {
  const log = createLogger('bench-replica', 'silent');
  const settings = readGateSettings(fromRoot('policies', 'build'));
  const engine = await ThreadEngine.start({ modelPath: args.modelPath, settings, maxEventBytes: 1 << 20, correlationWindowMs: 600_000 });
  const id = randomUUID().slice(0, 8);
  const source = new KafkaSource({ brokers: args.brokers, topic: args.topic, deadLetterTopic: `${args.topic}.dlq`, groupId: args.groupId, clientId: `bench-replica-${id}`, transactionalId: `${args.groupId}-${id}`, fromBeginning: true, log });
  const gate = new Gate({ source, engine, log, opener: { open: async (a) => ({ incidentId: incidentIdFor(a), outcome: 'started' }) } });
  let running: Promise<void> | null = null;
  const timer = setInterval(() => process.send?.({ consumed: gate.stats.consumed }), 20);
  process.on('message', (m: string) => {
    if (m === 'go') running = gate.run();
    if (m !== 'stop') return;
    clearInterval(timer);
    void gate
      .stop()
      .then(() => running)
      .then(() => engine.close())
      .then(() => process.exit(0));
  });
  process.send?.({ consumed: 0, ready: true });
}

/**
 * Events/s of `count` replicas over a topic filled beforehand. They are told to start together,
 * so the broker forms the group in one generation; the rate is taken from the moment the last
 * of them consumed its first batch (every partition has its owner) to the last event.
 */
async function timeReplicas(count: number, brokers: string[], modelPath: string, total: number): Promise<number> {
  const topic = `bench.scale.${randomUUID().slice(0, 8)}`;
  await createTopicPatiently(brokers, topic, 2);
  await createTopicPatiently(brokers, `${topic}.dlq`, 1);
  const producer = new Kafka({ clientId: 'bench-producer', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const traffic = demoTraffic();
  for (let i = 0; i < total; i += 500) await producer.send({ topic, acks: 1, messages: Array.from({ length: Math.min(500, total - i) }, (_, j) => ({ value: traffic.at(i + j) })) });
  await producer.disconnect();

  const groupId = `bench-scale-${randomUUID()}`;
  const consumed = new Array<number>(count).fill(0);
  const ready = new Array<boolean>(count).fill(false);
  const firstAt = new Array<bigint>(count).fill(0n);
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const child = fork(__filename, ['--replica', JSON.stringify({ brokers, topic, groupId, modelPath } satisfies ReplicaArgs)], { stdio: 'inherit' });
      child.on('message', (m: { consumed: number; ready?: boolean }) => {
        if (m.ready) ready[i] = true;
        if (m.consumed > 0 && firstAt[i] === 0n) firstAt[i] = process.hrtime.bigint();
        consumed[i] = m.consumed;
      });
      children.push(child);
    }
    const sum = () => consumed.reduce((a, b) => a + b, 0);
    const readyBy = Date.now() + 120_000;
    while (ready.some((r) => !r)) {
      if (Date.now() > readyBy) throw new Error('replicas not ready within 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const c of children) c.send('go');
    while (firstAt.some((t) => t === 0n)) {
      if (sum() >= total) throw new Error(`one replica consumed everything before the other got a partition (${consumed.join(', ')})`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const t0 = firstAt.reduce((a, b) => (a > b ? a : b));
    const before = sum();
    while (sum() < total) await new Promise((r) => setTimeout(r, 5));
    return (total - before) / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
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
