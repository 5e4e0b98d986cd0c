import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';

export const ENTRYPOINTS = { verdict: 'vigil/review/verdict', decision: 'vigil/decision/result' } as const;

/** A compiled policy, its data, and the version that every verdict records. */
export interface PolicyBundle {
  version: string;
  evaluate(entrypoint: string, input: unknown): unknown;
}

/** Loads `policy.wasm`, `data.json` and `manifest.json` as written by scripts/build-policy.sh. */
export async function loadPolicyBundle(dir: string): Promise<PolicyBundle> {
  const [wasm, dataText, manifestText] = await Promise.all([
    readFile(join(dir, 'policy.wasm')),
    readFile(join(dir, 'data.json'), 'utf8'),
    readFile(join(dir, 'manifest.json'), 'utf8'),
  ]);
  const manifest = JSON.parse(manifestText) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`${dir}/manifest.json has no version`);
  const policy: LoadedPolicy = await loadPolicy(wasm);
  policy.setData(JSON.parse(dataText) as object);
  for (const e of Object.values(ENTRYPOINTS)) {
    if (!(e in (policy.entrypoints as Record<string, number>))) throw new Error(`policy bundle in ${dir} lacks entrypoint ${e}`);
  }
  return {
    version: manifest.version,
    evaluate(entrypoint, input) {
      const rs = policy.evaluate(input, entrypoint) as Array<{ result?: unknown }> | undefined;
      return rs?.[0]?.result;
    },
  };
}
