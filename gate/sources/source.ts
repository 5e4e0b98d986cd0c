import type { DeadLetterKind } from '../validate';

/** Where an event came from: enough to find it again, and to say so in its dead letter. */
export type EventOrigin =
  | { kind: 'kafka'; topic: string; partition: number; offset: string; key: Buffer | null; headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined }
  | { kind: 'file'; path: string; line: number };

/** One event as the source delivered it: raw bytes (null for a Kafka tombstone), never parsed here. */
export interface RawEvent {
  value: Buffer | null;
  origin: EventOrigin;
  /** When the event entered the pipeline (a Kafka message's timestamp), epoch ms; else the gate's clock. */
  receivedMs?: number;
}

export interface DeadLetter {
  event: RawEvent;
  kind: DeadLetterKind;
  reason: string;
  at: string;
}

export interface BatchOutcome {
  /** Events that were not valid alerts; the source stores them durably together with its progress. */
  deadLetters: DeadLetter[];
}

export interface BatchContext {
  /** Keeps the source's lease alive during a long batch (a Kafka consumer group heartbeat). */
  heartbeat(): Promise<void>;
  /** False once stop() was called: a handler waiting on retries should give up the batch. */
  isRunning(): boolean;
}

/**
 * Handles one batch, in order. Resolves once every anomaly in it is durable in Temporal and says
 * which events are dead letters; only then does the source commit its progress (and the dead
 * letters with it). Rejecting means "not handled": the source commits nothing for the batch.
 */
export type BatchHandler = (events: readonly RawEvent[], context: BatchContext) => Promise<BatchOutcome>;

/**
 * Where the gate's events come from. A source owns delivery and progress (offsets, file position)
 * and the dead-letter store that goes with them (a DLQ topic next to a Kafka topic, a DLQ file
 * next to an input file), so "dead letters written" and "progress committed" can be one step.
 */
export interface EventSource {
  readonly name: string;
  /** Delivers batches until stop() or, for a finite source, the end of its input. */
  run(handle: BatchHandler): Promise<void>;
  /** Stops fetching; the batch in flight finishes and commits before this resolves. */
  stop(): Promise<void>;
}
