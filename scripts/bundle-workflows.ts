import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { fromRoot } from '../lib/paths';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOW_PRELOAD_MODULES, WORKFLOWS_PATH } from '../workers/coordinator/workflow-setup';

async function bundleTo(name: string, options: Parameters<typeof bundleWorkflowCode>[0]): Promise<void> {
  const { code } = await bundleWorkflowCode(options);
  const out = fromRoot('dist', name);
  await writeFile(out, code);
  process.stdout.write(`workflow bundle -> ${out} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

/** Prebundles the workflow code so the coordinator does not run webpack at every start. */
async function bundle(): Promise<void> {
  await bundleTo('workflow-bundle.js', {
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    preloadModules: [...WORKFLOW_PRELOAD_MODULES],
  });
  // The bare workflow that bench/incident-throughput.ts runs side by side with Vigil's.
  await bundleTo('bench-baseline-bundle.js', { workflowsPath: require.resolve('../bench/baseline/workflow') });
}

bundle().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
