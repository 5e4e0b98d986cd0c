import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { SA } from '../../contracts';
import type { DevServer } from '../../lib/devstack/dev-server';
import { startDevServer } from '../../lib/devstack/dev-server';
import { fromRoot } from '../../lib/paths';
import { runCommand } from '../helpers/run-command';

/**
 * What the chart's post-install Job runs (node dist/scripts/chart/register-search-attributes.js),
 * against a real Temporal dev server, on a fresh namespace that has none of Vigil's attributes.
 */

const SCRIPT = fromRoot('dist', 'scripts', 'chart', 'register-search-attributes.js');
const NAMESPACE = 'vigil-helm-setup';
let server: DevServer | undefined;
let logDir: string;
let connection: Connection | undefined;

beforeAll(async () => {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run \`npm run build\` first`);
  logDir = mkdtempSync(join(tmpdir(), 'vigil-sa-'));
  server = await startDevServer({ uiPort: null, logFile: join(logDir, 'temporal.log') });
  connection = await Connection.connect({ address: server.address });
  await connection.workflowService.registerNamespace({ namespace: NAMESPACE, workflowExecutionRetentionPeriod: msToTs('1 day') });
});

afterAll(async () => {
  await connection?.close().catch(() => undefined);
  await server?.stop();
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

const run = () => runCommand(process.execPath, [SCRIPT], { env: { TEMPORAL_ADDRESS: server!.address, TEMPORAL_NAMESPACE: NAMESPACE }, timeoutMs: 60_000 });

it('registers every Vigil search attribute with its type, then finds them already there', async () => {
  const listed = async () => (await connection!.operatorService.listSearchAttributes({ namespace: NAMESPACE })).customAttributes ?? {};
  // Namespace registration is eventually visible to the operator API; wait until it answers.
  for (let i = 0; ; i++) {
    try {
      await listed();
      break;
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const before = await listed();
  for (const key of Object.values(SA)) expect(before[key.name]).toBeUndefined();

  const first = await run();
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toContain(`registered search attributes on ${NAMESPACE}: ${Object.values(SA).map((k) => k.name).join(', ')}`);

  const after = await listed();
  const T = temporal.api.enums.v1.IndexedValueType;
  for (const key of Object.values(SA)) {
    expect(after[key.name]).toBe(key.type === 'DOUBLE' ? T.INDEXED_VALUE_TYPE_DOUBLE : T.INDEXED_VALUE_TYPE_KEYWORD);
  }

  const second = await run();
  expect(second.code).toBe(0);
  expect(second.stdout).toContain(`search attributes already registered on ${NAMESPACE}`);
});

it('fails with the reason when Temporal cannot be reached (so the Job retries)', async () => {
  const r = await runCommand(process.execPath, [SCRIPT], { env: { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_NAMESPACE: NAMESPACE }, timeoutMs: 60_000 });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('cannot register search attributes');
});
