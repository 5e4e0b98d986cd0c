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

/** What each worker runs with unless told otherwise (the SDK's defaults where not named). */
const DEFAULTS: Record<string, WorkerTuning> = {};

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
