/**
 * Faults under load: a steady stream of alerts through the real stack (gate on a local Kafka
 * broker, a Temporal dev server on its SQLite file, the five workers as processes, a local webhook
 * as the notifier, a local kube-apiserver that remediation acts on as its own ServiceAccount), one
 * injected fault per scenario, and one row per scenario counted from ground truth (the stream sent,
 * Temporal's visibility and queries, the webhook's requests, the DLQ, the API server's audit log).
 * Containment is reverted by a short policy TTL, so every incident closes without an analyst.
 *
 *   npm run build && node dist/bench/faults.js [--scenario name[,name]] [--alerts 200] [--rate 5] [--fault-seconds 60] [--settle-seconds 300] [--server-down-seconds 3] [--json]
 *   soak: node dist/bench/faults.js --soak-minutes 30 --rate 2 [--spare coordinator] [--kill-every-seconds 3] [--node-args coordinator=--max-old-space-size=256] [--report soak]
 *         (worker kills throughout; RSS, fds and handles of every process each minute; history sizes at the end;
 *          the report as soak.json and soak.md)
 */
import { randomUUID } from 'node:crypto';
import { WORKER_NAMES } from '../lib/devstack/stack';
import type { Row } from './faults/count';
import { rowBroken } from './faults/count';
import type { ScenarioOptions } from './faults/scenarios';
import { runScenario, SCENARIOS } from './faults/scenarios';
import type { FaultStackOptions } from './faults/stack';
import { runSoak, soakMarkdown, writeSoakReport } from './faults/soak';
import { startFaultStack, stopOpenFaultStacks } from './faults/stack';
import { reverseShellTemplate } from './faults/stream';

/** Runs the named scenarios (all by default) on one stack and returns their rows. */
export async function runFaults(
  names: string[] | null,
  opts: ScenarioOptions,
  onRow: (r: Row) => void = () => undefined,
  stackOpts: FaultStackOptions = { acting: true, containmentTtlSeconds: 15 },
): Promise<Row[]> {
  const chosen = SCENARIOS.filter((s) => names === null || names.includes(s.name));
  const unknown = (names ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const stack = await startFaultStack(stackOpts);
  const runId = randomUUID().slice(0, 8);
  const rows: Row[] = [];
  try {
    for (const s of chosen) {
      const row = await runScenario(stack, s, reverseShellTemplate(), runId, opts);
      row.notes.push(`rss MiB ${JSON.stringify(stack.rss())}`);
      rows.push(row);
      onRow(row);
    }
  } finally {
    await stack.stop();
  }
  return rows;
}

export function formatTable(rows: Row[]): string {
  const head = '| scenario | alerts sent | poison sent / dead-lettered | anomalies | incidents opened | completed | lost | duplicate | not contained | k8s writes applied twice | notifications lost | repeated (same key) | sent twice (new key) | undelivered recorded | recovery (s) | notes |';
  const sep = `|${'---|'.repeat(16)}`;
  const line = (r: Row) =>
    `| ${r.scenario} | ${r.alertsSent} | ${r.poisonSent} / ${r.poisonDeadLettered} | ${r.anomalies} | ${r.opened} | ${r.completed} | ${r.lost} | ${r.duplicates} | ${r.uncontained} | ${r.doubleWrites} | ${r.notificationsLost} | ${r.notificationsRepeated} | ${r.notificationsDuplicated} | ${r.undeliveredRecorded} | ${r.recoverySeconds ?? '-'} | ${r.notes.join('; ')} |`;
  return [head, sep, ...rows.map(line)].join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--name worker=a,b`: the worker and its comma-separated values, or undefined when not given. */
function forOneWorker(name: string): { worker: string; values: string[] } | undefined {
  const raw = arg(name);
  if (raw === undefined) return undefined;
  const worker = raw.slice(0, raw.indexOf('='));
  if (!WORKER_NAMES.some((n) => n === worker)) throw new Error(`--${name} takes worker=..., the worker one of ${WORKER_NAMES.join(', ')}`);
  return { worker, values: raw.slice(raw.indexOf('=') + 1).split(',') };
}

async function main(): Promise<void> {
  const num = (name: string, fallback: number) => {
    const v = Number(arg(name) ?? fallback);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
    return v;
  };
  const scenario = arg('scenario');
  const opts: ScenarioOptions = { alerts: num('alerts', 200), rate: num('rate', 5), faultSeconds: num('fault-seconds', 60), settleSeconds: num('settle-seconds', 300), serverDownSeconds: num('server-down-seconds', 3) };
  // --soak-minutes M: the worker-kill scenario for M minutes at --rate, every process sampled each minute.
  if (arg('soak-minutes') !== undefined) {
    const soak = { minutes: num('soak-minutes', 30), rate: opts.rate, spare: (arg('spare') ?? '').split(',').filter(Boolean), killEverySeconds: num('kill-every-seconds', 3), settleSeconds: opts.settleSeconds, sampleEveryMs: 60_000 };
    // --node-args worker=flag[,flag]: Node flags for one worker, e.g. coordinator=--max-old-space-size=256 (a memory-pressure run);
    // --env-for worker=NAME=VALUE[,NAME=VALUE]: environment for one worker, e.g. coordinator=MALLOC_ARENA_MAX=2.
    const nodeArgs = forOneWorker('node-args');
    const env = forOneWorker('env-for');
    const nodeArgsFor = nodeArgs && { [nodeArgs.worker]: nodeArgs.values };
    if (env?.values.some((kv) => kv.indexOf('=') < 1)) throw new Error('--env-for takes worker=NAME=VALUE[,NAME=VALUE]');
    const envFor = env && { [env.worker]: Object.fromEntries(env.values.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) };
    const report = await runSoak(soak, { acting: true, containmentTtlSeconds: 15, nodeArgsFor, envFor }, `node dist/bench/faults.js ${process.argv.slice(2).join(' ')}`);
    const file = arg('report');
    if (file) console.error(`soak report written to ${writeSoakReport(file, report).join(' and ')}`);
    console.log(process.argv.includes('--json') ? JSON.stringify(report, null, 2) : soakMarkdown(report));
    process.exitCode = rowBroken(report.row) ? 1 : 0;
    return;
  }
  const names = scenario ? scenario.split(',') : null;
  // Each row is on stderr as soon as it is counted, so a run that aborts later keeps its figures.
  const rows = await runFaults(names, opts, (r) => console.error(`row ${JSON.stringify(r)}`));
  console.log(process.argv.includes('--json') ? JSON.stringify(rows, null, 2) : formatTable(rows));
  const bad = rows.filter(rowBroken);
  process.exitCode = bad.length > 0 ? 1 : 0;
}

if (require.main === module) {
  // An interrupted run (Ctrl-C, a timeout's SIGTERM) stops its children by PID before it exits:
  // without this, restarted workers, the gate and the dev server outlived it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the fault stack`);
      void stopOpenFaultStacks().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  });
}
