import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CoreSettings, PackedEvents, ScoredBatch } from '../core';
import type { EngineOptions, ModelSummary, ScoringEngine } from './engine';
import type { ThreadReply, ThreadRequest } from './thread-protocol';

type Pending = { resolve: (reply: ThreadReply & { ok: true }) => void; reject: (err: Error) => void };
type Outgoing = ThreadRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The compiled thread script; present under dist/ (the gate process), not when running from .ts sources. */
export const SCORING_THREAD_SCRIPT = join(__dirname, 'scoring-thread.js');

export function threadEngineAvailable(): boolean {
  return existsSync(SCORING_THREAD_SCRIPT);
}

/**
 * The engine on a worker thread. Batches cross as one transferred buffer each way in; only
 * dead-letter reasons and anomalies (rare) come back as objects. If the thread dies, every
 * pending and later call rejects with why, and the gate stops rather than run without a scorer.
 */
export class ThreadEngine implements ScoringEngine {
  readonly kind = 'thread';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    public model: ModelSummary,
  ) {
    worker.on('message', (reply: ThreadReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else p.reject(new Error(reply.error));
    });
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`scoring thread exited (code ${code})`)));
  }

  static async start(options: EngineOptions): Promise<ThreadEngine> {
    if (!threadEngineAvailable()) throw new Error(`${SCORING_THREAD_SCRIPT} not found: run \`npm run build\` (or use the inline engine)`);
    const worker = new Worker(SCORING_THREAD_SCRIPT, { workerData: options });
    const hello = await new Promise<ThreadReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`scoring thread exited (code ${code}) before loading the model`)));
    });
    if (!hello.ok) throw new Error(hello.error);
    return new ThreadEngine(worker, hello.model as ModelSummary);
  }

  async process(events: PackedEvents): Promise<ScoredBatch> {
    // Handed over, not copied, when the views own their whole buffers (packEvents makes them so).
    const own = (v: Uint8Array | Uint32Array): ArrayBuffer =>
      v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer ? v.buffer : (v.slice().buffer as ArrayBuffer);
    const bytes = own(events.bytes);
    const ends = own(events.ends);
    const reply = await this.call({ type: 'process', bytes, ends, receivedAt: new Date().toISOString() }, [bytes, ends]);
    return reply.result as ScoredBatch;
  }

  async loadModel(path: string): Promise<ModelSummary> {
    const reply = await this.call({ type: 'model', path });
    this.model = reply.model as ModelSummary;
    return this.model;
  }

  async setSettings(settings: CoreSettings): Promise<void> {
    await this.call({ type: 'settings', settings: { anomalyThreshold: settings.anomalyThreshold, criticalNamespaces: [...settings.criticalNamespaces] } });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private call(message: Outgoing, transfer: ArrayBuffer[] = []): Promise<ThreadReply & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } as ThreadRequest, transfer);
    });
  }
}
