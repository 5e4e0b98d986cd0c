import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SEVERITIES } from '../../contracts';

/**
 * Remediation's own reading of the policy data (the review agent owns the Rego and its schema):
 * only the keys that guard live writes, each with a safe default, so a bundle that predates them
 * still guards. Read at every remediation, so a policy change applies to the next incident.
 *
 * - `vigil.config.always_escalate_namespaces` (exists): never acted in, whatever the verdict.
 * - `vigil.config.remediation.protected_namespaces`: more namespaces never acted in.
 * - `vigil.config.remediation.min_healthy_replicas` (default 1): healthy replicas that must remain
 *   after a pod is terminated.
 * - `vigil.config.remediation.allow_dns_egress` (default false): isolation keeps DNS open.
 * - `vigil.config.remediation.containment_ttl_seconds.<severity>`: how long containment holds
 *   unless an analyst confirms it (absent: until reverted).
 */
export const BUILTIN_PROTECTED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;

const RemediationDataSchema = z
  .object({
    vigil: z
      .object({
        config: z
          .object({
            always_escalate_namespaces: z.array(z.string()).default([]),
            remediation: z
              .object({
                protected_namespaces: z.array(z.string()).default([]),
                min_healthy_replicas: z.number().int().min(0).default(1),
                allow_dns_egress: z.boolean().default(false),
                containment_ttl_seconds: z.partialRecord(z.enum(SEVERITIES), z.number().int().positive()).default({}),
              })
              .loose()
              .default({ protected_namespaces: [], min_healthy_replicas: 1, allow_dns_egress: false, containment_ttl_seconds: {} }),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();

export interface RemediationGuards {
  protectedNamespaces: string[];
  minHealthyReplicas: number;
  allowDnsEgress: boolean;
  containmentTtlSeconds: Partial<Record<(typeof SEVERITIES)[number], number>>;
  /** Where these came from (the data file, or the built-in defaults). */
  source: string;
}

export const DEFAULT_GUARDS: RemediationGuards = {
  protectedNamespaces: [...BUILTIN_PROTECTED_NAMESPACES],
  minHealthyReplicas: 1,
  allowDnsEgress: false,
  containmentTtlSeconds: {},
  source: 'built-in defaults',
};

export function guardsFromData(data: unknown, source: string): RemediationGuards {
  const parsed = RemediationDataSchema.safeParse(data);
  if (!parsed.success) throw new Error(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const cfg = parsed.data.vigil.config;
  const r = cfg.remediation;
  return {
    protectedNamespaces: [...new Set([...BUILTIN_PROTECTED_NAMESPACES, ...cfg.always_escalate_namespaces, ...r.protected_namespaces])].sort(),
    minHealthyReplicas: r.min_healthy_replicas,
    allowDnsEgress: r.allow_dns_egress,
    containmentTtlSeconds: r.containment_ttl_seconds,
    source,
  };
}

/**
 * The guards in force: from `<policyDir>/data.json` when a policy directory is configured (an
 * unreadable or invalid file throws: acting on unknown guards would fail open), else the defaults.
 */
export function loadGuards(policyDir: string | undefined): RemediationGuards {
  if (!policyDir) return DEFAULT_GUARDS;
  const file = join(policyDir, 'data.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`policy data ${file} is unreadable (${(err as Error).message}); no action runs on unknown guards`);
  }
  return guardsFromData(data, file);
}
