import type { WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';

/**
 * Temporal worker options that set a worker's speed, not its behaviour: pollers, slots, the
 * sticky cache. One place for them, so Vigil's workers and the bench's bare baseline run with the
 * same ones; `VIGIL_WORKER_OPTIONS` (a JSON object of these keys) overrides them for an
 * experiment or a deployment without a rebuild.
 */
const TuningSchema = z
  .object({
    maxConcurrentWorkflowTaskExecutions: z.number().int().min(2),
    maxConcurrentActivityTaskExecutions: z.number().int().min(1),
    maxConcurrentWorkflowTaskPolls: z.number().int().min(2),
    maxConcurrentActivityTaskPolls: z.number().int().min(1),
    nonStickyToStickyPollRatio: z.number().positive().max(1),
    maxCachedWorkflows: z.number().int().min(0),
    stickyQueueScheduleToStartTimeout: z.string().min(1),
  })
  .partial()
  .strict();
export type WorkerTuning = z.infer<typeof TuningSchema>;

/**
 * What each worker runs with unless told otherwise (the SDK's defaults where not named).
 *
 * The coordinator's sticky cache is bounded by count: the SDK's default sizes it from the V8 heap
 * limit, which follows the machine's memory, not the container's (2,310 incidents, ~3.3 GiB, on a
 * 24 GiB node). Each cached incident is heavy because a reused V8 context gives every workflow its
 * own module cache, so each evaluates its own contract schemas (zod itself is preloaded once per
 * thread, workflows/zod-preload.ts; the contracts cannot be: the SDK deep-freezes preloaded modules
 * and zod 4 binds a schema's methods lazily on first read).
 * Measured under the fault soak (docs/RELIABILITY.md, V8 capped at 256 MiB, a worker killed every
 * 3 s, before zod was shared): 150 cached ran the workflow thread out of heap at 5 alerts/s. 40 fell
 * behind 2/s: more incidents were alive than cached, so most replayed from their histories and the
 * coordinator closed ~1.3/s (a 30-min backlog of 1,291, drained 12 min after) at ~840 MiB. 80 kept
 * up with 2/s (1.94/s closed) at ~690 MiB; at 5/s, more than this machine sustains, it held ~890 MiB
 * without running out of heap. With zod shared as well, 80 held a 30-min soak at 2/s at ~290 MiB.
 * An incident evicted from the cache is replayed from its history at its next task, never lost.
 */
const DEFAULTS: Record<string, WorkerTuning> = {
  coordinator: { maxCachedWorkflows: 80 },
};

export function workerTuning(worker: string, env: NodeJS.ProcessEnv): Pick<WorkerOptions, keyof WorkerTuning> {
  const raw = env.VIGIL_WORKER_OPTIONS;
  let override: WorkerTuning = {};
  if (raw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      throw new Error(`VIGIL_WORKER_OPTIONS is not JSON: ${(err as Error).message}`);
    }
    const checked = TuningSchema.safeParse(parsed);
    if (!checked.success) throw new Error(`VIGIL_WORKER_OPTIONS: ${checked.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
    override = checked.data;
  }
  return { ...DEFAULTS[worker], ...override } as Pick<WorkerOptions, keyof WorkerTuning>;
}
