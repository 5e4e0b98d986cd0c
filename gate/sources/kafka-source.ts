import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, EachBatchPayload, IHeaders, KafkaConfig, LogEntry, Message, Producer } from 'kafkajs';
import type { Logger } from '../../lib/logger';
import { heartbeatUntil } from './heartbeat';
import type { PartitionOffset } from './offset-committer';
import { OffsetCommitter } from './offset-committer';
import type { BatchHandler, DeadLetter, EventSource, RawEvent } from './source';

export interface KafkaSourceOptions {
  brokers: string[];
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  clientId: string;
  /**
   * Dead letters and offsets commit in one Kafka transaction, so a gate killed mid-batch leaves
   * neither behind; this id must be stable per gate instance (a restart fences its predecessor).
   */
  transactionalId: string;
  fromBeginning: boolean;
  ssl?: boolean;
  sasl?: KafkaConfig['sasl'];
  /** Caps a fetch per partition (kafkajs default 1 MiB), hence the batch size. */
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  log: Logger;
  /** Messages behind the partition's end after each batch. */
  onLag?: (topic: string, partition: number, lag: number) => void;
  /** Fault injection for the redelivery test: hold each commit this long after Temporal acknowledged the batch. */
  commitDelayMs?: number;
}

/** Broker answers kafkajs retries by itself while a group or transaction coordinator settles. */
const TRANSIENT = /coordinator is (not available|loading)|not the correct coordinator|leader not available|concurrent operation on the same transaction|rebalanc/i;

/** kafkajs log lines into pino, nested under `kafka` (never spread), transient noise at debug. */
export function kafkaLogs(log: Logger) {
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      const detail = { kafka: rest };
      const text = `kafkajs: ${message}`;
      const transient = TRANSIENT.test(`${message} ${String((rest as { error?: unknown }).error ?? '')}`);
      if (level <= logLevel.ERROR && !transient) log.error(detail, text);
      else if (level === logLevel.WARN && !transient) log.warn(detail, text);
      else log.debug(detail, text);
    };
}

export function dlqHeaders(d: DeadLetter): IHeaders {
  const origin = d.event.origin;
  const headers: IHeaders = { 'vigil-dlq-reason': d.reason, 'vigil-dlq-kind': d.kind, 'vigil-dlq-time': d.at };
  if (origin.kind === 'kafka') {
    // The original headers ride along (falcosidekick sends none, other producers might).
    for (const [k, v] of Object.entries(origin.headers ?? {})) if (v !== undefined && !k.startsWith('vigil-dlq-')) headers[k] = Array.isArray(v) ? v[0]! : v;
    headers['vigil-dlq-source-topic'] = origin.topic;
    headers['vigil-dlq-source-partition'] = String(origin.partition);
    headers['vigil-dlq-source-offset'] = origin.offset;
  }
  return headers;
}

function toDeadLetterMessage(d: DeadLetter): Message {
  const origin = d.event.origin;
  return { key: origin.kind === 'kafka' ? origin.key : null, value: d.event.value, headers: dlqHeaders(d) };
}

/** Batches fetched ahead of the one being handled: enough to overlap fetching with scoring, little memory. */
const PIPELINE_DEPTH = 6;

/**
 * The production source: a kafkajs consumer group on the Falco topic (falcosidekick's format:
 * the alert JSON as value, no key).
 *
 * Batches are handed to the handler in order, one at a time, through a short pipeline: kafkajs
 * moves its fetch position on as soon as a batch is queued, so the next fetch and its decoding
 * overlap with scoring, but offsets are committed (OffsetCommitter) only after the handler
 * resolved, i.e. after Temporal acknowledged every anomaly of the batch; dead letters are written
 * to the DLQ topic in the same transaction that commits the offsets covering them. If a batch
 * cannot be handled, or that transaction fails, nothing after it is committed and run() rejects:
 * the gate exits and its successor starts from the committed offsets.
 */
export class KafkaSource implements EventSource {
  readonly name: string;
  private readonly kafka: Kafka;
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private running = false;
  private failure: unknown = null;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | null = null;
  private committer: OffsetCommitter | null = null;
  /** The chain of batches being handled, in order, and how many are in it. */
  private pipeline: Promise<void> = Promise.resolve();
  private readonly queued: Array<Promise<void>> = [];

  constructor(private readonly options: KafkaSourceOptions) {
    this.name = `kafka:${options.topic}`;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ssl: options.ssl,
      sasl: options.sasl,
      logLevel: logLevel.INFO,
      logCreator: kafkaLogs(options.log),
      retry: { initialRetryTime: 300, retries: 10 },
    });
  }

  async run(handle: BatchHandler): Promise<void> {
    const { topic, groupId, log } = this.options;
    const producer = this.kafka.producer({ transactionalId: this.options.transactionalId, idempotent: true, maxInFlightRequests: 1 });
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
    });
    this.producer = producer;
    this.consumer = consumer;
    this.committer = new OffsetCommitter(
      {
        commit: (offsets) => consumer.commitOffsets(offsets),
        commitWithDeadLetters: async (messages, offsets) => {
          const tx = await producer.transaction();
          try {
            await tx.send({ topic: this.options.deadLetterTopic, acks: -1, messages });
            await tx.sendOffsets({ consumerGroupId: groupId, topics: byTopic(offsets) });
            await tx.commit();
          } catch (err) {
            await tx.abort().catch(() => undefined);
            throw err;
          }
        },
      },
      log,
      { delayMs: this.options.commitDelayMs, onFailure: (err) => this.fail(err) },
    );
    const ended = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // Kafka's own retriable errors restart the consumer in place (kafkajs does that); one it gives up on ends the run.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.fail(payload.error);
    });
    await this.checkTopics();
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning });
    this.running = true;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.enqueue(payload, handle),
    });
    log.info({ topic, groupId, dlq: this.options.deadLetterTopic }, 'consuming');
    try {
      await ended;
    } finally {
      this.running = false;
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    }
  }

  /**
   * Both topics must exist before consuming: kafkajs would otherwise retry "This server does not
   * host this topic-partition" and give up with that, naming neither the topic nor the broker.
   */
  private async checkTopics(): Promise<void> {
    const { topic, deadLetterTopic, brokers } = this.options;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [topic, deadLetterTopic].filter((t) => !existing.has(t));
      if (missing.length > 0) {
        throw new Error(
          `Kafka topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(' and ')} not found on ${brokers.join(',')}: create ${missing.length > 1 ? 'them' : 'it'} (the gate never auto-creates topics) or set VIGIL_KAFKA_TOPIC / VIGIL_KAFKA_DLQ_TOPIC`,
        );
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // No new batches; those queued finish; their offsets are committed while this gate is still
    // a group member (a commit after leaving would be refused); then leave.
    this.consumer?.pause([{ topic: this.options.topic }]);
    await this.pipeline;
    await this.committer?.drain();
    await this.consumer?.stop();
    if (this.failure === null) this.settle?.resolve();
  }

  private fail(err: unknown): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.running = false;
    this.options.log.error({ err }, 'kafka source stopping: a batch could not be handled (its offsets stay uncommitted)');
    this.settle?.reject(err);
  }

  private async enqueue(payload: EachBatchPayload, handle: BatchHandler): Promise<void> {
    const { batch, heartbeat, resolveOffset, isRunning, isStale } = payload;
    if (batch.messages.length === 0 || !this.running || !isRunning() || isStale()) return;
    const events: RawEvent[] = batch.messages.map((m) => ({
      value: m.value,
      origin: { kind: 'kafka', topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key ?? null, headers: m.headers },
      // The producer's (falcosidekick's) or the broker's time: the alert's receive time.
      receivedMs: Number(m.timestamp),
    }));
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const next = { topic: batch.topic, partition: batch.partition, offset: String(BigInt(last) + 1n) };
    const lag = Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(next.offset)));
    // The fetch position moves on now (kafkajs fetches the next batch while this one is scored);
    // the commit still waits for the handler.
    resolveOffset(last);
    const work = this.pipeline.then(async () => {
      if (this.failure !== null) return;
      try {
        const outcome = await handle(events, { heartbeat, isRunning: () => this.running });
        (this.committer as OffsetCommitter).handled(next, outcome.deadLetters.map(toDeadLetterMessage));
        this.options.onLag?.(batch.topic, batch.partition, lag);
      } catch (err) {
        this.fail(err);
      }
    });
    this.pipeline = work;
    this.queued.push(work);
    void work.finally(() => this.queued.splice(this.queued.indexOf(work), 1));
    // Backpressure: kafkajs waits while the pipeline is full, and the group must hear from us
    // meanwhile: a slow Temporal can hold a batch past the session timeout, and a member that
    // falls silent is dropped, its batches redelivered (seen in the 30-minute soak).
    while (this.queued.length > PIPELINE_DEPTH) await heartbeatUntil(this.queued[0]!, heartbeat);
    await heartbeat();
  }
}

function byTopic(offsets: PartitionOffset[]): Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> {
  const topics = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}
