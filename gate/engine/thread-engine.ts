import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CoreSettings, PackedEvents, ScoredBatch } from '../core';
import type { EngineOptions, ModelSummary, ScoringEngine } from './engine';
import { ScorerFailure } from './engine';
import type { ThreadReply, ThreadRequest } from './thread-protocol';

type Pending = { resolve: (reply: ThreadReply & { ok: true }) => void; reject: (err: Error) => void; since: number };
type Outgoing = ThreadRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The compiled thread script; present under dist/ (the gate process), not when running from .ts sources. */
export const SCORING_THREAD_SCRIPT = join(__dirname, 'scoring-thread.js');

/** A batch the scorer has not answered in this long is a stall: scoring 500 alerts takes about a millisecond. */
export const DEFAULT_STALL_MS = 10_000;

export function threadEngineAvailable(): boolean {
  return existsSync(SCORING_THREAD_SCRIPT);
}

async function spawn(options: EngineOptions): Promise<{ worker: Worker; model: ModelSummary }> {
  if (!threadEngineAvailable()) throw new Error(`${SCORING_THREAD_SCRIPT} not found: run \`npm run build\` (or use the inline engine)`);
  const worker = new Worker(SCORING_THREAD_SCRIPT, { workerData: options });
  let onMessage: (m: ThreadReply) => void = () => undefined;
  let onError: (err: Error) => void = () => undefined;
  let onExit: (code: number) => void = () => undefined;
  const hello = await new Promise<ThreadReply>((resolve, reject) => {
    onMessage = resolve;
    onError = reject;
    onExit = (code) => reject(new Error(`scoring thread exited (code ${code}) before loading the model`));
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  }).finally(() => {
    // Only the listeners added here: removeAllListeners() would also drop the Worker's own
    // 'message' plumbing, and the thread's replies would never arrive.
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
  });
  if (!hello.ok) {
    await worker.terminate();
    throw new Error(hello.error);
  }
  return { worker, model: hello.model as ModelSummary };
}

/**
 * The engine on a worker thread. Batches cross as one transferred buffer each way in; only
 * dead-letter reasons and anomalies (rare) come back as objects.
 *
 * A thread that dies, or does not answer a call within `stallMs`, is terminated and replaced by a
 * fresh one (same model file, latest settings; its feature windows start empty): every call that
 * was outstanding rejects with ScorerFailure, which the gate answers by retrying the batch one
 * event at a time, so the event that killed the scorer ends in the DLQ and the rest are scored.
 * Until the replacement is up, healthy() is false (the gate's probes say so).
 */
export class ThreadEngine implements ScoringEngine {
  readonly kind = 'thread';
  replacements = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private worker: Worker;
  private replacing: Promise<void> | null = null;
  private closed = false;
  private timer: NodeJS.Timeout;

  private constructor(
    private options: EngineOptions,
    worker: Worker,
    public model: ModelSummary,
    private readonly stallMs: number,
  ) {
    this.worker = worker;
    this.attach(worker);
    // unref: a watchdog must not keep a stopping process alive.
    this.timer = setInterval(() => this.checkStall(), Math.max(10, Math.min(1000, stallMs / 4))).unref();
  }

  static async start(options: EngineOptions, stallMs: number = DEFAULT_STALL_MS): Promise<ThreadEngine> {
    const { worker, model } = await spawn(options);
    return new ThreadEngine(options, worker, model, stallMs);
  }

  healthy(): boolean {
    return this.replacing === null && !this.closed;
  }

  busyForMs(): number {
    let oldest = Infinity;
    for (const p of this.pending.values()) oldest = Math.min(oldest, p.since);
    return oldest === Infinity ? 0 : Date.now() - oldest;
  }

  async process(events: PackedEvents): Promise<ScoredBatch> {
    // Handed over, not copied, when the views own their whole buffers (packEvents makes them so).
    const own = (v: Uint8Array | Uint32Array | Float64Array): ArrayBuffer =>
      v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer ? v.buffer : (v.slice().buffer as ArrayBuffer);
    const bytes = own(events.bytes);
    const ends = own(events.ends);
    const receivedMs = events.receivedMs ? own(events.receivedMs) : null;
    const reply = await this.call({ type: 'process', bytes, ends, receivedMs, receivedAt: new Date().toISOString() }, receivedMs ? [bytes, ends, receivedMs] : [bytes, ends]);
    return reply.result as ScoredBatch;
  }

  async loadModel(path: string): Promise<ModelSummary> {
    const reply = await this.call({ type: 'model', path });
    this.model = reply.model as ModelSummary;
    this.options = { ...this.options, modelPath: path };
    return this.model;
  }

  async setSettings(settings: CoreSettings): Promise<void> {
    const copy: CoreSettings = { ...settings, criticalNamespaces: [...settings.criticalNamespaces], suppressions: [...settings.suppressions] };
    this.options = { ...this.options, settings: copy };
    await this.call({ type: 'settings', settings: copy });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.replacing?.catch(() => undefined);
    await this.worker.terminate();
  }

  private attach(worker: Worker): void {
    worker.on('message', (reply: ThreadReply) => {
      if (worker !== this.worker) return;
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else p.reject(new Error(reply.error));
    });
    worker.on('error', (err) => this.replace(worker, `scoring thread failed: ${err.message}`));
    worker.on('exit', (code) => this.replace(worker, `scoring thread exited (code ${code})`));
  }

  private checkStall(): void {
    if (this.replacing || this.closed) return;
    const busy = this.busyForMs();
    if (busy > this.stallMs) this.replace(this.worker, `scoring thread did not answer within ${this.stallMs} ms (stalled)`);
  }

  /** Fails what was outstanding on `worker`, and starts its replacement (once). */
  private replace(worker: Worker, why: string): void {
    if (worker !== this.worker || this.closed || this.replacing) return;
    const failure = new ScorerFailure(why);
    for (const p of this.pending.values()) p.reject(failure);
    this.pending.clear();
    this.replacing = (async () => {
      await worker.terminate().catch(() => undefined);
      for (;;) {
        try {
          const next = await spawn(this.options);
          if (this.closed) {
            await next.worker.terminate();
            return;
          }
          this.worker = next.worker;
          this.model = next.model;
          this.attach(next.worker);
          this.replacements += 1;
          return;
        } catch {
          // The model file went bad meanwhile, or threads cannot start: keep trying, unhealthy.
          await new Promise((r) => setTimeout(r, 1000));
          if (this.closed) return;
        }
      }
    })().finally(() => {
      this.replacing = null;
    });
  }

  private async call(message: Outgoing, transfer: ArrayBuffer[] = []): Promise<ThreadReply & { ok: true }> {
    if (this.closed) throw new Error('scoring engine closed');
    if (this.replacing) await this.replacing;
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, since: Date.now() });
      worker.postMessage({ ...message, id } as ThreadRequest, transfer);
    });
  }
}
