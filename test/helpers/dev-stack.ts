import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { IncidentState } from '../../contracts';
import type { DevServer } from '../../lib/devstack/dev-server';
import { startDevServer } from '../../lib/devstack/dev-server';
import type { WorkerStack } from '../../lib/devstack/stack';
import { startWorkers } from '../../lib/devstack/stack';
import { connectClient } from '../../lib/temporal-client';
import { temporalConfigFromEnv } from '../../lib/temporal-config';
import { stateQuery } from '../../workflows/definitions';
import type { TestAnalysts } from './analysts';
import { testAnalysts } from './analysts';
import { testGateKeys } from './trust';

export interface DevStack {
  server: DevServer;
  workers: WorkerStack;
  client: Client;
  logDir: string;
  /** The policy's analysts with development keys the review agent trusts (its local JWKS). */
  analysts: TestAnalysts;
  stop(): Promise<void>;
}

/** A real dev server on a free loopback port and the five workers as separate OS processes. */
export async function startDevStack(env: NodeJS.ProcessEnv = {}): Promise<DevStack> {
  const logDir = mkdtempSync(join(tmpdir(), 'vigil-it-'));
  const analysts = await testAnalysts();
  const server = await startDevServer({ uiPort: null, logFile: join(logDir, 'temporal.log') });
  let workers: WorkerStack | undefined;
  try {
    // The review agent trusts the test gate key, which the fixtures' anomalyOf signs with, and the analysts' development keys.
    workers = await startWorkers({ temporalAddress: server.address, logDir, env: { VIGIL_GATE_PUBLIC_KEY_FILE: testGateKeys().publicKeyFile, ...analysts.env, ...env } });
    const client = await connectClient(temporalConfigFromEnv({ TEMPORAL_ADDRESS: server.address }));
    const stack = workers;
    return {
      server,
      workers: stack,
      client,
      logDir,
      analysts,
      async stop() {
        await client.connection.close().catch(() => undefined);
        await stack.stop();
        await server.stop();
        analysts.remove();
      },
    };
  } catch (err) {
    await workers?.stop();
    await server.stop();
    analysts.remove();
    throw err;
  }
}

/** Polls the `state` query until the incident reaches a status (queries need a live coordinator). */
export async function waitForStatus(handle: WorkflowHandle, status: IncidentState['status'], timeoutMs = 60_000): Promise<IncidentState> {
  const deadline = Date.now() + timeoutMs;
  let last: IncidentState | undefined;
  for (;;) {
    try {
      last = await handle.query(stateQuery);
      if (last.status === status) return last;
    } catch {
      // coordinator restarting; try again
    }
    if (Date.now() > deadline) throw new Error(`incident ${handle.workflowId} did not reach ${status}; last ${last?.status ?? 'unknown'}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
