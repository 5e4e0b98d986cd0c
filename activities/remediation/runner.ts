import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionResult, Artifact, Asset, ProposedAction, RevertResult, WriteRecord } from '../../contracts';
import type { Logger } from '../../lib/logger';
import { writeMarker } from './actionner';
import { applyOperation, revertWrite } from './applier';
import { captureEvidence } from './evidence';
import type { RemediationGuards } from './guards';
import { DEFAULT_GUARDS } from './guards';
import type { KubeApi } from './kube/api';
import { classifyFailure, TRANSIENT_FAILURE_CODES } from './failure';
import type { Verified } from './preflight';
import { verifyTarget } from './preflight';
import type { ActionnerRegistry } from './registry';
import { describeOps } from './registry';

export const DEFAULT_EVIDENCE_DIR = join(tmpdir(), 'vigil-evidence');

export interface RunnerDeps {
  registry: ActionnerRegistry;
  /** The API server; absent: dry-run records local plans only (acting mode refuses to start without one). */
  kube?: KubeApi | null;
  dryRun: boolean;
  /** Read at every remediation (policy data may change between incidents); a throw refuses every action. Default: built-in guards. */
  guards?: () => RemediationGuards;
  /** Where evidence artifacts are written (default: `vigil-evidence` in the OS temp dir). */
  evidenceDir?: string;
  /**
   * Pause between two writes of one remediation (default 0): paces a burst of containment so it
   * cannot flood the API server, like a client-side QPS limit.
   */
  writeIntervalMs?: number;
  log: Logger;
}

/**
 * Results already reached by an earlier attempt of the same activity (Temporal heartbeat details),
 * so a retry does not even re-read what it finished. The objects' own marks are what guarantee
 * exactly once; this only spares the work.
 */
export interface Journal {
  done: readonly ActionResult[];
  record(results: readonly ActionResult[]): void;
}

/** Spaces writes `writeIntervalMs` apart within one remediation. */
function pacer(intervalMs: number): () => Promise<void> {
  let wrote = false;
  return async () => {
    if (wrote && intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
    wrote = true;
  };
}

export { TRANSIENT_FAILURE_CODES } from './failure';

/** Thrown by revertActions (when asked) for an API server that could not serve the revert just now (unreachable, 5xx, or its authorizer not ready). */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Evidence first, then containment, each group in the order the verdict gave. */
function ordered(actions: readonly ProposedAction[], registry: ActionnerRegistry): ProposedAction[] {
  const rank = (a: ProposedAction) => (registry.get(a.actionner)?.phase === 'evidence' ? 0 : 1);
  return actions.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i).map((x) => x.a);
}

/**
 * Runs a verdict's allowed actions against the live cluster: pre-flight (once per target pod),
 * the actionner's guard, then each planned operation exactly once, recording every write with the
 * state it replaced. Never throws: each action ends in one record (refused and failed ones carry
 * a code, and the writes that did happen, so they can be reverted).
 */
export async function runActions(actions: readonly ProposedAction[], subject: Asset | undefined, incidentId: string, deps: RunnerDeps, journal?: Journal): Promise<ActionResult[]> {
  let guards: RemediationGuards;
  try {
    guards = deps.guards ? deps.guards() : DEFAULT_GUARDS;
  } catch (err) {
    return actions.map((a) => ({ actionId: a.id, actionner: a.actionner, idempotencyKey: `${incidentId}/${a.id}`, status: 'refused', objects: [], code: 'guards_unavailable', message: (err as Error).message }));
  }
  const verified = new Map<string, Verified>();
  const results: ActionResult[] = [];
  const pace = pacer(deps.writeIntervalMs ?? 0);
  for (const action of ordered(actions, deps.registry)) {
    journal?.record(results); // also keeps a heartbeat timeout fed through a long remediation
    const earlier = journal?.done.find((r) => r.actionId === action.id && (r.status === 'executed' || r.status === 'dry_run'));
    const result = earlier ?? (await runOne(action, subject, incidentId, guards, verified, deps, pace));
    results.push(result);
    journal?.record(results);
  }
  return results;
}

async function runOne(
  action: ProposedAction,
  subject: Asset | undefined,
  incidentId: string,
  guards: RemediationGuards,
  verified: Map<string, Verified>,
  deps: RunnerDeps,
  pace: () => Promise<void>,
): Promise<ActionResult> {
  if (!deps.kube) return deps.registry.planLocally(action, { incidentId, guards });
  const kube = deps.kube;
  const idempotencyKey = `${incidentId}/${action.id}`;
  const base = { actionId: action.id, actionner: action.actionner, idempotencyKey };
  const problem = deps.registry.validate(action);
  const actionner = deps.registry.get(action.actionner);
  if (problem || !actionner) return { ...base, status: 'skipped', objects: [], message: problem ?? 'unknown actionner' };
  const params = actionner.params.parse(action.params);
  const writes: WriteRecord[] = [];
  let artifact: Artifact | undefined;
  const notes: string[] = [];
  try {
    const key = `${action.target.namespace}/${action.target.pod ?? ''}`;
    const check = verified.get(key) ?? (await verifyTarget(kube, action.target, subject, guards));
    verified.set(key, check);
    if (!check.ok) return { ...base, status: 'refused', objects: [], code: check.code, message: `pre-flight refused: ${check.reason}` };
    const live = check.target;
    const guard = actionner.guard?.(live, params, guards);
    if (guard) return { ...base, status: 'refused', objects: [], preflight: live.record, code: guard.code, message: `guard refused: ${guard.reason}` };
    const ops = actionner.plan(action, params, { incidentId, idempotencyKey, live, guards });
    for (const [i, op] of ops.entries()) {
      if (op.verb === 'capture') {
        const tailLines = typeof (op.body.logs as { tailLines?: unknown } | undefined)?.tailLines === 'number' ? ((op.body.logs as { tailLines: number }).tailLines) : 500;
        const captured = await captureEvidence(kube, live, { dir: deps.evidenceDir ?? DEFAULT_EVIDENCE_DIR, incidentId, idempotencyKey, tailLines });
        artifact = captured.artifact;
        notes.push(captured.message);
        continue;
      }
      await pace();
      writes.push(await applyOperation(kube, op, { idempotencyKey, marker: writeMarker(idempotencyKey, i), dryRun: deps.dryRun, expectUid: op.kind === 'Pod' ? live.record.pod.uid : undefined }));
    }
    const again = writes.filter((w) => w.state === 'already_applied').length;
    const how = deps.dryRun ? 'server dry-run (dryRun=All) admitted' : 'applied';
    const summary = ops.some((o) => o.verb !== 'capture') ? `${how}: ${describeOps(ops.filter((o) => o.verb !== 'capture'))}${again ? ` (${again} already done by an earlier attempt)` : ''}` : '';
    return {
      ...base,
      status: deps.dryRun ? 'dry_run' : 'executed',
      objects: ops.map((op) => ({ ...op })),
      writes,
      preflight: live.record,
      ...(artifact ? { artifact } : {}),
      message: [summary, ...notes].filter(Boolean).join('; '),
    };
  } catch (err) {
    const failure = await classifyFailure(err, kube);
    deps.log.warn({ action: { id: action.id, actionner: action.actionner, code: failure.code }, err: { message: failure.message } }, 'action failed');
    return { ...base, status: 'failed', objects: [], writes, ...(artifact ? { artifact } : {}), code: failure.code, message: failure.message };
  }
}

/**
 * Undoes an incident's containment, last write first. Each write is reported: reverted, already
 * reverted, changed since by someone else (left alone), irreversible (a delete), or failed.
 */
export async function revertActions(
  results: readonly ActionResult[],
  deps: Pick<RunnerDeps, 'kube' | 'dryRun' | 'log'>,
  /** Throw on an unreachable API server instead of recording it, so the caller's retry runs the revert again (writes already reverted report so). */
  opts: { throwTransient?: boolean } = {},
): Promise<RevertResult[]> {
  if (!deps.kube) throw new Error('revert needs a Kubernetes API server (KUBECONFIG or in-cluster); none is configured');
  const out: RevertResult[] = [];
  for (const r of [...results].reverse()) {
    for (const w of [...(r.writes ?? [])].reverse()) {
      const base = { actionId: r.actionId, actionner: r.actionner, ref: w.ref, verb: w.verb };
      try {
        out.push({ ...base, ...(await revertWrite(deps.kube, w, { dryRun: deps.dryRun, idempotencyKey: r.idempotencyKey })) });
      } catch (err) {
        const failure = await classifyFailure(err, deps.kube);
        if (opts.throwTransient && TRANSIENT_FAILURE_CODES.has(failure.code)) throw new ApiUnreachableError(failure.code, failure.message);
        out.push({ ...base, outcome: 'failed', message: `${failure.code}: ${failure.message}` });
      }
    }
  }
  return out;
}
