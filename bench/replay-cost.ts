/**
 * What an incident costs the coordinator when it is not in the sticky cache: each of its
 * workflow tasks then replays its whole history in a fresh workflow (its own module instances of
 * `contracts/` and zod, which a reused V8 context does not share). Replays closed incidents'
 * histories from a server through the prebuilt bundle, one fresh workflow each, and prints wall
 * and CPU milliseconds per incident. Point it at a kept fault run's dev server (VIGIL_FAULTS_KEEP=1,
 * then `temporal server start-dev --db-filename DIR/temporal.db --port P`); a history must
 * replay without a nondeterminism error, so a failure exits non-zero.
 *
 *   npm run build && node dist/bench/replay-cost.js --address localhost:7233 [--histories 3] [--replays 300] [--bundle dist/workflow-bundle.js] [--cpu-prof DIR]
 *   (--cpu-prof: run node with --cpu-prof --cpu-prof-dir=DIR yourself; replays run in this process's main thread)
 */
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createLogger } from '../lib/logger';
import { fromRoot } from '../lib/paths';
import { incidentObserverSinks } from '../workers/coordinator/observer-sinks';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const address = arg('address', 'localhost:7233');
  const histories = Number(arg('histories', '3'));
  const replays = Number(arg('replays', '300'));
  const bundle = arg('bundle', fromRoot('dist', 'workflow-bundle.js'));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const picked: temporal.api.history.v1.IHistory[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Completed'` })) {
    picked.push(await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory());
    if (picked.length >= histories) break;
  }
  await connection.close();
  if (picked.length === 0) throw new Error(`no completed incidentWorkflow on ${address}`);
  const events = picked.map((h) => h.events?.length ?? 0);
  async function* feed() {
    for (let i = 0; i < replays; i++) yield { workflowId: `replay-${i}`, history: picked[i % picked.length]! };
  }
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let failed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: bundle }, sinks: incidentObserverSinks(createLogger('replay-cost', 'silent')) }, feed())) {
    if (r.error) {
      failed += 1;
      if (failed === 1) process.stderr.write(`replay failed: ${String(r.error)}\n`);
    }
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  const line = {
    bundle,
    histories: picked.length,
    eventsPerHistory: events,
    replays,
    failed,
    wallMsPerIncident: +(wallMs / replays).toFixed(1),
    cpuMsPerIncident: +((used.user + used.system) / 1000 / replays).toFixed(1),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
