import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs a built bench to completion; SIGTERM (which it answers by stopping its children) if it hangs. */
function runBench(script: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'bench', script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const NUMBER = '(\\d+(?:\\.\\d+)?)';

/** A few incidents through the whole bench so it cannot rot; it measures, it asserts no time. */
describe('bench smoke: incident throughput', () => {
  it('drives incidents and the baseline through a real stack and prints the summary line', async () => {
    const r = await runBench('incident-throughput.js', ['--incidents', '3', '--rounds', '1', '--single', '1'], 220_000);
    if (r.code !== 0) throw new Error(`bench exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    expect(last).toMatch(new RegExp(`^incidents/s ${NUMBER} baseline/s ${NUMBER} ratio ${NUMBER} p50 ${NUMBER}ms p99 ${NUMBER}ms$`));
    const [, rate, baseline] = new RegExp(`^incidents/s ${NUMBER} baseline/s ${NUMBER}`).exec(last)!;
    expect(Number(rate)).toBeGreaterThan(0);
    expect(Number(baseline)).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/history events \d+(\.\d)? vs \d+/);
  });
});
