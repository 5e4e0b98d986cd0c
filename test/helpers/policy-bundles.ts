import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './fixtures';
import { runCommand } from './run-command';

export const POLICY_SRC = join(ROOT, 'policies');
export const POLICY_BUILD = join(POLICY_SRC, 'build');

/** Compiles a policy source dir (`vigil/*.rego` + `data.json`) with the project's own build script. */
export async function buildBundle(srcDir: string, outDir: string): Promise<string> {
  const r = await runCommand('bash', [join(ROOT, 'scripts', 'build-policy.sh'), srcDir, outDir], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`build-policy.sh ${srcDir} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')).version as string;
}

/** A copy of the project's policy source with `edit` applied to its data (and `vigil` keys beside config replaced), in a fresh temp dir. */
export function policySourceWith(edit: (config: Record<string, unknown>) => void, rego = join(POLICY_SRC, 'vigil'), beside: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-policy-src-'));
  cpSync(rego, join(dir, 'vigil'), { recursive: true, filter: (p) => !p.endsWith('_test.rego') });
  const data = JSON.parse(readFileSync(join(POLICY_SRC, 'data.json'), 'utf8')) as { vigil: { config: Record<string, unknown> } };
  edit(data.vigil.config);
  Object.assign(data.vigil, beside);
  writeFileSync(join(dir, 'data.json'), `${JSON.stringify(data, null, 2)}\n`);
  return dir;
}

/** policies/build, refusing a build older than the source data (run `npm run policy:build`). */
export function builtBundleDir(): string {
  const src = readFileSync(join(POLICY_SRC, 'data.json'), 'utf8');
  let built = '';
  try {
    built = readFileSync(join(POLICY_BUILD, 'data.json'), 'utf8');
  } catch {
    throw new Error('policies/build is missing: run `npm run policy:build`');
  }
  if (built !== src) throw new Error('policies/build is older than policies/data.json: run `npm run policy:build`');
  const wasmTime = statSync(join(POLICY_BUILD, 'policy.wasm')).mtimeMs;
  const rego = readdirSync(join(POLICY_SRC, 'vigil')).filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego'));
  if (rego.some((f) => statSync(join(POLICY_SRC, 'vigil', f)).mtimeMs > wasmTime)) {
    throw new Error('policies/build is older than policies/vigil: run `npm run policy:build`');
  }
  return POLICY_BUILD;
}

const BUNDLE_FILES = ['policy.wasm', 'data.json', 'manifest.json'];
let generation = 0;

/**
 * Publishes a built bundle into `root` the way the kubelet updates a mounted ConfigMap: the files
 * go to a new hidden directory, a `..data_tmp` symlink to it is renamed over `..data` (atomic),
 * and the visible names are symlinks through `..data`. The previous generation is removed.
 */
export function publishLikeConfigMap(root: string, bundleDir: string): void {
  mkdirSync(root, { recursive: true });
  generation += 1;
  const gen = `..gen_${process.pid}_${generation}`;
  mkdirSync(join(root, gen));
  for (const f of BUNDLE_FILES) copyFileSync(join(bundleDir, f), join(root, gen, f));
  const previous = existsSync(join(root, '..data')) ? readlinkSync(join(root, '..data')) : null;
  symlinkSync(gen, join(root, '..data_tmp'));
  renameSync(join(root, '..data_tmp'), join(root, '..data'));
  for (const f of BUNDLE_FILES) if (!existsSync(join(root, f))) symlinkSync(join('..data', f), join(root, f));
  if (previous) rmSync(join(root, previous), { recursive: true, force: true });
}
