import type { KubeApplier } from './registry';

export interface RemediationMode {
  dryRun: boolean;
  apply?: KubeApplier;
}

/**
 * Dry-run unless explicitly turned off. Acting mode without a Kubernetes applier would keep
 * dry-running while the operator believes it acts, so it refuses to start instead, with the reason.
 * `applier` is what builds the applier for this process (none exists yet in this build).
 */
export function remediationMode(env: NodeJS.ProcessEnv, applier: (env: NodeJS.ProcessEnv) => KubeApplier | undefined = () => undefined): RemediationMode {
  const dryRun = (env.VIGIL_DRY_RUN ?? 'true') !== 'false';
  if (dryRun) return { dryRun };
  const apply = applier(env);
  if (!apply) {
    throw new Error('VIGIL_DRY_RUN=false asks the remediation agent to act, but it has no Kubernetes applier to act with: set VIGIL_DRY_RUN=true (or leave it unset) until one is configured');
  }
  return { dryRun, apply };
}
