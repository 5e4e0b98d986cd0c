import { Connection } from '@temporalio/client';
import { registerSearchAttributes } from '../../lib/search-attributes';
import { connectionOptions, temporalConfigFromEnv } from '../../lib/temporal-config';

/**
 * The chart's post-install/post-upgrade Job: registers Vigil's search attributes (VigilStatus,
 * VigilVerdict, ...) on the Temporal namespace the release uses, so incidents can upsert them.
 * Idempotent; configured like every Vigil process (TEMPORAL_* environment, TLS from files).
 * Temporal Cloud namespaces get theirs through Cloud's own API (tcld), not this.
 */
async function main(): Promise<void> {
  const cfg = temporalConfigFromEnv(process.env);
  const connection = await Connection.connect({ ...connectionOptions(cfg), connectTimeout: 10_000 });
  try {
    const added = await registerSearchAttributes(connection, cfg.namespace);
    process.stdout.write(
      added.length > 0
        ? `registered search attributes on ${cfg.namespace}: ${added.join(', ')}\n`
        : `search attributes already registered on ${cfg.namespace}\n`,
    );
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`cannot register search attributes: ${(err as Error).message ?? String(err)}\n`);
  process.exitCode = 1;
});
