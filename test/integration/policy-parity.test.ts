import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '../../lib/tools';
import { buildBundle, POLICY_SRC, policySourceWith } from '../helpers/policy-bundles';
import { DECISION_CASES, SUPPRESSION_CASE, VERDICT_CASES } from '../helpers/policy-inputs';
import { runCommand, runVigil } from '../helpers/run-command';

/**
 * `vigil policy eval` (the wasm bundle, through the review agent's own engine) must give the same
 * answer as `opa eval` on the Rego source, for every verdict path and authority rule.
 */
describe('vigil policy eval agrees with opa eval', () => {
  let work: string;
  let bundle: string;
  let version: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'vigil-parity-'));
    bundle = join(work, 'bundle');
    version = await buildBundle(POLICY_SRC, bundle);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function both(name: string, input: unknown, query: string, vigilArgs: string[], src = POLICY_SRC, built = bundle) {
    const file = join(work, `${name.replace(/[^a-z0-9]+/gi, '-')}.json`);
    writeFileSync(file, JSON.stringify(input));
    const [vigil, opa] = await Promise.all([
      runVigil(['policy', 'eval', file, '--bundle', built, ...vigilArgs]),
      runCommand(toolPath('opa', 'OPA_BIN'), ['eval', '--v1-compatible', '--format', 'json', '-d', join(src, 'vigil'), '-d', join(src, 'data.json'), '-i', file, query]),
    ]);
    expect({ code: vigil.code, stderr: vigil.stderr }).toEqual({ code: 0, stderr: '' });
    expect(opa.code).toBe(0);
    const ours = JSON.parse(vigil.stdout) as Record<string, unknown>;
    const theirs = (JSON.parse(opa.stdout) as { result: Array<{ expressions: Array<{ value: unknown }> }> }).result[0]?.expressions[0]?.value;
    return { ours, theirs };
  }

  const seen = new Set<string>();
  it.each(VERDICT_CASES.map((c) => [c.name, c.input] as const))('verdict: %s', async (name, input) => {
    const { ours, theirs } = await both(name, input, 'data.vigil.review.verdict', []);
    const { policyVersion, inputDigest, ...verdict } = ours;
    expect(verdict).toEqual(theirs);
    expect(policyVersion).toBe(version);
    expect(inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((verdict.reasons as Array<{ code: string }>).map((r) => r.code)).not.toContain('policy_error');
    seen.add(String(verdict.outcome));
    if ((verdict.mutations as unknown[]).length > 0) seen.add('mutated');
  });

  it.each(DECISION_CASES.map((c) => [c.name, c.input] as const))('decision: %s', async (name, input) => {
    const { ours, theirs } = await both(name, input, 'data.vigil.decision.result', ['--decision']);
    const { policyVersion, inputDigest, ...result } = ours;
    expect(result).toEqual(theirs);
    expect(policyVersion).toBe(version);
    expect(inputDigest).toMatch(/^sha256:/);
  });

  it('verdict: a suppressed finding (data beside the config)', async () => {
    const src = policySourceWith(() => undefined, undefined, { suppressions: [SUPPRESSION_CASE.suppression] });
    const built = join(work, 'suppressed');
    await buildBundle(src, built);
    const { ours, theirs } = await both('suppressed', SUPPRESSION_CASE.input, 'data.vigil.review.verdict', [], src, built);
    const { policyVersion: _v, inputDigest: _d, ...verdict } = ours;
    expect(verdict).toEqual(theirs);
    expect(verdict).toMatchObject({ outcome: 'auto_reject', suppressions: ['web-shell'] });
    rmSync(src, { recursive: true, force: true });
  });

  it('the table reaches every outcome and a mutation', () => {
    expect([...seen].sort()).toEqual(['auto_execute', 'auto_reject', 'escalate', 'mutated']);
  });

  it('refuses an input file that is not a policy input, naming the bad fields, and evaluates nothing', async () => {
    const file = join(work, 'bad.json');
    writeFileSync(file, JSON.stringify({ incident: { id: 'x', severity: 'dire' }, analysis: { confidence: 3 } }));
    const r = await runVigil(['policy', 'eval', file, '--bundle', bundle]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('incident.severity');
    expect(r.stderr).toContain('analysis.confidence');
  });
});
