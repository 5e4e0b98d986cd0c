/**
 * One process of the bare baseline: `node dist/bench/baseline/worker.js <role>`, the workflow
 * worker (role coordinator) or one no-op activity worker per agent queue. Same connection and
 * worker options as Vigil's workers (lib/worker-tuning.ts), an ops port for /readyz, nothing else.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { startOpsServer } from '../../lib/ops-server';
import { fromRoot } from '../../lib/paths';
import { workerTuning } from '../../lib/worker-tuning';
import type { BaselineActivities, BaselineRole } from './shape';
import { BASELINE_QUEUES, BASELINE_ROLES } from './shape';

const echo = async (m: { body: string }) => ({ body: m.body });
const activities: BaselineActivities = { analyse: echo, review: echo, remediate: echo, notify: echo };

async function main(): Promise<void> {
  const role = process.argv[2] as BaselineRole;
  if (!BASELINE_ROLES.includes(role)) throw new Error(`role must be one of ${BASELINE_ROLES.join(', ')}, got ${String(role)}`);
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is required');
  const connection = await NativeConnection.connect({ address });
  const shared = { connection, namespace: 'default', taskQueue: BASELINE_QUEUES[role], shutdownGraceTime: 2000 };
  const agent = role === 'coordinator' ? 'coordinator' : role;
  const worker = await Worker.create(
    role === 'coordinator'
      ? { ...shared, ...workerTuning(agent, process.env), workflowBundle: { codePath: fromRoot('dist', 'bench-baseline-bundle.js') } }
      : { ...shared, ...workerTuning(agent, process.env), activities },
  );
  const ops = await startOpsServer({ port: Number(process.env.VIGIL_OPS_PORT ?? 0), host: '127.0.0.1', ready: () => worker.getState() === 'RUNNING' });
  process.once('SIGTERM', () => worker.shutdown());
  process.once('SIGINT', () => worker.shutdown());
  try {
    await worker.run();
  } finally {
    await ops.close();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`baseline worker failed: ${String(err)}\n`);
    process.exit(1);
  },
);
