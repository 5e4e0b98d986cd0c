/**
 * kafkajs 2.2.4 (the gate's client) side by side with @platformatic/kafka on the same local broker
 * and topic: raw consumer-group fetch rate, and the one operation the gate's semantics rest on, a
 * transaction that writes a dead letter and commits the consumer's offsets with it.
 *
 *   npm run build && node dist/bench/kafka-clients.js [--events 100000] [--rounds 3] [--partitions 3] [--transactions 30]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Consumer as PConsumer, Producer as PProducer } from '@platformatic/kafka';
import type { Message as PMessage } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { fromRoot } from '../lib/paths';
import { startKafka } from '../test/helpers/kafka-broker';
import { createTopicPatiently, kafkajsRawRate } from './lib/kafka-raw';
import { load, median, numberArg } from './lib/stats';

/**
 * @platformatic/kafka declares Node >= 22; on Node 20 the one newer API it calls is
 * Promise.withResolvers (every promise-returning method goes through it). Supplied here, in the
 * bench only, so the client can be measured at all; the gate would need Node 22 or this shim.
 */
function supplyPromiseWithResolvers(): boolean {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (P.withResolvers) return false;
  P.withResolvers = () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
  return true;
}

/** The same baseline as kafkajs's: a consumer group that only counts what it fetched. */
async function platformaticRawRate(brokers: string[], topic: string, total: number): Promise<number> {
  const consumer = new PConsumer({ groupId: `bench-pk-${randomUUID()}`, clientId: 'bench-pk', bootstrapBrokers: brokers });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    let n = 0;
    let t0 = 0n;
    const t1 = await new Promise<bigint>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('data', () => {
        if (t0 === 0n) t0 = process.hrtime.bigint();
        if (++n === total) resolve(process.hrtime.bigint());
      });
    });
    await stream.close();
    return total / (Number(t1 - t0) / 1e9);
  } finally {
    await consumer.close(true);
  }
}

/** Median ms of `count` transactions of one dead letter plus the offset after one consumed message. */
async function kafkajsTransactions(brokers: string[], topic: string, count: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-kjs-tx', brokers, logLevel: logLevel.NOTHING });
  const groupId = `bench-kjs-tx-${randomUUID()}`;
  const producer = kafka.producer({ transactionalId: groupId, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = process.hrtime.bigint();
      const tx = await producer.transaction();
      await tx.send({ topic: `${topic}.dlq`, acks: -1, messages: [{ value: `dead letter ${i}`, headers: { 'vigil-dlq-reason': 'bench' } }] });
      await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: String(i + 1) }] }] });
      await tx.commit();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    await producer.disconnect();
  }
  return median(times);
}

async function platformaticTransactions(brokers: string[], topic: string, count: number): Promise<number> {
  const groupId = `bench-pk-tx-${randomUUID()}`;
  const consumer = new PConsumer({ groupId, clientId: 'bench-pk-tx', bootstrapBrokers: brokers });
  const producer = new PProducer({ clientId: 'bench-pk-tx', bootstrapBrokers: brokers, transactionalId: groupId, idempotent: true });
  const times: number[] = [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const messages: PMessage[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      const onData = (m: PMessage) => {
        messages.push(m);
        if (messages.length === count) {
          stream.off('data', onData);
          resolve();
        }
      };
      stream.on('data', onData);
    });
    for (let i = 0; i < count; i++) {
      const t0 = process.hrtime.bigint();
      const tx = await producer.beginTransaction();
      await tx.send({ messages: [{ topic: `${topic}.dlq`, value: Buffer.from(`dead letter ${i}`), headers: new Map([[Buffer.from('vigil-dlq-reason'), Buffer.from('bench')]]) }] });
      await tx.addConsumer(consumer);
      await tx.addOffset(messages[i]!);
      await tx.commit();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    await stream.close();
  } finally {
    await producer.close();
    await consumer.close(true);
  }
  return median(times);
}

async function main(): Promise<void> {
  const total = numberArg('events', 100_000);
  const rounds = numberArg('rounds', 3);
  const partitions = numberArg('partitions', 3);
  const transactions = numberArg('transactions', 30);
  const broker = await startKafka();
  try {
    const brokers = broker.brokers;
    const topic = `bench.clients.${randomUUID().slice(0, 8)}`;
    await createTopicPatiently(brokers, topic, partitions);
    await createTopicPatiently(brokers, `${topic}.dlq`, 1);
    const lines = readFileSync(fromRoot('examples', 'gate-replay.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim());
    const producer = new Kafka({ clientId: 'bench-producer', brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    for (let i = 0; i < total; i += 500) await producer.send({ topic, acks: 1, messages: Array.from({ length: Math.min(500, total - i) }, (_, j) => ({ value: lines[(i + j) % lines.length]! })) });
    await producer.disconnect();

    const shimmed = supplyPromiseWithResolvers();
    console.log(`${total} events in ${partitions} partitions; Node ${process.version}${shimmed ? ' (Promise.withResolvers supplied for @platformatic/kafka)' : ''}, ${cpus().length} CPUs, load ${load()}`);
    const rows: Array<{ kjs: number; pk: number }> = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which client goes first so both see the same drift in the machine's load.
      const first = r % 2 === 0;
      const kjs = first ? await kafkajsRawRate(brokers, topic, total) : NaN;
      const pk = await platformaticRawRate(brokers, topic, total);
      const kjsRate = first ? kjs : await kafkajsRawRate(brokers, topic, total);
      rows.push({ kjs: kjsRate, pk });
      console.log(`round ${r + 1}: kafkajs ${kjsRate.toFixed(0)}/s | @platformatic/kafka ${pk.toFixed(0)}/s = ${(pk / kjsRate).toFixed(2)}x (load ${load()})`);
    }
    const txKjs = await kafkajsTransactions(brokers, topic, transactions);
    const txPk = await platformaticTransactions(brokers, topic, transactions);
    console.log(`median consume: kafkajs ${median(rows.map((x) => x.kjs)).toFixed(0)}/s, @platformatic/kafka ${median(rows.map((x) => x.pk)).toFixed(0)}/s, ratio ${median(rows.map((x) => x.pk / x.kjs)).toFixed(2)}x`);
    console.log(`transaction (1 dead letter + offsets), median of ${transactions}: kafkajs ${txKjs.toFixed(1)} ms, @platformatic/kafka ${txPk.toFixed(1)} ms; load ${load()}`);
  } finally {
    await broker.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
