import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Anomaly, IncidentState } from '../contracts';
import type { DevServer } from '../lib/dev-server';
import { defaultDbFile, startDevServer, temporalAnswers } from '../lib/dev-server';
import { alertFingerprint, traceIdFor } from '../lib/identity';
import { readAlertFile } from '../lib/alert-file';
import { startIncident } from '../lib/incidents';
import { fromRoot } from '../lib/paths';
import { freePort } from '../lib/ports';
import { startWorkers } from '../lib/stack';
import { connectClient } from '../lib/temporal-client';
import { temporalConfigFromEnv } from '../lib/temporal-config';
import { stateQuery } from '../workflows/definitions';

const say = (s = '') => process.stdout.write(`${s}\n`);

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => void freePort().then(resolve));
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}

async function settle(client: Client, ids: string[], timeoutMs: number): Promise<IncidentState[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(ids.map((id) => client.workflow.getHandle(id).query(stateQuery)));
    if (states.every((s) => s.status === 'closed' || s.status === 'awaiting_decision') || Date.now() > deadline) return states;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The embedded default: a Temporal dev server (unless TEMPORAL_ADDRESS answers), each agent as
 * its own process, and one incident per sample alert. Ctrl-C stops every child by PID.
 */
export async function runDemo(opts: { alertsFile?: string; ui: boolean; exitWhenDone: boolean }): Promise<void> {
  const dataDir = fromRoot('.data');
  let server: DevServer | null = null;
  let address = process.env.TEMPORAL_ADDRESS ?? '';
  if (address && (await temporalAnswers(address))) {
    say(`Using the Temporal server at ${address}.`);
  } else {
    say('Starting the Temporal dev server (SQLite in .data/temporal.db, so incidents survive a restart)...');
    server = await startDevServer({
      port: await portOr(7233),
      uiPort: opts.ui ? await portOr(8233) : null,
      dbFile: defaultDbFile(),
      logFile: join(dataDir, 'logs', 'temporal.log'),
    });
    address = server.address;
  }
  const cleanup: Array<() => Promise<void>> = [];
  if (server) cleanup.push(() => (server as DevServer).stop());
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping workers and server...');
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    say('Starting five worker processes: coordinator, analysis, review, remediation, notification...');
    const stack = await startWorkers({
      temporalAddress: address,
      logDir: join(dataDir, 'logs'),
      env: { VIGIL_LOG_LEVEL: process.env.VIGIL_LOG_LEVEL ?? 'info' },
    });
    cleanup.push(() => stack.stop());
    for (const [name, child] of stack.workers) say(`  ${name.padEnd(13)} pid ${child.pid}  ops :${stack.opsPorts.get(name)}  log .data/logs/${name}.log`);

    const client = await connectClient(temporalConfigFromEnv({ ...process.env, TEMPORAL_ADDRESS: address }));
    const file = opts.alertsFile ?? fromRoot('examples', 'falco-alerts.jsonl');
    const lines = readAlertFile(file);
    const ids: string[] = [];
    let opened = 0;
    for (const l of lines) {
      if (!l.alert) {
        say(`  line ${l.line}: skipped, ${l.error}`);
        continue;
      }
      // Until the gate scores alerts, every sample alert is treated as an anomaly (score 1).
      const anomaly: Anomaly = { alert: l.alert, score: 1, correlationKey: alertFingerprint(l.alert), traceId: traceIdFor(l.alert), receivedAt: new Date().toISOString() };
      const r = await startIncident(client, anomaly);
      ids.push(r.incidentId);
      if (r.started) opened++;
    }
    say(`\n${opened} new incident(s) from ${lines.length} alert(s) in ${file} (${lines.length - opened} already open or invalid).`);
    const states = await settle(client, [...new Set(ids)], 120_000);
    say('\nIncidents:');
    for (const s of states) {
      say(`  ${s.incidentId}  ${s.severity.padEnd(8)} ${(s.verdict?.outcome ?? '-').padEnd(12)} ${s.status.padEnd(17)} ${s.anomaly.alert.rule} on ${s.assetLabel}`);
    }
    const waiting = states.filter((s) => s.status === 'awaiting_decision');
    if (server?.uiUrl) say(`\nTemporal UI: ${server.uiUrl}/namespaces/default/workflows  (filter: VigilStatus="awaiting_decision")`);
    say(`Temporal address: ${address}   (export TEMPORAL_ADDRESS=${address} for the commands below)`);
    if (waiting.length) {
      const first = waiting[0] as IncidentState;
      say(`\n${waiting.length} incident(s) wait for an analyst. See them with:  npx vigil pending`);
      say(`Approve (alice is a senior analyst in policies/data.json):`);
      say(`  npx vigil approve ${first.incidentId} --analyst alice --reason "confirmed malicious"`);
      say(`  npx vigil reject ${first.incidentId} --analyst alice --reason "false positive"`);
      say(`  temporal workflow signal --address ${address} --workflow-id ${first.incidentId} --name analystDecision --input '{"decision":"approve","analyst":"alice","reason":"ok"}'`);
    }
    if (opts.exitWhenDone) return void (await shutdown(0));
    say('\nVigil is running. Ctrl-C stops every process.');
    await new Promise(() => undefined);
  } catch (err) {
    process.stderr.write(`demo failed: ${(err as Error).message}\n`);
    await shutdown(1);
  }
}
