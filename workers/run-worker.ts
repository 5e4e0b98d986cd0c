import { NativeConnection, Worker } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';
import type { Logger } from '../lib/logger';
import { createLogger } from '../lib/logger';
import { startOpsServer } from '../lib/ops-server';
import type { TemporalConfig } from '../lib/temporal-config';
import { connectionOptions, temporalConfigFromEnv } from '../lib/temporal-config';

export const WorkerEnvSchema = z.object({
  opsPort: z.coerce.number().int().min(0).max(65535).default(9464),
  opsHost: z.string().default('0.0.0.0'),
  shutdownGraceMs: z.coerce.number().int().min(0).default(20_000),
});

export interface WorkerProcess {
  name: string;
  taskQueue: string;
  /** Builds the worker's activities (or workflow bundle) once config is parsed. */
  options(log: Logger, temporal: TemporalConfig): Promise<Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue'>>;
}

/**
 * The shared main of every Vigil worker process: config parsed here (not at import), one
 * connection, an ops port for probes and metrics, and a drain on SIGTERM before the deadline.
 */
export async function runWorker(proc: WorkerProcess, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = createLogger(`vigil-${proc.name}`);
  const temporal = temporalConfigFromEnv(env);
  const ops = WorkerEnvSchema.parse({ opsPort: env.VIGIL_OPS_PORT || undefined, opsHost: env.VIGIL_OPS_HOST || undefined, shutdownGraceMs: env.VIGIL_SHUTDOWN_GRACE_MS || undefined });
  const taskQueue = env.VIGIL_TASK_QUEUE || proc.taskQueue;
  const connection = await NativeConnection.connect(connectionOptions(temporal) as Parameters<typeof NativeConnection.connect>[0]);
  const worker = await Worker.create({
    ...(await proc.options(log, temporal)),
    connection,
    namespace: temporal.namespace,
    taskQueue,
    shutdownGraceTime: ops.shutdownGraceMs,
  });
  const server = await startOpsServer({ port: ops.opsPort, host: ops.opsHost, ready: () => worker.getState() === 'RUNNING' });
  log.info({ taskQueue, temporal: temporal.address, namespace: temporal.namespace, opsPort: server.port }, `${proc.name} worker started`);
  const stop = (signal: string) => {
    log.info({ signal }, 'draining');
    worker.shutdown();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    await worker.run();
  } finally {
    await server.close();
    await connection.close();
    log.info('stopped');
  }
}

/** Entry-point helper: a worker that fails to start exits non-zero with the reason. */
export function main(proc: WorkerProcess): void {
  runWorker(proc).then(
    () => process.exit(0),
    (err: unknown) => {
      createLogger(`vigil-${proc.name}`).fatal({ err }, 'worker failed');
      process.exit(1);
    },
  );
}
