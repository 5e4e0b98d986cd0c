import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { policyDataProblems } from './policy-data';

/** What every bundle must answer. */
export const ENTRYPOINTS = { verdict: 'vigil/review/verdict', decision: 'vigil/decision/result' } as const;
/**
 * Asked only when the verdict entrypoint fails: the proposal after step mutation, so a policy error
 * escalates what policy would have run, never the raw proposals. Optional (older bundles lack it).
 */
export const FALLBACK_ENTRYPOINTS = { steps: 'vigil/mutation/steps' } as const;

/** The three files scripts/build-policy.sh writes, read and checked as one consistent set. */
export interface BundleFiles {
  dir: string;
  version: string;
  wasm: Uint8Array;
  data: unknown;
}

export class PolicyBundleError extends Error {
  override readonly name = 'PolicyBundleError';
}

/** opa-wasm throws strings as well as Errors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Same as the build script: the first 16 hex of sha256(policy.wasm ‖ data.json). */
export function bundleVersion(wasm: Uint8Array, dataBytes: Uint8Array): string {
  return createHash('sha256').update(wasm).update(dataBytes).digest('hex').slice(0, 16);
}

async function readOnce(dir: string): Promise<BundleFiles & { hash: string }> {
  const [wasm, dataBytes, manifestText] = await Promise.all([
    readFile(join(dir, 'policy.wasm')),
    readFile(join(dir, 'data.json')),
    readFile(join(dir, 'manifest.json'), 'utf8'),
  ]);
  let manifest: { version?: unknown; entrypoints?: unknown };
  try {
    manifest = JSON.parse(manifestText) as typeof manifest;
  } catch (err) {
    throw new PolicyBundleError(`${dir}/manifest.json is not JSON: ${(err as Error).message}`);
  }
  if (typeof manifest.version !== 'string') throw new PolicyBundleError(`${dir}/manifest.json has no version`);
  const entrypoints = Array.isArray(manifest.entrypoints) ? manifest.entrypoints : [];
  for (const e of Object.values(ENTRYPOINTS)) {
    if (!entrypoints.includes(e)) throw new PolicyBundleError(`${dir}/manifest.json does not list entrypoint ${e}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(dataBytes.toString('utf8'));
  } catch (err) {
    throw new PolicyBundleError(`${dir}/data.json is not JSON: ${(err as Error).message}`);
  }
  return { dir, version: manifest.version, wasm, data, hash: bundleVersion(wasm, dataBytes) };
}

/**
 * Reads a bundle directory and checks that the files belong together (the manifest's version is
 * their content hash) and that the data has the shape the policy reads. A mismatch usually means
 * the directory is being swapped under us (build script renames, ConfigMap symlink flip), so it is
 * read again a few times before giving up.
 */
export async function readBundleFiles(dir: string, opts: { attempts?: number; retryDelayMs?: number } = {}): Promise<BundleFiles> {
  const attempts = opts.attempts ?? 5;
  let files = await readOnce(dir);
  for (let i = 1; i < attempts && files.hash !== files.version; i++) {
    await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 50));
    files = await readOnce(dir);
  }
  if (files.hash !== files.version) {
    throw new PolicyBundleError(`${dir}: manifest version ${files.version} does not match the content hash ${files.hash} of policy.wasm + data.json`);
  }
  const problems = policyDataProblems(files.data);
  if (problems.length > 0) throw new PolicyBundleError(`${dir}/data.json is invalid:\n  ${problems.join('\n  ')}`);
  return { dir: files.dir, version: files.version, wasm: files.wasm, data: files.data };
}
