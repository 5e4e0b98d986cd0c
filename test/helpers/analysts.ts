import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { SignedDecision } from '../../contracts/decision';
import { addAnalystKey, signAsAnalyst } from '../../lib/trust/analyst-keys';
import { stateQuery } from '../../workflows/definitions';

/** Development keys for the analysts of policies/data.json, in a throwaway directory (what `vigil analyst add` makes). */
export interface TestAnalysts {
  dir: string;
  /** The environment that points workers and the CLI at these keys. */
  env: { VIGIL_ANALYST_KEYS_DIR: string };
  /** A signed decision for the incident's current verdict, as `vigil approve --print` prints it. */
  decision(handle: WorkflowHandle, analyst: string, decision: 'approve' | 'reject', reason?: string): Promise<SignedDecision>;
  remove(): void;
}

export const POLICY_ANALYSTS = ['alice', 'bob', 'carol', 'erin'] as const;

export async function testAnalysts(names: readonly string[] = POLICY_ANALYSTS): Promise<TestAnalysts> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-analysts-'));
  for (const name of names) await addAnalystKey(dir, name);
  return {
    dir,
    env: { VIGIL_ANALYST_KEYS_DIR: dir },
    async decision(handle, analyst, decision, reason = '') {
      const state = await handle.query(stateQuery);
      if (!state.verdict) throw new Error(`${handle.workflowId} has no verdict to answer`);
      const token = await signAsAnalyst(dir, { analyst, decision, reason, incidentId: handle.workflowId, verdictDigest: state.verdict.inputDigest, ttlSeconds: 600 });
      return { token };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
