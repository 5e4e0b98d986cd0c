import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../contracts';
import type { Child } from './children';
import { startChild } from './children';
import { fromRoot } from '../paths';
import { freePort } from './ports';
import { toolPath } from '../tools';

export interface DevServer {
  address: string;
  uiUrl: string | null;
  child: Child;
  stop(): Promise<void>;
}

/** Tries to reach a Temporal frontend; true when it answers. */
export async function temporalAnswers(address: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const conn = await Connection.connect({ address, connectTimeout: timeoutMs });
    await conn.workflowService.getSystemInfo({});
    await conn.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * `temporal server start-dev` on loopback with Vigil's search attributes registered.
 * With a db file, incidents survive a restart; the UI is optional (tests run headless).
 */
export async function startDevServer(opts: { port?: number; uiPort?: number | null; dbFile?: string; logFile?: string } = {}): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port)];
  for (const sa of SEARCH_ATTRIBUTE_REGISTRATIONS) args.push('--search-attribute', sa);
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  let uiUrl: string | null = null;
  if (opts.uiPort === null) {
    args.push('--headless');
  } else {
    const uiPort = opts.uiPort ?? (await freePort());
    args.push('--ui-port', String(uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch');
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }
  // The dev server's own metrics port defaults to a fixed one; give it a free port so several can run.
  args.push('--metrics-port', String(await freePort()), '--http-port', String(await freePort()));
  const child = startChild({ name: 'temporal', command: toolPath('temporal', 'TEMPORAL_CLI'), args, logFile: opts.logFile });
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await temporalAnswers(address, 1000))) {
    if (child.process.exitCode !== null) throw new Error(`temporal dev server exited with ${child.process.exitCode}${opts.logFile ? `; see ${opts.logFile}` : ''}`);
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`temporal dev server did not answer on ${address} within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { address, uiUrl, child, stop: () => child.stop() };
}

export function defaultDbFile(): string {
  return join(fromRoot('.data'), 'temporal.db');
}
