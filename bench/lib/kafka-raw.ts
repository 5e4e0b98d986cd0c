import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createTopic } from '../../test/helpers/kafka-broker';

/** The raw baseline: a kafkajs consumer group that only counts what it fetched (events/s). */
export async function kafkajsRawRate(brokers: string[], topic: string, total: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let n = 0;
  let t0 = 0n;
  let t1 = 0n;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          if (t0 === 0n) t0 = process.hrtime.bigint();
          n += batch.messages.length;
          if (n >= total) {
            t1 = process.hrtime.bigint();
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return total / (Number(t1 - t0) / 1e9);
}

/** createTopic, tried again while a loaded broker still answers that it does not host the new topic (retriable). */
export async function createTopicPatiently(brokers: string[], topic: string, partitions: number, attempts = 5): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await createTopic(brokers, topic, partitions);
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
