import { Worker } from 'node:worker_threads';
import type { BundleFiles } from './bundle-files';
import { ENTRYPOINTS, PolicyBundleError } from './bundle-files';
import type { EvaluationLimits, PolicyBundle } from './policy-bundle';

export class PolicyTimeoutError extends Error {
  override readonly name = 'PolicyTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`policy evaluation timed out after ${timeoutMs} ms`);
  }
}

/**
 * The thread's whole program. It is plain CommonJS source (run with `eval: true`) rather than a
 * module file so that it runs the same from `dist/` and from the TypeScript sources under jest.
 */
const THREAD_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { loadPolicy } = require(workerData.opaWasm);
const text = (e) => (e instanceof Error ? e.message : String(e));
loadPolicy(workerData.wasm, { initial: 5, maximum: workerData.maxMemoryPages }).then(
  (policy) => {
    policy.setData(workerData.data);
    parentPort.on('message', ({ id, entrypoint, input }) => {
      let reply;
      try {
        const rs = policy.evaluate(input, entrypoint);
        reply = { id, ok: true, result: Array.isArray(rs) && rs.length > 0 ? rs[0].result : undefined };
      } catch (e) {
        reply = { id, ok: false, error: text(e) };
      }
      parentPort.postMessage(reply);
    });
    parentPort.postMessage({ ready: true, entrypoints: Object.keys(policy.entrypoints) });
  },
  (e) => parentPort.postMessage({ ready: false, error: text(e) }),
);
`;

interface Request {
  id: number;
  entrypoint: string;
  input: unknown;
  resolve(result: unknown): void;
  reject(err: Error): void;
}

type ThreadMessage =
  | { ready: true; entrypoints: string[] }
  | { ready: false; error: string }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

/**
 * Evaluates in a worker thread so that a deadline can be enforced: requests run one at a time in
 * order, the one at the head of the queue has a timer, and on expiry the thread is terminated
 * (wasm cannot be interrupted any other way), the request fails, and a fresh thread takes the rest.
 * The thread is unref'd while idle so it never keeps a process alive on its own.
 */
class ThreadedPolicy implements PolicyBundle {
  private thread: Worker | null = null;
  private ready = false;
  private queue: Request[] = [];
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private retired = false;
  private starting: { resolve(entrypoints: string[]): void; reject(err: Error): void } | null = null;

  constructor(
    private readonly files: BundleFiles,
    private readonly limits: EvaluationLimits,
  ) {}

  get version(): string {
    return this.files.version;
  }

  /** Spawns the thread and waits until the policy is instantiated. */
  start(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.starting = { resolve, reject };
      this.spawn();
    });
  }

  evaluate(entrypoint: string, input: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const request: Request = { id: this.nextId++, entrypoint, input, resolve, reject };
      this.queue.push(request);
      if (!this.thread) this.spawn();
      else {
        this.thread.ref();
        this.post(request);
        if (this.ready && this.queue.length === 1) this.arm();
      }
    });
  }

  retire(): void {
    this.retired = true;
    if (this.queue.length === 0) this.stop();
  }

  private spawn(): void {
    const thread = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        opaWasm: require.resolve('@open-policy-agent/opa-wasm'),
        wasm: this.files.wasm,
        data: this.files.data,
        maxMemoryPages: this.limits.maxMemoryPages,
      },
    });
    this.thread = thread;
    this.ready = false;
    // Handlers ignore a thread that has already been replaced.
    thread.on('message', (m: ThreadMessage) => {
      if (thread === this.thread) this.onMessage(m);
    });
    thread.on('error', (err) => {
      if (thread === this.thread) this.onCrash(err);
    });
    thread.on('exit', (code) => {
      if (thread === this.thread) this.onCrash(new Error(`policy thread exited with code ${code}`));
    });
    for (const r of [...this.queue]) this.post(r);
  }

  private post(r: Request): void {
    try {
      this.thread?.postMessage({ id: r.id, entrypoint: r.entrypoint, input: r.input });
    } catch (err) {
      // An input that cannot be copied to the thread never reached it: fail just that request.
      this.queue = this.queue.filter((q) => q !== r);
      r.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private onMessage(m: ThreadMessage): void {
    if ('ready' in m) {
      if (!m.ready) return this.onLoadFailure(new PolicyBundleError(`policy in ${this.files.dir} failed to load: ${m.error}`));
      const missing = Object.values(ENTRYPOINTS).filter((e) => !m.entrypoints.includes(e));
      if (missing.length > 0) return this.onLoadFailure(new PolicyBundleError(`policy bundle in ${this.files.dir} lacks entrypoint ${missing.join(', ')}`));
      this.ready = true;
      this.starting?.resolve(m.entrypoints);
      this.starting = null;
      if (this.queue.length > 0) this.arm();
      else this.idle();
      return;
    }
    const head = this.queue[0];
    if (!head || head.id !== m.id) return this.onCrash(new Error(`policy thread answered request ${m.id} out of order`));
    this.disarm();
    this.queue.shift();
    if (m.ok) head.resolve(m.result);
    else head.reject(new Error(m.error));
    if (this.queue.length > 0) this.arm();
    else this.idle();
  }

  private arm(): void {
    this.disarm();
    this.timer = setTimeout(() => this.onTimeout(), this.limits.timeoutMs);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private onTimeout(): void {
    this.timer = null;
    this.queue.shift()?.reject(new PolicyTimeoutError(this.limits.timeoutMs));
    this.restart();
  }

  /** The request at the head was running when the thread died: it fails; the others get a new thread. */
  private onCrash(err: Error): void {
    this.disarm();
    if (!this.ready) return this.onLoadFailure(err);
    this.queue.shift()?.reject(err);
    this.restart();
  }

  private onLoadFailure(err: Error): void {
    this.disarm();
    this.stop();
    this.starting?.reject(err);
    this.starting = null;
    for (const r of this.queue.splice(0)) r.reject(err);
  }

  private restart(): void {
    this.stop();
    if (this.queue.length > 0) this.spawn();
  }

  private idle(): void {
    if (this.retired) this.stop();
    else this.thread?.unref();
  }

  private stop(): void {
    const thread = this.thread;
    this.thread = null;
    this.ready = false;
    if (thread) void thread.terminate();
  }
}

export async function loadThreadedPolicy(files: BundleFiles, limits: EvaluationLimits): Promise<PolicyBundle> {
  const policy = new ThreadedPolicy(files, limits);
  await policy.start();
  return policy;
}
