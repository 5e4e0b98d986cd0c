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
export interface DevServerOptions {
  port?: number;
  uiPort?: number | null;
  dbFile?: string;
  logFile?: string;
  /** `PRAGMA=VALUE` statements for the SQLite store (`--sqlite-pragma`), e.g. `journal_mode=wal`. */
  sqlitePragmas?: readonly string[];
  /** Dynamic config values (`--dynamic-config-value KEY=<json>`). */
  dynamicConfig?: Readonly<Record<string, unknown>>;
  /** false: the CLI's own defaults, without DEV_SERVER_TUNING (the bench's "before"). */
  tuned?: boolean;
}

/**
 * What makes the dev server carry more incidents on the same CPU without giving up durability
 * (docs/PERFORMANCE.md): SQLite's write-ahead log, one fsync'd append per commit instead of a
 * rollback journal written and deleted around each one (synchronous stays FULL); and one
 * partition per task queue, since a single-process server gains nothing from spreading a queue
 * and every extra partition is a place a task can wait for a poller that is on another.
 */
export const DEV_SERVER_TUNING = {
  sqlitePragmas: ['journal_mode=wal', 'synchronous=full'],
  dynamicConfig: { 'matching.numTaskqueueReadPartitions': 1, 'matching.numTaskqueueWritePartitions': 1 },
} as const;

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port)];
  for (const sa of SEARCH_ATTRIBUTE_REGISTRATIONS) args.push('--search-attribute', sa);
  const tuning = opts.tuned === false ? { sqlitePragmas: [], dynamicConfig: {} } : DEV_SERVER_TUNING;
  // Pragmas apply to a file; the in-memory store has no journal to tune.
  const pragmas = opts.dbFile ? [...tuning.sqlitePragmas, ...(opts.sqlitePragmas ?? [])] : (opts.sqlitePragmas ?? []);
  for (const pragma of pragmas) args.push('--sqlite-pragma', pragma);
  for (const [key, value] of Object.entries({ ...tuning.dynamicConfig, ...opts.dynamicConfig })) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
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
