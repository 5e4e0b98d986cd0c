import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { fromRoot } from '../lib/paths';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../workers/coordinator/workflow-setup';

/** Prebundles the workflow code so the coordinator does not run webpack at every start. */
async function bundle(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
  });
  const out = fromRoot('dist', 'workflow-bundle.js');
  await writeFile(out, code);
  process.stdout.write(`workflow bundle -> ${out} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

bundle().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
