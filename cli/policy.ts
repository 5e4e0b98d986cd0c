import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { z } from 'zod';
import { defaultRegistry } from '../activities/remediation/registry';
import type { BundleFiles } from '../activities/review/bundle-files';
import { readBundleFiles } from '../activities/review/bundle-files';
import type { PolicyBundle } from '../activities/review/policy-bundle';
import { instantiatePolicy, loadPolicyBundle } from '../activities/review/policy-bundle';
import type { PolicyConfig } from '../activities/review/policy-data';
import { policyDataProblems } from '../activities/review/policy-data';
import type { VerdictInput } from '../activities/review/verdict-engine';
import { AuthorityInputSchema, evaluateAuthority, evaluateVerdict, VerdictInputSchema } from '../activities/review/verdict-engine';
import { fromRoot } from '../lib/paths';
import { toolPath } from '../lib/tools';
import { issueLines } from '../contracts';

type Fail = (message: string, code?: number) => never;

interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs a tool to completion and hands back its output whatever the exit code. */
function runTool(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code === 1 ? err.message : '') });
    });
  });
}

const defaultBundleDir = () => process.env.VIGIL_POLICY_DIR || fromRoot('policies', 'build');

/** Actionners the data names must exist, or their allow-listing silently allows nothing. */
function actionnerProblems(data: unknown): string[] {
  const cfg = (data as { vigil: { config: PolicyConfig } }).vigil.config;
  const registry = defaultRegistry();
  const named = new Set([...Object.values(cfg.allowed_actions).flat(), ...cfg.human_only_actions, ...cfg.decision_quorum.rules.flatMap((r) => r.actionners ?? [])]);
  return [...named].filter((n) => !registry.get(n)).map((n) => `actionner ${n} is not registered (known: ${registry.list().map((a) => a.name).join(', ')})`);
}

function checkData(data: unknown): CheckResult {
  const problems = policyDataProblems(data);
  if (problems.length === 0) problems.push(...actionnerProblems(data));
  return { name: 'data', ok: problems.length === 0, detail: problems.length ? problems.join('\n') : 'valid' };
}

/** A bundle must load and answer both entrypoints with well-formed results, not fail closed. */
const SMOKE_VERDICT: VerdictInput = {
  incident: { id: 'vigil-policy-check', severity: 'low', asset: { kind: 'pod', namespace: 'default', pod: 'check' } },
  alert: { rule: 'vigil policy check', priority: 'Notice', source: 'syscall', tags: [] },
  anomaly: { score: 1 },
  analysis: {
    severity: 'low',
    technique: null,
    confidence: 1,
    summary: 'smoke test',
    actions: [{ id: 'check', actionner: 'kubernetes:label', target: { namespace: 'default', pod: 'check' }, params: { labels: { check: 'true' } }, blastRadius: { scope: 'pod', pods: 1 }, rationale: '' }],
    analyser: { kind: 'deterministic', version: 'check' },
  },
};

async function checkEvaluation(files: BundleFiles): Promise<CheckResult> {
  let bundle: PolicyBundle | null = null;
  try {
    bundle = await instantiatePolicy(files);
    const verdict = await evaluateVerdict(bundle, SMOKE_VERDICT);
    const authority = await evaluateAuthority(bundle, {
      decision: { decision: 'approve', analyst: 'vigil-check', reason: '' },
      signed: true,
      requiredRole: 'analyst',
      asset: SMOKE_VERDICT.incident.asset,
      severity: 'low',
      actions: ['kubernetes:label'],
      incidentId: SMOKE_VERDICT.incident.id,
    });
    const broken = [...verdict.reasons, ...authority.reasons].filter((r) => r.code === 'policy_error');
    if (broken.length) return { name: 'evaluation', ok: false, detail: broken.map((r) => r.message).join('; ') };
    return { name: 'evaluation', ok: true, detail: `version ${files.version}: sample verdict ${verdict.outcome}, sample decision ${authority.allowed ? 'allowed' : 'refused'}` };
  } catch (err) {
    return { name: 'evaluation', ok: false, detail: (err as Error).message };
  } finally {
    bundle?.retire();
  }
}

/** Checks a policy source: data, Rego (opa check, opa test with coverage), and the wasm it builds. */
async function checkSource(src: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(join(src, 'data.json'), 'utf8'));
    results.push(checkData(data));
  } catch (err) {
    results.push({ name: 'data', ok: false, detail: `${join(src, 'data.json')}: ${(err as Error).message}` });
  }
  const opa = toolPath('opa', 'OPA_BIN');
  const rego = join(src, 'vigil');
  const check = await runTool(opa, ['check', '--v1-compatible', rego]);
  results.push({ name: 'opa check', ok: check.code === 0, detail: check.code === 0 ? 'Rego compiles' : check.stderr.trim() || check.stdout.trim() });
  if (check.code !== 0) return results;

  const test = await runTool(opa, ['test', '--v1-compatible', '--format', 'json', rego, join(src, 'data.json')]);
  const cases = parseJson<Array<{ name: string; fail?: boolean; error?: unknown }>>(test.stdout) ?? [];
  const failed = cases.filter((c) => c.fail || c.error).map((c) => c.name);
  const coverage = await runTool(opa, ['test', '--v1-compatible', '--coverage', '--format', 'json', rego, join(src, 'data.json')]);
  const percent = parseJson<{ coverage?: number }>(coverage.stdout)?.coverage;
  results.push({
    name: 'opa test',
    ok: test.code === 0 && cases.length > 0,
    detail:
      cases.length === 0
        ? `no tests ran: ${test.stderr.trim() || test.stdout.trim()}`
        : `${cases.length - failed.length}/${cases.length} passed${failed.length ? ` (failed: ${failed.join(', ')})` : ''}, coverage ${percent === undefined ? '?' : `${percent.toFixed(1)}%`}`,
  });

  const out = mkdtempSync(join(tmpdir(), 'vigil-policy-check-'));
  try {
    const build = await runTool('bash', [fromRoot('scripts', 'build-policy.sh'), src, out]);
    if (build.code !== 0) {
      results.push({ name: 'build', ok: false, detail: build.stderr.trim() });
      return results;
    }
    // The data was checked above from the source; the rest is about what was built from it.
    results.push(...(await checkBundle(out)).filter((r) => r.name !== 'data'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return results;
}

/** Checks a built bundle (e.g. the mounted ConfigMap) without opa: consistent files, valid data, evaluates. */
async function checkBundle(dir: string): Promise<CheckResult[]> {
  let files: BundleFiles;
  try {
    files = await readBundleFiles(dir);
  } catch (err) {
    return [{ name: 'bundle', ok: false, detail: (err as Error).message }];
  }
  return [{ name: 'bundle', ok: true, detail: `${dir}: version ${files.version} matches its content` }, checkData(files.data), await checkEvaluation(files)];
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Reads and validates an input file; every problem is named with its path. */
function readInput<T>(file: string, schema: z.ZodType<T>, fail: Fail): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`cannot read ${file} as JSON: ${(err as Error).message}`, 2);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) fail(`${file} is not a valid policy input:\n  ${issueLines(parsed.error).join('\n  ')}`, 2);
  return parsed.data;
}

export function registerPolicyCommands(program: Command, fail: Fail): void {
  const policy = program.command('policy').description('the review policy: validate a bundle, evaluate an input');

  policy
    .command('check')
    .description('validate the policy data, compile and test the Rego (opa), and evaluate the built wasm; --bundle checks a built bundle only')
    .option('--src <dir>', 'policy source: vigil/*.rego and data.json', fromRoot('policies'))
    .option('--bundle <dir>', 'a built bundle directory (policy.wasm, data.json, manifest.json), e.g. the mounted ConfigMap')
    .option('--json', 'print JSON')
    .action(async (opts: { src: string; bundle?: string; json?: boolean }) => {
      const results = opts.bundle ? await checkBundle(opts.bundle) : await checkSource(opts.src);
      const ok = results.every((r) => r.ok);
      if (opts.json) process.stdout.write(`${JSON.stringify({ ok, results }, null, 2)}\n`);
      else {
        for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(11)} ${r.detail.split('\n').join('\n                 ')}\n`);
      }
      if (!ok) fail('policy check failed', 1);
    });

  policy
    .command('eval <input>')
    .description('print the verdict the review agent would record for an input file (the same answer as `opa eval` on the Rego)')
    .option('--bundle <dir>', 'built bundle directory (default: $VIGIL_POLICY_DIR or policies/build)')
    .option('--decision', 'evaluate analyst authority instead; input is {decision, requiredRole, asset, severity}')
    .action(async (file: string, opts: { bundle?: string; decision?: boolean }) => {
      const input = opts.decision ? readInput(file, AuthorityInputSchema, fail) : readInput(file, VerdictInputSchema, fail);
      let bundle: PolicyBundle;
      try {
        bundle = await loadPolicyBundle(opts.bundle ?? defaultBundleDir());
      } catch (err) {
        fail(`cannot load the policy bundle: ${(err as Error).message}`, 1);
      }
      try {
        const result = opts.decision ? await evaluateAuthority(bundle, AuthorityInputSchema.parse(input)) : await evaluateVerdict(bundle, VerdictInputSchema.parse(input));
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } finally {
        bundle.retire();
      }
    });
}
