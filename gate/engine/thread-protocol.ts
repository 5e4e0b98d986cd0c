import type { CoreSettings, ScoredBatch } from '../core';
import type { ModelSummary } from './engine';

/** Messages to the scoring thread; `id` pairs each with its reply (the thread answers in order). */
export type ThreadRequest =
  | { id: number; type: 'process'; bytes: ArrayBuffer; ends: ArrayBuffer; receivedMs: ArrayBuffer | null; receivedAt: string }
  | { id: number; type: 'model'; path: string }
  | { id: number; type: 'settings'; settings: CoreSettings };

/** id 0 is the thread's hello once its first model loaded. */
export type ThreadReply =
  | { id: number; ok: true; result?: ScoredBatch; model?: ModelSummary }
  | { id: number; ok: false; error: string };
