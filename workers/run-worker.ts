import { NativeConnection, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { a2aConfigFromEnv } from '../lib/a2a/config';
import type { A2AServer } from '../lib/a2a/server';
import { startA2AServer } from '../lib/a2a/server';
import type { Logger } from '../lib/logger';
import { createLogger } from '../lib/logger';
import { declareGrants } from '../lib/metrics-compliance';
import { startOpsServer } from '../lib/ops-server';
import type { WorkerProcess } from '../lib/worker-process';
import { connectionOptions, temporalConfigFromEnv } from '../lib/temporal-config';
import { installRuntimeLogger, traceIdActivityInterceptor } from './temporal-logging';

export const WorkerEnvSchema = z.object({
  opsPort: z.coerce.number().int().min(0).max(65535).default(9464),
  opsHost: z.string().default('0.0.0.0'),
  shutdownGraceMs: z.coerce.number().int().min(0).default(20_000),
});

const VERSION = '0.1.0';

/**
 * The shared main of every Vigil worker process: config parsed here (not at import), one
 * connection, an ops port for probes and metrics, the agent's A2A endpoint (agents only), and a
 * drain on SIGTERM before the deadline.
 */
export async function runWorker(proc: WorkerProcess, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = createLogger(`vigil-${proc.name}`, env.VIGIL_LOG_LEVEL || 'info');
  installRuntimeLogger(log.child({ component: 'temporal-sdk' }));
  const temporal = temporalConfigFromEnv(env);
  const ops = WorkerEnvSchema.parse({ opsPort: env.VIGIL_OPS_PORT || undefined, opsHost: env.VIGIL_OPS_HOST || undefined, shutdownGraceMs: env.VIGIL_SHUTDOWN_GRACE_MS || undefined });
  const a2aConfig = a2aConfigFromEnv(env);
  const taskQueue = env.VIGIL_TASK_QUEUE || proc.taskQueue;
  const setup = await proc.setup(log, env, temporal);
  const connection = await NativeConnection.connect(connectionOptions(temporal) as Parameters<typeof NativeConnection.connect>[0]);
  const worker = await Worker.create({
    ...setup.worker,
    interceptors: { ...setup.worker.interceptors, activity: [...(setup.worker.interceptors?.activity ?? []), traceIdActivityInterceptor] },
    connection,
    namespace: temporal.namespace,
    taskQueue,
    shutdownGraceTime: ops.shutdownGraceMs,
  });

  let a2a: A2AServer | undefined;
  const agent = setup.agent;
  if (agent) {
    declareGrants(agent.name, [...agent.skills.map((s) => `skill:${s.skill}`), ...agent.tools]);
    if (a2aConfig.enabled) a2a = await startA2AServer({ agent: agent.name, description: agent.description, version: VERSION, skills: agent.skills, config: a2aConfig, log });
  }
  const server = await startOpsServer({
    port: ops.opsPort,
    host: ops.opsHost,
    ready: () => worker.getState() === 'RUNNING',
    info: () => ({ name: proc.name, taskQueue, a2a: a2a ? { url: a2a.url, mutualTls: a2a.mutualTls } : null }),
  });
  log.info({ taskQueue, temporal: temporal.address, namespace: temporal.namespace, opsPort: server.port, a2aUrl: a2a?.url ?? null }, `${proc.name} worker started`);
  const stop = (signal: string) => {
    log.info({ signal }, 'draining');
    worker.shutdown();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    await worker.run();
  } finally {
    await a2a?.close();
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
