import type { ObjectRef, RevertOutcome, WriteRecord } from '../../contracts';
import type { KubeOperation } from './actionner';
import { ACTION_ANNOTATION } from './actionner';
import type { KubeApi, KubeObject } from './kube/api';
import { describeRef, isKubeStatus, KubeApiError } from './kube/api';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every leaf a merge patch sets, as a path and value (arrays are leaves: merge patch replaces them). */
export function patchLeaves(patch: Json, prefix: string[] = []): Array<[string[], unknown]> {
  return Object.entries(patch).flatMap(([k, v]) => (isObject(v) && Object.keys(v).length > 0 ? patchLeaves(v, [...prefix, k]) : [[[...prefix, k], v] as [string[], unknown]]));
}

function at(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function put(obj: Json, path: readonly string[], value: unknown): void {
  let cur = obj;
  path.slice(0, -1).forEach((k) => {
    if (!isObject(cur[k])) cur[k] = {};
    cur = cur[k] as Json;
  });
  cur[path[path.length - 1] as string] = value;
}

/** The live value of every field the patch sets (null where absent): the merge patch that undoes it. */
export function priorOf(patch: Json, live: KubeObject): Json {
  const prior: Json = {};
  for (const [path] of patchLeaves(patch)) put(prior, path, at(live, path) ?? null);
  return prior;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Leaves of `expected` whose live value differs, as dotted paths. */
function differing(expected: Json, live: KubeObject): string[] {
  return patchLeaves(expected)
    .filter(([path, v]) => !same(at(live, path), v))
    .map(([path]) => path.join('.'));
}

const refOf = (op: KubeOperation): ObjectRef => ({ apiVersion: op.apiVersion, kind: op.kind, ...(op.namespace ? { namespace: op.namespace } : {}), name: op.name });

interface MarkerValue {
  key: string;
  prior: Json;
}

function markerOn(live: KubeObject, marker: string): MarkerValue | null {
  const raw = live.metadata.annotations?.[marker];
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as MarkerValue;
    return typeof v.key === 'string' && isObject(v.prior) ? v : null;
  } catch {
    return null;
  }
}

/** What a delete keeps of the object as it was (enough to recreate it by hand). */
function snapshot(o: KubeObject): Json {
  const { managedFields: _m, ...metadata } = o.metadata as KubeObject['metadata'] & { managedFields?: unknown };
  return { ...o, metadata };
}

export interface ApplyContext {
  idempotencyKey: string;
  /** The annotation marking this write on its object. */
  marker: string;
  dryRun: boolean;
  /** For a delete: the uid pre-flight verified, so a replacement with the same name is never hit. */
  expectUid?: string;
}

const CONFLICT_RETRIES = 3;

/**
 * Executes one planned write exactly once per idempotency key: the write and its marker (which
 * carries the state it replaced) land in one conditional request, so a retry after a crash reads
 * the marker and reports `already_applied` instead of writing again.
 */
export async function applyOperation(api: KubeApi, op: KubeOperation, ctx: ApplyContext): Promise<WriteRecord> {
  const ref = refOf(op);
  const state = ctx.dryRun ? ('server_dry_run' as const) : ('applied' as const);
  if (op.verb === 'patch') {
    for (let attempt = 1; ; attempt++) {
      const live = await api.read(ref);
      if (!live) throw new KubeApiError(404, 'NotFound', `${describeRef(ref)} does not exist`);
      const done = markerOn(live, ctx.marker);
      if (done && done.key === ctx.idempotencyKey) {
        return { verb: 'patch', ref, uid: live.metadata.uid, applied: op.body, prior: done.prior, resourceVersion: live.metadata.resourceVersion, state: 'already_applied', marker: ctx.marker };
      }
      const prior = priorOf(op.body, live);
      const body = op.body as { metadata?: Json };
      const metadata = { ...(body.metadata ?? {}) } as Json;
      metadata.annotations = { ...((metadata.annotations as Json | undefined) ?? {}), [ctx.marker]: JSON.stringify({ key: ctx.idempotencyKey, prior } satisfies MarkerValue) };
      // resourceVersion makes the patch conditional: the prior state recorded is exactly the one replaced.
      metadata.resourceVersion = live.metadata.resourceVersion;
      try {
        const after = await api.mergePatch(ref, { ...op.body, metadata }, { dryRun: ctx.dryRun });
        return { verb: 'patch', ref, uid: after.metadata.uid, applied: op.body, prior, resourceVersion: after.metadata.resourceVersion, state, marker: ctx.marker };
      } catch (err) {
        if (isKubeStatus(err, 409) && attempt < CONFLICT_RETRIES) continue;
        throw err;
      }
    }
  }
  if (op.verb === 'apply') {
    const live = await api.read(ref);
    if (live) {
      if (live.metadata.annotations?.[ACTION_ANNOTATION] === ctx.idempotencyKey) {
        return { verb: 'apply', ref, uid: live.metadata.uid, applied: op.body, prior: null, resourceVersion: live.metadata.resourceVersion, generation: live.metadata.generation, state: 'already_applied' };
      }
      throw new KubeApiError(409, 'AlreadyExists', `${describeRef(ref)} exists and is not this action's; Vigil does not take over objects it did not create`);
    }
    const after = await api.apply(op.body as KubeObject, { dryRun: ctx.dryRun });
    return { verb: 'apply', ref, uid: after.metadata.uid, applied: op.body, prior: null, resourceVersion: after.metadata.resourceVersion, generation: after.metadata.generation, state };
  }
  if (op.verb === 'delete') {
    const live = await api.read(ref);
    if (!live) throw new KubeApiError(404, 'NotFound', `${describeRef(ref)} does not exist`);
    if (ctx.expectUid && live.metadata.uid !== ctx.expectUid) throw new KubeApiError(409, 'Conflict', `${describeRef(ref)} was replaced (uid ${live.metadata.uid}) since pre-flight`);
    const prior = snapshot(live);
    if (live.metadata.deletionTimestamp) return { verb: 'delete', ref, uid: live.metadata.uid, applied: op.body, prior, state: 'already_applied' };
    const grace = typeof op.body.gracePeriodSeconds === 'number' ? op.body.gracePeriodSeconds : undefined;
    await api.delete(ref, { dryRun: ctx.dryRun, gracePeriodSeconds: grace, uid: live.metadata.uid });
    return { verb: 'delete', ref, uid: live.metadata.uid, applied: op.body, prior, resourceVersion: live.metadata.resourceVersion, state };
  }
  throw new Error(`applyOperation: ${op.verb} is not a write`);
}

export interface RevertReport {
  outcome: RevertOutcome;
  message: string;
}

/**
 * Undoes one write if the object still holds what Vigil wrote; otherwise reports, never forces:
 * `already_reverted` (Vigil's mark is gone and the fields are back), `changed_since` (someone else
 * changed it), `irreversible` (a delete).
 */
export async function revertWrite(api: KubeApi, w: WriteRecord, opts: { dryRun: boolean; idempotencyKey: string }): Promise<RevertReport> {
  const what = describeRef(w.ref);
  if (w.state === 'server_dry_run') return { outcome: 'already_reverted', message: `${what}: was only dry-run by the API server; nothing to undo` };
  if (w.verb === 'delete') return { outcome: 'irreversible', message: `${what} was deleted (uid ${w.uid ?? '?'}); its controller replaces it, the manifest is in the action's record` };
  if (w.verb === 'apply') {
    const live = await api.read(w.ref);
    if (!live) return { outcome: 'already_reverted', message: `${what} no longer exists` };
    const ours = at(w.applied, ['metadata', 'annotations', ACTION_ANNOTATION]);
    if (live.metadata.uid !== w.uid || live.metadata.annotations?.[ACTION_ANNOTATION] !== ours) {
      return { outcome: 'changed_since', message: `${what} is no longer the object Vigil created (uid or action annotation differs); left alone` };
    }
    if (w.generation !== undefined && live.metadata.generation !== w.generation) {
      return { outcome: 'changed_since', message: `${what} was edited since Vigil created it (generation ${w.generation} → ${live.metadata.generation ?? '?'}); left alone` };
    }
    await api.delete(w.ref, { dryRun: opts.dryRun, uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion });
    return { outcome: 'reverted', message: `deleted ${what}` };
  }
  const marker = w.marker ?? '';
  for (let attempt = 1; ; attempt++) {
    const live = await api.read(w.ref);
    if (!live || (w.uid && live.metadata.uid !== w.uid)) return { outcome: 'changed_since', message: `${what} no longer exists (or was replaced); nothing to undo` };
    const mark = markerOn(live, marker);
    if (!mark) {
      const back = differing(w.prior ?? {}, live).length === 0;
      return back
        ? { outcome: 'already_reverted', message: `${what}: already back to its prior state` }
        : { outcome: 'changed_since', message: `${what}: Vigil's mark is gone and the fields differ from both states; left alone` };
    }
    if (mark.key !== opts.idempotencyKey) return { outcome: 'changed_since', message: `${what}: the mark belongs to ${mark.key.slice(0, 200)}, not this action; left alone` };
    // The object's own mark, not the caller's record, says what to restore: a forged record cannot steer a revert.
    const prior = mark.prior;
    const moved = differing(w.applied, live);
    if (moved.length > 0) return { outcome: 'changed_since', message: `${what}: ${moved.join(', ')} changed since Vigil wrote them; left alone` };
    const metadata = { ...((prior.metadata as Json | undefined) ?? {}) };
    metadata.annotations = { ...((metadata.annotations as Json | undefined) ?? {}), [marker]: null };
    metadata.resourceVersion = live.metadata.resourceVersion;
    try {
      await api.mergePatch(w.ref, { ...prior, metadata }, { dryRun: opts.dryRun });
      return { outcome: 'reverted', message: `restored ${patchLeaves(prior).map(([p]) => p.join('.')).join(', ')} on ${what}` };
    } catch (err) {
      if (isKubeStatus(err, 409) && attempt < CONFLICT_RETRIES) continue;
      throw err;
    }
  }
}
