import { z } from 'zod';
import type { Logger } from '../../lib/logger';
import type { RemediationGuards } from './guards';
import { loadGuards } from './guards';
import type { KubeApi } from './kube/api';
import { clientNodeApi, kubeConfigFrom } from './kube/client-node';
import { DEFAULT_EVIDENCE_DIR } from './runner';

/** The remediation worker's configuration, parsed once in main. */
export const RemediationEnvSchema = z.object({
  /** Anything but `false` keeps dry-run: acting is an explicit choice. */
  dryRun: z.string().default('true').transform((v) => v !== 'false'),
  actionners: z.string().optional(),
  policyDir: z.string().optional(),
  evidenceDir: z.string().default(DEFAULT_EVIDENCE_DIR),
  writeIntervalMs: z.coerce.number().int().min(0).max(60_000).default(0),
});
export type RemediationEnv = z.infer<typeof RemediationEnvSchema>;

export function remediationEnv(env: Record<string, string | undefined>): RemediationEnv {
  return RemediationEnvSchema.parse({
    dryRun: env.VIGIL_DRY_RUN || undefined,
    actionners: env.VIGIL_ACTIONNERS || undefined,
    policyDir: env.VIGIL_POLICY_DIR || undefined,
    evidenceDir: env.VIGIL_EVIDENCE_DIR || undefined,
    writeIntervalMs: env.VIGIL_KUBE_WRITE_INTERVAL_MS || undefined,
  });
}

/**
 * The API server remediation acts on, proven reachable now. Acting mode without one refuses to
 * start (a worker that cannot act must not look healthy); dry-run without one records local plans,
 * with one it becomes the server's own dry run.
 */
export async function connectKube(env: Record<string, string | undefined>, dryRun: boolean, log: Logger): Promise<KubeApi | null> {
  const found = kubeConfigFrom(env);
  if (!found) {
    if (!dryRun) throw new Error('acting mode (VIGIL_DRY_RUN=false) needs a Kubernetes API server: set KUBECONFIG, or run in a pod with a ServiceAccount token');
    log.info('no Kubernetes API configured: dry-run records local plans');
    return null;
  }
  const api = clientNodeApi(found.config);
  try {
    const version = await api.version();
    log.info({ kube: { source: found.source, server: found.config.getCurrentCluster()?.server, version } }, 'Kubernetes API reachable');
    return api;
  } catch (err) {
    const why = `Kubernetes API (${found.source}) is not reachable: ${(err as Error).message}`;
    if (!dryRun) throw new Error(`acting mode refuses to start: ${why}`);
    log.warn({ err: { message: why } }, 'dry-run records local plans');
    return null;
  }
}

/** Guards read fresh for each remediation; the file is small and a policy change must apply to the next incident. */
export const guardsReader = (policyDir: string | undefined) => (): RemediationGuards => loadGuards(policyDir);
