import type { BundleFiles } from './bundle-files';
import { readBundleFiles } from './bundle-files';
import { loadInlinePolicy } from './inline-policy';
import { loadThreadedPolicy } from './threaded-policy';

export { ENTRYPOINTS, FALLBACK_ENTRYPOINTS } from './bundle-files';

/** A compiled policy, its data, and the version that every verdict records. */
export interface PolicyBundle {
  version: string;
  /** The entrypoint's first result (undefined when the policy defines none); rejects on any failure. */
  evaluate(entrypoint: string, input: unknown): Promise<unknown>;
  /** Called once a newer bundle replaces this one: evaluations in flight finish, then resources go. */
  retire(): void;
}

/** How evaluation is bounded. Wasm runs synchronously, so only a separate thread can be stopped. */
export interface EvaluationLimits {
  /** `thread`: evaluate in a worker thread that is terminated past the deadline; `inline`: on the caller's thread, no deadline. */
  isolation: 'thread' | 'inline';
  /** Deadline per evaluation (thread isolation only). */
  timeoutMs: number;
  /** Cap on the policy's wasm memory, in 64 KiB pages: a runaway allocation traps instead of growing the process. */
  maxMemoryPages: number;
}

export const DEFAULT_LIMITS: EvaluationLimits = { isolation: 'thread', timeoutMs: 2000, maxMemoryPages: 1024 };

/** Loads an already-read bundle, ready to evaluate; throws if the wasm cannot be instantiated or lacks an entrypoint. */
export function instantiatePolicy(files: BundleFiles, limits: Partial<EvaluationLimits> = {}): Promise<PolicyBundle> {
  const l = { ...DEFAULT_LIMITS, ...limits };
  return l.isolation === 'thread' ? loadThreadedPolicy(files, l) : loadInlinePolicy(files, l);
}

/** Loads `policy.wasm`, `data.json` and `manifest.json` as written by scripts/build-policy.sh. */
export async function loadPolicyBundle(dir: string, limits: Partial<EvaluationLimits> = {}): Promise<PolicyBundle> {
  return instantiatePolicy(await readBundleFiles(dir), limits);
}
