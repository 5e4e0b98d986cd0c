import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { BundleFiles } from './bundle-files';
import { ENTRYPOINTS, errorMessage, PolicyBundleError } from './bundle-files';
import type { EvaluationLimits, PolicyBundle } from './policy-bundle';

/**
 * Evaluates on the caller's thread: the fastest path and the baseline for the threaded one, but a
 * policy that never returns would block the process, so production uses `threaded-policy.ts`.
 */
export async function loadInlinePolicy(files: BundleFiles, limits: Pick<EvaluationLimits, 'maxMemoryPages'>): Promise<PolicyBundle> {
  const policy = await loadPolicy(files.wasm, { initial: 5, maximum: limits.maxMemoryPages });
  policy.setData(files.data as object);
  for (const e of Object.values(ENTRYPOINTS)) {
    if (!(e in (policy.entrypoints as Record<string, number>))) throw new PolicyBundleError(`policy bundle in ${files.dir} lacks entrypoint ${e}`);
  }
  return {
    version: files.version,
    async evaluate(entrypoint, input) {
      let rs: Array<{ result?: unknown }> | undefined;
      try {
        rs = policy.evaluate(input, entrypoint) as typeof rs;
      } catch (err) {
        throw new Error(errorMessage(err));
      }
      return rs?.[0]?.result;
    },
    retire() {
      // Nothing to free: the instance goes with the last reference.
    },
  };
}
