import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import type { Consumer, Producer } from 'kafkajs';
import { createTopic, isProcessAlive, startKafka, testKafka } from '../helpers/kafka-broker';
import type { KafkaBroker } from '../helpers/kafka-broker';

// A real single-node KRaft broker started by scripts/kafka.sh (or the cluster named by KAFKA_BROKERS).
describe('local Kafka broker (scripts/kafka.sh)', () => {
  const topic = `vigil.it.${randomUUID()}`;
  const groupId = `vigil-it-${randomUUID()}`;
  const total = 100;
  let broker: KafkaBroker | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;

  // Explicit timeouts, longer than the helper's own (240 s start, a first jar install included;
  // 60 s stop), so the helper's clear error is what fails, not jest's generic hook timeout.
  beforeAll(async () => {
    broker = await startKafka();
  }, 300_000);

  afterAll(async () => {
    // Runs even when a test failed: clients first, then the broker (stop is idempotent).
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await broker?.stop();
  }, 120_000);

  function started(): KafkaBroker {
    if (!broker) throw new Error('broker did not start');
    return broker;
  }

  /** The cluster's own answer: how many brokers its metadata lists (proves something is really there). */
  async function clusterBrokers(brokers: string[]): Promise<number> {
    const admin = testKafka(brokers, 'vigil-it-probe').admin();
    await admin.connect();
    try {
      return (await admin.describeCluster()).brokers.length;
    } finally {
      await admin.disconnect();
    }
  }

  it('starts a broker on loopback, or adopts the cluster KAFKA_BROKERS names', async () => {
    const b = started();
    const named = process.env.KAFKA_BROKERS?.trim();
    expect(b.external).toBe(Boolean(named));
    if (b.external) {
      expect(b.brokers).toEqual(named!.split(',').map((s) => s.trim()).filter(Boolean));
      expect(b.pid).toBeUndefined();
    } else {
      expect(b.brokers).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
      expect(b.pid).toBeDefined();
      expect(isProcessAlive(b.pid ?? -1)).toBe(true);
    }
    expect(await clusterBrokers(b.brokers)).toBeGreaterThan(0);
  });

  it('creates a 3-partition topic, produces 100 messages and consumes them all in a group with committed offsets', async () => {
    const { brokers } = started();
    await createTopic(brokers, topic, 3);

    const kafka = testKafka(brokers, 'vigil-it');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]?.partitions).toHaveLength(3);

      producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
      await producer.connect();
      const sent = Array.from({ length: total }, (_, i) => ({ key: `pod-${i % 17}`, value: `event-${i}` }));
      await producer.send({ topic, acks: -1, messages: sent });

      // Keys spread over partitions; every message landed somewhere.
      const ends = await admin.fetchTopicOffsets(topic);
      const perPartition = ends.map((e) => Number(e.high) - Number(e.low));
      expect(perPartition.reduce((a, b) => a + b, 0)).toBe(total);
      expect(perPartition.filter((n) => n > 0).length).toBeGreaterThan(1);

      consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });

      const seen = new Map<string, { partition: number; offset: string }>();
      const allIn = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`consumed ${seen.size}/${total} messages in 60 s`)), 60_000);
        void consumer
          ?.run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const value = message.value?.toString() ?? '';
              seen.set(value, { partition, offset: message.offset });
              if (seen.size === total) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch((err: unknown) => {
            clearTimeout(timer);
            reject(err instanceof Error ? err : new Error(String(err)));
          });
      });
      await allIn;
      // Commit, per partition, the next offset to read (what Kafka expects), while still a group member.
      const next = new Map<number, number>();
      for (const { partition, offset } of seen.values()) {
        next.set(partition, Math.max(next.get(partition) ?? 0, Number(offset) + 1));
      }
      await consumer.commitOffsets([...next].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })));

      expect([...seen.keys()].sort()).toEqual(sent.map((m) => m.value).sort());
      expect(new Set([...seen.values()].map((v) => v.partition)).size).toBe(perPartition.filter((n) => n > 0).length);

      await consumer.stop();
      // The group's committed offsets equal each partition's end: everything is marked consumed.
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      const byPartition = new Map((offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      for (const e of ends) {
        expect({ partition: e.partition, committed: byPartition.get(e.partition) ?? -1 }).toEqual({
          partition: e.partition,
          committed: Number(e.high) === 0 ? -1 : Number(e.high),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }, 120_000);

  it('stop() ends the broker JVM by PID (and leaves an adopted cluster running)', async () => {
    const b = started();
    await consumer?.disconnect();
    consumer = undefined;
    await producer?.disconnect();
    producer = undefined;
    const pid = b.pid;
    await b.stop();
    if (b.external) {
      expect(await clusterBrokers(b.brokers)).toBeGreaterThan(0);
    } else {
      expect(pid).toBeDefined();
      expect(isProcessAlive(pid ?? -1)).toBe(false);
    }
  }, 120_000);
});
