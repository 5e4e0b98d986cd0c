import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig } from 'kafkajs';
import type { FalcoAlert } from '../../contracts';
import type { Logger } from '../../lib/logger';
import { kafkaLogs } from '../sources/kafka-source';
import { validateEvent } from '../validate';

export interface TrainingInput {
  alerts: FalcoAlert[];
  /** Lines or messages that were not valid alerts: where, and why (the first few). */
  rejected: number;
  rejections: string[];
}

const KEEP_REJECTIONS = 10;
const MAX_EVENT_BYTES = 1024 * 1024;

function collector(): TrainingInput & { add(text: string, bytes: number, where: string): void } {
  const input = {
    alerts: [] as FalcoAlert[],
    rejected: 0,
    rejections: [] as string[],
    add(text: string, bytes: number, where: string) {
      const v = validateEvent(text, bytes, MAX_EVENT_BYTES);
      if (v.ok) input.alerts.push(v.alert);
      else {
        input.rejected += 1;
        if (input.rejections.length < KEEP_REJECTIONS) input.rejections.push(`${where}: ${v.reason}`);
      }
    },
  };
  return input;
}

/** Alerts from a JSONL file ('-' for stdin); blank lines skipped, invalid lines counted with their reasons. */
export async function readTrainingFile(path: string): Promise<TrainingInput> {
  const c = collector();
  const lines = createInterface({ input: path === '-' ? process.stdin : createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim()) c.add(line, Buffer.byteLength(line), `${path}:${n}`);
  }
  return { alerts: c.alerts, rejected: c.rejected, rejections: c.rejections };
}

/**
 * A window of a Kafka topic: from each partition's start (or the last `maxEvents` per partition)
 * up to its end at the time of the call, read by a throwaway consumer group that commits nothing,
 * so training never moves the gate's offsets.
 */
export async function readTrainingWindow(opts: {
  brokers: string[];
  topic: string;
  maxEvents: number;
  log: Logger;
  ssl?: boolean;
  sasl?: KafkaConfig['sasl'];
  timeoutMs?: number;
}): Promise<TrainingInput> {
  const kafka = new Kafka({ clientId: 'vigil-train', brokers: opts.brokers, ssl: opts.ssl, sasl: opts.sasl, logLevel: logLevel.WARN, logCreator: kafkaLogs(opts.log) });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(opts.topic).finally(() => admin.disconnect());
  const perPartition = Math.ceil(opts.maxEvents / Math.max(1, ends.length));
  const goal = new Map(ends.map((e) => [e.partition, { from: BigInt(Math.max(Number(e.low), Number(e.high) - perPartition)), to: BigInt(e.high) }]));
  const c = collector();
  const pending = new Set([...goal].filter(([, g]) => g.to > g.from).map(([p]) => p));
  if (pending.size === 0) return { alerts: [], rejected: 0, rejections: [] };
  const consumer = kafka.consumer({ groupId: `vigil-train-${randomUUID()}` });
  // Offsets already read per partition: a consumer that restarts (a young broker's coordinator
  // is still loading) re-reads from the window start, and nothing may count twice.
  const read = new Map<number, bigint>();
  let done: () => void = () => undefined;
  let failed: (err: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  // Every (re)join starts each partition at its window, past what was already read.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const [partition, g] of goal) {
      if (!pending.has(partition)) continue;
      const from = read.has(partition) ? read.get(partition)! + 1n : g.from;
      consumer.seek({ topic: opts.topic, partition, offset: String(from) });
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) failed(payload.error);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const g = goal.get(partition);
        const offset = BigInt(message.offset);
        if (!g || offset >= g.to || !pending.has(partition) || offset < g.from) return;
        if (read.has(partition) && offset <= read.get(partition)!) return;
        read.set(partition, offset);
        const value = message.value ?? Buffer.alloc(0);
        c.add(value.toString('utf8'), value.byteLength, `${opts.topic}/${partition}@${message.offset}`);
        if (offset + 1n >= g.to) pending.delete(partition);
        if (pending.size === 0) done();
      },
    });
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`read ${c.alerts.length + c.rejected} events of the window before the ${timeoutMs} ms timeout`)), timeoutMs);
    });
    await Promise.race([finished, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return { alerts: c.alerts, rejected: c.rejected, rejections: c.rejections };
}
