import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../helpers/run-command';

/** scripts/test.sh's summary: a stage that died before writing its results fails the run. */
const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'test-summary.js');

describe('test summary', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-summary-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const stage = (name: string, r: Record<string, unknown>) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(r));
  const ok = { numPassedTests: 3, numFailedTests: 0, numRuntimeErrorTestSuites: 0, numPendingTests: 1, success: true };
  const summary = (...stages: string[]) => runCommand(process.execPath, [SCRIPT, dir, '5', '0', ...stages]);

  it('passes when every stage wrote passing results', async () => {
    stage('unit', ok);
    stage('workflow', ok);
    expect(await summary('unit', 'workflow')).toMatchObject({ code: 0, stdout: expect.stringContaining('vigil: 11 passed, 0 failed, 2 skipped') });
  });

  it('fails when a stage died before writing its results, though nothing counted as failed', async () => {
    stage('unit', ok);
    const r = await summary('unit', 'integration');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('0 failed');
    expect(r.stdout).toContain('FAILED: integration (no results file)');
  });

  it('fails on a truncated results file and on failed tests', async () => {
    writeFileSync(join(dir, 'unit.json'), '{"numPassedTests": 3, "numFai');
    expect((await summary('unit')).code).toBe(1);
    stage('unit', { ...ok, numFailedTests: 2, success: false });
    expect(await summary('unit')).toMatchObject({ code: 1, stdout: expect.stringContaining('2 failed') });
  });
});
