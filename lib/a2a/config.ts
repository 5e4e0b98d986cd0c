import { z } from 'zod';
import { splitList, TlsFilesSchema } from '../tls';
import { formatIssues } from '../../contracts';

/**
 * One agent's A2A endpoint. Port 0 lets the OS choose (logged at start); with a CA the endpoint
 * requires mutual TLS and an allow-listed caller, without one it binds loopback only.
 */
export const A2AConfigSchema = z.object({
  enabled: z.boolean().default(true),
  port: z.coerce.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('0.0.0.0'),
  /** The base URL published on the card (the Service DNS name in a cluster); default: scheme://host:port. */
  publicUrl: z.url().optional(),
  tls: TlsFilesSchema,
});
export type A2AConfig = z.infer<typeof A2AConfigSchema>;

export function a2aConfigFromEnv(env: NodeJS.ProcessEnv): A2AConfig {
  const parsed = A2AConfigSchema.safeParse({
    enabled: env.VIGIL_A2A_ENABLED ? env.VIGIL_A2A_ENABLED !== 'false' : undefined,
    port: env.VIGIL_A2A_PORT || undefined,
    host: env.VIGIL_A2A_HOST || undefined,
    publicUrl: env.VIGIL_A2A_PUBLIC_URL || undefined,
    tls: {
      caPath: env.VIGIL_A2A_TLS_CA || undefined,
      certPath: env.VIGIL_A2A_TLS_CERT || undefined,
      keyPath: env.VIGIL_A2A_TLS_KEY || undefined,
      allowedIdentities: splitList(env.VIGIL_A2A_ALLOWED_IDENTITIES),
    },
  });
  if (!parsed.success) {
    throw new Error(`invalid A2A configuration: ${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}
