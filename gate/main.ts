import { createLogger } from '../lib/logger';
import { connectClient } from '../lib/temporal-client';
import { temporalConfigFromEnv } from '../lib/temporal-config';
import { gateConfigFromEnv } from './config';
import { runGate } from './run-gate';

/**
 * The gate process (`node dist/gate/main.js`): configuration from the environment, parsed here;
 * SIGTERM stops consuming, lets the batch in flight reach Temporal and commit, then exits, or
 * exits non-zero if that takes longer than VIGIL_SHUTDOWN_GRACE_MS (uncommitted events are
 * simply redelivered to the next gate).
 */
async function main(): Promise<void> {
  const log = createLogger('vigil-gate');
  const config = gateConfigFromEnv(process.env);
  const client = await connectClient(temporalConfigFromEnv(process.env));
  const gate = await runGate(config, { log, client, ops: true });
  log.info({ opsPort: gate.opsPort }, 'gate running');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    setTimeout(() => {
      log.error({ graceMs: config.shutdownGraceMs }, 'drain took too long; exiting with the batch uncommitted');
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    void gate.stop().catch(() => undefined);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    await gate.done;
  } finally {
    await client.connection.close().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    createLogger('vigil-gate').fatal({ err }, 'gate failed');
    process.exit(1);
  },
);
