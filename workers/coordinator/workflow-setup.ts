import type { WorkerOptions } from '@temporalio/worker';
import type { Logger } from '../../lib/logger';
import { incidentObserverSinks } from './observer-sinks';

/**
 * What every worker that runs the incident workflow shares: the coordinator, the bundle script
 * and the in-process test agents all build their workflow worker from here, so none can miss an
 * interceptor or a sink.
 */
export const WORKFLOWS_PATH = require.resolve('../../workflows');

/** Workflow interceptor modules bundled with the workflows (none today: observer events are sinks the workflow calls). */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [];

/**
 * Evaluated once per workflow thread and shared by every incident in it (frozen by the SDK): zod
 * only, through a module that settles zod's lazy state first (workflows/zod-preload.ts). Never the
 * contracts: their schemas must stay per incident (test/unit/workflows/zod-preload.test.ts).
 */
export const WORKFLOW_PRELOAD_MODULES: readonly string[] = [require.resolve('../../workflows/zod-preload')];

export function workflowWorkerOptions(log: Logger): Pick<WorkerOptions, 'workflowsPath' | 'sinks' | 'interceptors' | 'bundlerOptions'> {
  return {
    workflowsPath: WORKFLOWS_PATH,
    sinks: incidentObserverSinks(log),
    interceptors: { workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] },
    bundlerOptions: { preloadModules: [...WORKFLOW_PRELOAD_MODULES] },
  };
}
