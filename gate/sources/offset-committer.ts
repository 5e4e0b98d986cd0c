import type { Message } from 'kafkajs';
import type { Logger } from '../../lib/logger';

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read (last handled + 1), as Kafka commits it. */
  offset: string;
}

/** How offsets reach Kafka: a plain group commit, or a transaction that also writes dead letters. */
export interface CommitTarget {
  commit(offsets: PartitionOffset[]): Promise<void>;
  commitWithDeadLetters(deadLetters: Message[], offsets: PartitionOffset[]): Promise<void>;
}

export interface OffsetCommitterOptions {
  /** Fault injection for the redelivery test: wait this long before each commit. */
  delayMs?: number;
  /**
   * A dead-letter transaction failed: nothing is committed after it (later offsets would cover
   * the dead letters it did not write), and the owner should stop so its successor re-reads.
   */
  onFailure?: (err: unknown) => void;
}

const key = (o: PartitionOffset) => `${o.topic}\u0000${o.partition}`;

/**
 * Commits offsets once their batches are handled, without making the next batch wait for the
 * broker (a commit takes ~15 ms on a local broker, a transaction longer: as long as scoring a
 * batch). What was handled while a commit was in flight is coalesced, latest offset per
 * partition, and sent as one request, one at a time, in the background. Dead letters ride in the
 * same request: when any are pending, the request is a transaction that writes them and commits
 * the offsets together, so no offset is ever committed before the dead letters of the messages
 * it covers are durable, and a batch with dead letters does not stall scoring.
 *
 * Nothing here can lose an event: an offset is only ever handed over after its batch was handled,
 * and a failed or never-sent commit means redelivery, which the gate deduplicates.
 */
export class OffsetCommitter {
  private pending = new Map<string, PartitionOffset>();
  private deadLetters: Message[] = [];
  private flushing: Promise<void> | null = null;
  private failures = 0;
  private broken: unknown = null;

  constructor(
    private readonly target: CommitTarget,
    private readonly log: Logger,
    private readonly options: OffsetCommitterOptions = {},
  ) {}

  /** The batch ending before `offset` is handled, its dead letters with it; commit them soon. */
  handled(offset: PartitionOffset, deadLetters: readonly Message[] = []): void {
    if (this.broken !== null) return;
    this.remember(offset);
    for (const d of deadLetters) this.deadLetters.push(d);
    this.kick();
  }

  /** Waits until everything handled so far is committed (at most `attempts` failed plain commits; none after a failed transaction). */
  async drain(attempts = 5): Promise<void> {
    const start = this.failures;
    while (this.broken === null && (this.hasWork() || this.flushing) && this.failures - start < attempts) {
      this.kick();
      await this.flushing;
    }
  }

  /** Offsets handled but not yet committed, for tests and metrics. */
  get waiting(): number {
    return this.pending.size;
  }

  private hasWork(): boolean {
    return this.pending.size > 0 || this.deadLetters.length > 0;
  }

  private remember(o: PartitionOffset): void {
    const known = this.pending.get(key(o));
    if (!known || BigInt(o.offset) > BigInt(known.offset)) this.pending.set(key(o), o);
  }

  private kick(): void {
    if (this.flushing || !this.hasWork() || this.broken !== null) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      if (this.hasWork() && this.failures === 0) this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.hasWork() && this.broken === null) {
      await this.pause();
      const offsets = [...this.pending.values()];
      const deadLetters = this.deadLetters;
      this.pending.clear();
      this.deadLetters = [];
      if (deadLetters.length > 0) {
        try {
          await this.target.commitWithDeadLetters(deadLetters, offsets);
        } catch (err) {
          this.broken = err;
          this.log.error({ err, deadLetters: deadLetters.length }, 'dead-letter transaction failed; committing nothing more (the batches are redelivered)');
          this.options.onFailure?.(err);
          return;
        }
        continue;
      }
      try {
        await this.target.commit(offsets);
        this.failures = 0;
      } catch (err) {
        this.failures += 1;
        for (const o of offsets) this.remember(o);
        this.log.warn({ err, offsets: offsets.length, failures: this.failures }, 'offset commit failed; will retry (events may be redelivered)');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** this.failures)));
        if (this.failures >= 5) return;
      }
    }
  }

  private async pause(): Promise<void> {
    const ms = this.options.delayMs ?? 0;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  }
}
