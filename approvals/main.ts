import { connectClient } from '../lib/temporal-client';
import { temporalConfigFromEnv } from '../lib/temporal-config';
import { createLogger } from '../lib/logger';
import { approvalsConfigFromEnv } from './config';
import { runApprovals } from './run-approvals';

/** `node dist/approvals/main.js`: config from the environment, one Temporal client, drain on SIGTERM. */
async function main(): Promise<void> {
  const log = createLogger('vigil-approvals', process.env.VIGIL_LOG_LEVEL || 'info');
  const config = approvalsConfigFromEnv(process.env);
  const client = await connectClient(temporalConfigFromEnv(process.env));
  const running = await runApprovals(config, { log, client });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'draining');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await running.stop();
  await client.connection.close();
  log.info('stopped');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    createLogger('vigil-approvals').fatal({ err }, 'approvals service failed');
    process.exit(1);
  },
);
