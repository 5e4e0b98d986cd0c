import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { fromRoot } from '../lib/paths';

/** Prebundles the workflow code so the coordinator does not run webpack at every start. */
async function bundle(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    // The coordinator's observer (five-signal coverage, escalation waits) runs in the workflow sandbox.
    workflowInterceptorModules: [require.resolve('../workers/incident-observer-interceptor')],
  });
  const out = fromRoot('dist', 'workflow-bundle.js');
  await writeFile(out, code);
  process.stdout.write(`workflow bundle -> ${out} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

bundle().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
