import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { BatchHandler, DeadLetter, EventSource, RawEvent } from './source';

export interface FileSourceOptions {
  /** A JSONL file of alerts, or '-' for standard input (`falco -o json_output=true | vigil gate`). */
  path: string;
  /** Where invalid lines go, one JSON object per line: reason, line number, original text. */
  deadLetterPath: string;
  batchSize?: number;
  /** A partial batch waits at most this long for more lines (a live pipe trickles). */
  lingerMs?: number;
  /** For tests: read from this stream instead of `path`. */
  stream?: Readable;
}

/** One dead letter as a JSONL line; the original line is kept verbatim as a string. */
export function deadLetterLine(d: DeadLetter): string {
  const origin = d.event.origin;
  return `${JSON.stringify({
    time: d.at,
    kind: d.kind,
    reason: d.reason,
    source: origin.kind === 'file' ? { path: origin.path, line: origin.line } : { topic: origin.topic, partition: origin.partition, offset: origin.offset },
    value: d.event.value?.toString('utf8') ?? null,
  })}\n`;
}

/**
 * The embedded default source: JSON lines from a file or stdin, in batches. Blank lines are not
 * events and are skipped; every other line is an event, valid or dead-lettered, so nothing is lost.
 */
export class FileSource implements EventSource {
  readonly name: string;
  private stopped = false;
  private closeInput: (() => void) | null = null;
  private finished: Promise<void> = Promise.resolve();

  constructor(private readonly options: FileSourceOptions) {
    this.name = options.path === '-' ? 'stdin' : `file:${options.path}`;
  }

  run(handle: BatchHandler): Promise<void> {
    this.finished = this.consume(handle);
    return this.finished;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.closeInput?.();
    await this.finished.catch(() => undefined);
  }

  private async consume(handle: BatchHandler): Promise<void> {
    const { path, deadLetterPath } = this.options;
    const batchSize = this.options.batchSize ?? 500;
    const lingerMs = this.options.lingerMs ?? 50;
    await mkdir(dirname(deadLetterPath), { recursive: true });
    const input = this.options.stream ?? (path === '-' ? process.stdin : createReadStream(path));
    const lines = createInterface({ input, crlfDelay: Infinity });
    this.closeInput = () => lines.close();
    const closed = once(lines, 'close');

    let pending: RawEvent[] = [];
    let lineNo = 0;
    let timer: NodeJS.Timeout | null = null;
    let chain: Promise<void> = Promise.resolve();
    let failure: unknown = null;
    const context = { heartbeat: async () => undefined, isRunning: () => !this.stopped };

    const deliver = async (batch: RawEvent[]) => {
      const { deadLetters } = await handle(batch, context);
      if (deadLetters.length > 0) await appendFile(deadLetterPath, deadLetters.map(deadLetterLine).join(''));
    };
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (pending.length === 0 || failure !== null) return;
      const batch = pending;
      pending = [];
      lines.pause();
      chain = chain
        // Batches queued before a failure was known are not delivered after it.
        .then(() => (failure === null ? deliver(batch) : undefined))
        .then(
          () => {
            if (!this.stopped) lines.resume();
          },
          (err: unknown) => {
            failure = err;
            lines.close();
          },
        );
    };

    lines.on('line', (text) => {
      lineNo += 1;
      if (this.stopped || text.trim().length === 0) return;
      pending.push({ value: Buffer.from(text, 'utf8'), origin: { kind: 'file', path, line: lineNo } });
      if (pending.length >= batchSize) flush();
      else timer ??= setTimeout(flush, lingerMs);
    });
    await closed;
    if (!this.stopped) flush();
    else if (timer) clearTimeout(timer);
    await chain;
    if (failure !== null) throw failure;
  }
}
