import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, EachBatchPayload, IHeaders, KafkaConfig, LogEntry, Message, Producer } from 'kafkajs';
import type { Logger } from '../../lib/logger';
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
function kafkaLogs(log: Logger) {
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
    for (const [k, v] of Object.entries(origin.headers)) if (v !== undefined && !k.startsWith('vigil-dlq-')) headers[k] = v;
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

/**
 * The production source: a kafkajs consumer group on the Falco topic (falcosidekick's format:
 * the alert JSON as value, no key). Offsets are committed only after the handler resolved, i.e.
 * after Temporal acknowledged every anomaly of the batch; a batch with dead letters commits its
 * offsets inside the same transaction that writes them to the DLQ topic.
 */
export class KafkaSource implements EventSource {
  readonly name: string;
  private readonly kafka: Kafka;
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private running = false;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | null = null;

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
      // Our own errors (a handler bug) stop the gate so the orchestrator restarts it clean;
      // Kafka's retriable errors restart the consumer in place.
      retry: { restartOnFailure: async (err) => !(rootCause(err) instanceof HandlerFailure) },
    });
    this.producer = producer;
    this.consumer = consumer;
    const ended = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.settle?.reject(payload.error);
    });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning });
    this.running = true;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.eachBatch(payload, handle),
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

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // stop() waits for the batch in flight, which commits before it returns.
    await this.consumer?.stop();
    this.settle?.resolve();
  }

  private async eachBatch(payload: EachBatchPayload, handle: BatchHandler): Promise<void> {
    const { batch, heartbeat, resolveOffset, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const events: RawEvent[] = batch.messages.map((m) => ({
      value: m.value,
      origin: { kind: 'kafka', topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key ?? null, headers: flatHeaders(m.headers) },
    }));
    let outcome;
    try {
      outcome = await handle(events, { heartbeat, isRunning: () => this.running && isRunning() });
    } catch (err) {
      throw new HandlerFailure(err);
    }
    if (this.options.commitDelayMs) await new Promise((r) => setTimeout(r, this.options.commitDelayMs));
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const next = String(BigInt(last) + 1n);
    const offsets = { topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] };
    if (outcome.deadLetters.length > 0) {
      const tx = await (this.producer as Producer).transaction();
      try {
        await tx.send({ topic: this.options.deadLetterTopic, acks: -1, messages: outcome.deadLetters.map(toDeadLetterMessage) });
        await tx.sendOffsets({ consumerGroupId: this.options.groupId, topics: offsets.topics });
        await tx.commit();
      } catch (err) {
        await tx.abort().catch(() => undefined);
        throw err;
      }
    } else {
      await commitOffsetsIfNecessary(offsets);
    }
    resolveOffset(last);
    await heartbeat();
    this.options.onLag?.(batch.topic, batch.partition, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(next))));
  }
}

/** The handler (not Kafka) failed: not a reason to retry the consumer in place. */
export class HandlerFailure extends Error {
  override readonly name = 'HandlerFailure';
  constructor(cause: unknown) {
    super(`batch handler failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

function rootCause(err: unknown): unknown {
  let e = err;
  // kafkajs wraps what eachBatch threw (KafkaJSNumberOfRetriesExceeded, ...) in `cause`.
  while (e && typeof e === 'object' && !(e instanceof HandlerFailure) && 'cause' in e && (e as { cause?: unknown }).cause) e = (e as { cause: unknown }).cause;
  return e;
}

function flatHeaders(headers: Message['headers'] | undefined): Record<string, Buffer | string | undefined> {
  const out: Record<string, Buffer | string | undefined> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}
