import type { BatchHandler, EventSource, RawEvent } from '../../gate/sources/source';

/**
 * An in-memory event source that behaves like the Kafka one where it matters for latency: one
 * batch in flight at a time, and whatever arrived meanwhile is the next batch.
 */
export class QueueSource implements EventSource {
  readonly name = 'bench';
  private queue: RawEvent[] = [];
  private wake: (() => void) | null = null;
  private running = true;
  private line = 0;

  push(values: readonly Buffer[]): void {
    for (const value of values) this.queue.push({ value, origin: { kind: 'file', path: 'bench', line: ++this.line } });
    this.wake?.();
  }

  async run(handle: BatchHandler): Promise<void> {
    const context = { heartbeat: async () => undefined, isRunning: () => this.running };
    while (this.running) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const batch = this.queue.splice(0);
      const outcome = await handle(batch, context);
      if (outcome.deadLetters.length > 0) throw new Error(`bench events were dead-lettered: ${outcome.deadLetters[0]!.reason}`);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
  }
}
