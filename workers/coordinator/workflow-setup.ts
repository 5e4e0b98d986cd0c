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
 * Modules evaluated once per workflow thread and shared by every incident in it, instead of once
 * per incident. With a reused V8 context the SDK gives each workflow its own module cache, so each
 * cached incident held its own copy of zod and of every contract schema (~1.5 MiB each; bench/faults
 * soak: the workflow thread ran out of a 256 MiB heap at 150 cached incidents). The contracts hold
 * no state (schemas and pure functions, checked by test/unit/contracts/stateless-modules.test.ts), so sharing
 * them cannot carry one incident's state into another.
 */
export const WORKFLOW_PRELOAD_MODULES: readonly string[] = [require.resolve('../../contracts')];

export function workflowWorkerOptions(log: Logger): Pick<WorkerOptions, 'workflowsPath' | 'sinks' | 'interceptors' | 'bundlerOptions'> {
  return {
    workflowsPath: WORKFLOWS_PATH,
    sinks: incidentObserverSinks(log),
    interceptors: { workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] },
    bundlerOptions: { preloadModules: [...WORKFLOW_PRELOAD_MODULES] },
  };
}
