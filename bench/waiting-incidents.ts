/**
 * Many incidents waiting for an analyst at once: what each costs the dev server and the workers,
 * and how `vigil pending` behaves as they pile up. A bench script, not a CI test.
 *
 * The five real worker processes on a dev server of their own (SQLite file). Each incident is a
 * shell in a container of `kube-system` on a pod of its own: the policy escalates it (protected
 * namespace) with a long timeout, so it stays in `awaiting_decision` for the whole run. At each
 * checkpoint (a quarter, half, all of --incidents waiting): RSS of the dev server and of every
 * worker, the server's CPU so far, a visibility count, and `vigil pending` run as a user would,
 * timed, and its state reads side by side: one query at a time (as it did) vs a bounded number at
 * once (cli/pending.ts). The cost per waiting incident is the growth over the empty stack divided by the count.
 *
 *   npm run build && node dist/bench/waiting-incidents.js [--incidents 10000] [--concurrency 16]
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FalcoAlert, IncidentState } from '../contracts';
import { FalcoAlertSchema, workloadOf } from '../contracts';
import { startDevServer } from '../lib/devstack/dev-server';
import { correlationKeyFor } from '../lib/identity';
import { PENDING_QUERY_CONCURRENCY, pendingIncidents } from '../cli/pending';
import { startIncident } from '../lib/incidents';
import { fromRoot } from '../lib/paths';
import { startWorkers } from '../lib/devstack/stack';
import { connectClient } from '../lib/temporal-client';
import { temporalConfigFromEnv } from '../lib/temporal-config';
import { stateQuery } from '../workflows/definitions';
import { assertDistinctWorkloads, benchPod } from './lib/bench-pods';
import { readFacts } from './lib/history-facts';
import { cpuSeconds, rssMiB } from './lib/proc-usage';
import { load, numberArg } from './lib/stats';

const WAITING = `WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running' AND VigilStatus = 'awaiting_decision'`;

async function main(): Promise<void> {
  const total = numberArg('incidents', 10_000);
  const concurrency = numberArg('concurrency', 16);
  const work = mkdtempSync(join(tmpdir(), 'vigil-bench-waiting-'));
  console.log(`waiting incidents: up to ${total}, started ${concurrency} at a time; Node ${process.version}, ${cpus().length} CPUs, load ${load()}`);
  const server = await startDevServer({ uiPort: null, dbFile: join(work, 'temporal.db'), logFile: join(work, 'temporal.log') });
  const stop: Array<() => Promise<void>> = [() => server.stop()];
  let ok = false;
  try {
    const workers = await startWorkers({ temporalAddress: server.address, logDir: work, env: {} });
    stop.unshift(() => workers.stop());
    const client = await connectClient(temporalConfigFromEnv({ TEMPORAL_ADDRESS: server.address }));
    stop.unshift(() => client.connection.close());

    const template = FalcoAlertSchema.parse(
      readFileSync(fromRoot('examples', 'falco-alerts.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as FalcoAlert)
        .find((a) => a.rule === 'Terminal shell in container' && a.priority === 'Notice'),
    );
    const tag = randomUUID().slice(0, 8);
    assertDistinctWorkloads({ ...template, output_fields: { ...template.output_fields, 'k8s.ns.name': 'kube-system' } }, tag);
    let seq = 0;
    const nextAnomaly = () => {
      seq += 1;
      const alert: FalcoAlert = { ...template, time: new Date().toISOString(), output_fields: { ...template.output_fields, 'k8s.ns.name': 'kube-system', 'k8s.pod.name': benchPod(tag, seq) } };
      return { alert, score: 0.9, correlationKey: correlationKeyFor(workloadOf(alert), Date.parse(alert.time)), traceId: randomUUID().replace(/-/g, ''), receivedAt: new Date().toISOString() };
    };

    const pids = () => new Map<string, number>([['dev server', server.child.pid], ...[...workers.workers].map(([n, c]) => [n, c.pid] as [string, number])]);
    // cli/pending.ts side by side in this process: one query at a time (what `vigil pending` did) vs bounded
    // parallel (what it does), in the order A B B A so neither gains from the other having warmed the cache.
    const pendingSideBySide = async () => {
      const time = async (concurrency: number) => {
        const t = Date.now();
        const n = (await pendingIncidents(client, concurrency)).length;
        return { ms: Date.now() - t, n };
      };
      const a1 = await time(1);
      const b1 = await time(PENDING_QUERY_CONCURRENCY);
      const b2 = await time(PENDING_QUERY_CONCURRENCY);
      const a2 = await time(1);
      return { oneByOne: (a1.ms + a2.ms) / 2, bounded: (b1.ms + b2.ms) / 2, listed: Math.min(a1.n, a2.n, b1.n, b2.n) };
    };
    const snapshot = async (label: string, waiting: number) => {
      const rss = [...pids()].map(([n, pid]) => `${n} ${rssMiB(pid).toFixed(0)}`).join(', ');
      const t0 = Date.now();
      const pending = spawnSync(process.execPath, [fromRoot('bin', 'vigil.js'), 'pending'], { env: { ...process.env, TEMPORAL_ADDRESS: server.address }, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
      const pendingMs = Date.now() - t0;
      const listed = pending.stdout.split('\n').filter((l) => l.startsWith('incident-')).length;
      const sbs = await pendingSideBySide();
      console.log(
        `${label.padEnd(12)} waiting ${String(waiting).padStart(6)} | RSS MiB: ${rss} | server CPU ${cpuSeconds(server.child.pid).toFixed(0)} s | vigil pending ${pendingMs} ms (${listed} listed, exit ${pending.status}) | states one by one ${sbs.oneByOne.toFixed(0)} ms vs ${PENDING_QUERY_CONCURRENCY} at a time ${sbs.bounded.toFixed(0)} ms (${(sbs.oneByOne / sbs.bounded).toFixed(2)}x, ${sbs.listed} listed) | load ${load()}`,
      );
      return { rss: new Map([...pids()].map(([n, pid]) => [n, rssMiB(pid)])), pendingMs, sbs };
    };

    // The first incident proves the template escalates with a timeout longer than the run.
    const probe = await startIncident(client, nextAnomaly());
    let state: IncidentState | null = null;
    for (let i = 0; i < 600 && state?.status !== 'awaiting_decision'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = await client.workflow
        .getHandle(probe.incidentId)
        .query(stateQuery)
        .catch(() => null);
      if (state?.status === 'closed') break;
    }
    if (state?.status !== 'awaiting_decision') throw new Error(`the bench's alert does not escalate (status ${state?.status ?? 'unknown'})`);
    console.log(`template escalates: requires ${state.verdict?.escalation?.requiredRole}, times out after ${state.verdict?.escalation?.timeoutSeconds} s`);

    const empty = await snapshot('one waiting', 1);
    const checkpoints = [Math.ceil(total / 4), Math.ceil(total / 2), total];
    let started = 1;
    const t0 = Date.now();
    let last = empty;
    for (const target of checkpoints) {
      const fill = async () => {
        while (started < target) {
          started += 1;
          await startIncident(client, nextAnomaly());
        }
      };
      await Promise.all(Array.from({ length: concurrency }, fill));
      while ((await client.workflow.count(WAITING)).count < target) await new Promise((r) => setTimeout(r, 500));
      last = await snapshot(`${((100 * target) / total).toFixed(0)}%`, target);
    }
    const seconds = (Date.now() - t0) / 1000;
    const facts = (await readFacts(client, [probe.incidentId], 'remediate'))[0]!;
    console.log(`\n${total} incidents waiting after ${seconds.toFixed(0)} s (${((total - 1) / seconds).toFixed(1)} started and escalated per second)`);
    console.log(`history of one waiting incident: ${facts.events} events, ${facts.bytes} bytes`);
    for (const [name, rss] of last.rss) {
      const grew = rss - (empty.rss.get(name) ?? rss);
      console.log(`  ${name.padEnd(13)} ${rss.toFixed(0)} MiB, +${grew.toFixed(0)} MiB over one waiting = ${((grew * 1024) / (total - 1)).toFixed(1)} KiB per waiting incident`);
    }
    console.log(`vigil pending: ${empty.pendingMs} ms with one waiting, ${last.pendingMs} ms with ${total} (${(last.pendingMs / total).toFixed(1)} ms per listed incident)`);
    console.log(
      `states with ${total} waiting: one by one ${last.sbs.oneByOne.toFixed(0)} ms (${(last.sbs.oneByOne / total).toFixed(1)} ms each), ${PENDING_QUERY_CONCURRENCY} at a time ${last.sbs.bounded.toFixed(0)} ms (${(last.sbs.bounded / total).toFixed(1)} ms each): ${(last.sbs.oneByOne / last.sbs.bounded).toFixed(2)}x`,
    );
    ok = true;
  } finally {
    for (const s of stop) await s().catch(() => undefined);
    if (ok) rmSync(work, { recursive: true, force: true });
    else console.error(`logs kept in ${work}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
