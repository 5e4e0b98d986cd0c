import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ConnectionOptions } from '@temporalio/client';

/** How every Vigil process reaches Temporal: a local dev server, a self-hosted cluster or Temporal Cloud. */
export const TemporalConfigSchema = z.object({
  address: z.string().min(1).default('127.0.0.1:7233'),
  namespace: z.string().min(1).default('default'),
  /** mTLS client certificate/key and server CA, as files (the paths a Secret or cert-manager mounts). */
  tlsCertPath: z.string().optional(),
  tlsKeyPath: z.string().optional(),
  tlsCaPath: z.string().optional(),
  tlsServerName: z.string().optional(),
  apiKeyPath: z.string().optional(),
});
export type TemporalConfig = z.infer<typeof TemporalConfigSchema>;

export function temporalConfigFromEnv(env: NodeJS.ProcessEnv): TemporalConfig {
  return TemporalConfigSchema.parse({
    address: env.TEMPORAL_ADDRESS || undefined,
    namespace: env.TEMPORAL_NAMESPACE || undefined,
    tlsCertPath: env.TEMPORAL_TLS_CERT || undefined,
    tlsKeyPath: env.TEMPORAL_TLS_KEY || undefined,
    tlsCaPath: env.TEMPORAL_TLS_CA || undefined,
    tlsServerName: env.TEMPORAL_TLS_SERVER_NAME || undefined,
    apiKeyPath: env.TEMPORAL_API_KEY_FILE || undefined,
  });
}

/** Options shared by client and worker connections. */
export function connectionOptions(cfg: TemporalConfig): ConnectionOptions {
  const hasTls = cfg.tlsCertPath || cfg.tlsCaPath || cfg.apiKeyPath;
  const tls = hasTls
    ? {
        serverNameOverride: cfg.tlsServerName,
        serverRootCACertificate: cfg.tlsCaPath ? readFileSync(cfg.tlsCaPath) : undefined,
        clientCertPair:
          cfg.tlsCertPath && cfg.tlsKeyPath ? { crt: readFileSync(cfg.tlsCertPath), key: readFileSync(cfg.tlsKeyPath) } : undefined,
      }
    : undefined;
  const apiKey = cfg.apiKeyPath ? readFileSync(cfg.apiKeyPath, 'utf8').trim() : undefined;
  return { address: cfg.address, tls, apiKey };
}
