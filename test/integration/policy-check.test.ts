import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, POLICY_SRC, policySourceWith } from '../helpers/policy-bundles';
import { runVigil } from '../helpers/run-command';

/** `vigil policy check` with the real opa binary: data, Rego, tests, build and wasm evaluation. */
describe('vigil policy check', () => {
  const vigil = (...args: string[]) => runVigil(['policy', 'check', ...args], { timeoutMs: 180_000 });
  const dirs: string[] = [];
  const tmp = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('passes the project policy: valid data, Rego compiles, every opa test passes, the wasm evaluates', async () => {
    const r = await vigil('--src', POLICY_SRC, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; results: Array<{ name: string; ok: boolean; detail: string }> };
    expect(report.ok).toBe(true);
    expect(report.results.map((x) => x.name)).toEqual(['data', 'opa check', 'opa test', 'bundle', 'evaluation']);
    expect(report.results.find((x) => x.name === 'opa test')?.detail).toMatch(/^(\d+)\/\1 passed, coverage 100\.0%$/);
  });

  it('fails on invalid data, naming the field, and on a data typo that leaves a key the Rego reads missing', async () => {
    const src = policySourceWith((c) => {
      c.min_confidence = 'high';
      c.human_only_action = c.human_only_actions;
      delete c.human_only_actions;
    });
    dirs.push(src);
    const r = await vigil('--src', src);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL data +vigil\.config\.min_confidence: Invalid input: expected number/);
    expect(r.stdout).toContain('vigil.config.human_only_actions');
    expect(r.stderr).toContain('policy check failed');
  });

  it('fails on an allow-listed actionner nobody registered', async () => {
    const src = policySourceWith((c) => ((c.allowed_actions as Record<string, string[]>).low!.push('kubernetes:reboot-node')));
    dirs.push(src);
    const r = await vigil('--src', src);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('actionner kubernetes:reboot-node is not registered');
  });

  it('fails when a policy test fails, naming it', async () => {
    const src = policySourceWith(() => undefined);
    dirs.push(src);
    writeFileSync(join(src, 'vigil', 'broken_test.rego'), 'package vigil.broken_test\n\nimport rego.v1\n\ntest_always_fails if false\n');
    const r = await vigil('--src', src);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL opa test +\d+\/\d+ passed \(failed: test_always_fails\)/);
  });

  it('checks a built bundle without opa, and refuses one whose files do not match its manifest', async () => {
    const bundle = tmp('vigil-check-bundle-');
    await buildBundle(POLICY_SRC, bundle);
    const ok = await vigil('--bundle', bundle);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok +evaluation +version [0-9a-f]{16}: sample verdict (auto_execute|auto_reject|escalate),/);

    const tampered = tmp('vigil-check-tampered-');
    cpSync(bundle, tampered, { recursive: true });
    writeFileSync(join(tampered, 'data.json'), '{"vigil":{"config":{}}}\n');
    const bad = await vigil('--bundle', tampered);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('does not match the content hash');
  });
});
