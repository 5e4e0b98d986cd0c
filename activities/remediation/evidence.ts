import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact } from '../../contracts';
import { canonicalJson } from '../../lib/canonical-json';
import { objectSuffix } from './actionner';
import type { KubeApi } from './kube/api';
import type { LiveTarget } from './preflight';

const LOG_LIMIT_BYTES = 256 * 1024;

export interface CaptureResult {
  artifact: Artifact;
  message: string;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

interface ContainerSpec {
  spec?: { containers?: Array<{ name: string }> };
}

/**
 * Writes the evidence for one action to `<dir>/<incident>/<suffix>.json` (written once: a retried
 * capture returns the file already there, so its digest never changes under an analyst's feet).
 * Logs the API cannot give (no kubelet, or no permission) are recorded with the reason.
 */
export async function captureEvidence(
  api: KubeApi,
  live: LiveTarget,
  opts: { dir: string; incidentId: string; idempotencyKey: string; tailLines: number },
): Promise<CaptureResult> {
  const folder = join(opts.dir, opts.incidentId.replace(/[^A-Za-z0-9._-]/g, '_'));
  const path = join(folder, `evidence-${objectSuffix(opts.idempotencyKey)}.json`);
  if (existsSync(path)) {
    const bytes = readFileSync(path);
    return { artifact: { path, sha256: sha256(bytes), bytes: bytes.length }, message: `evidence already captured at ${path}` };
  }
  const { namespace, name, uid } = live.record.pod;
  const events = await api.list('v1', 'Event', namespace, { fieldSelector: `involvedObject.uid=${uid}`, limit: 200 });
  const containers = ((live.pod as ContainerSpec).spec?.containers ?? []).map((c) => c.name);
  const logs: Record<string, { log?: string; unavailable?: string }> = {};
  for (const container of containers) {
    try {
      logs[container] = { log: await api.podLog(namespace, name, { container, tailLines: opts.tailLines, limitBytes: LOG_LIMIT_BYTES }) };
    } catch (err) {
      logs[container] = { unavailable: (err as Error).message.slice(0, 500) };
    }
  }
  const doc = {
    kind: 'VigilEvidence',
    incidentId: opts.incidentId,
    action: opts.idempotencyKey,
    capturedAt: new Date().toISOString(),
    pod: live.pod,
    preflight: live.record,
    events,
    logs,
  };
  const body = `${canonicalJson(doc)}\n`;
  mkdirSync(folder, { recursive: true });
  // Written beside and renamed, so a crash mid-write never leaves a partial artifact that a retry would trust.
  writeFileSync(`${path}.tmp`, body, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  const missing = Object.entries(logs).filter(([, l]) => l.unavailable);
  const note = missing.length ? `; logs unavailable for ${missing.map(([c, l]) => `${c} (${l.unavailable})`).join(', ')}` : '';
  return { artifact: { path, sha256: sha256(body), bytes: Buffer.byteLength(body) }, message: `captured manifest, ${live.record.owners.length} owner(s), ${events.length} event(s) to ${path}${note}` };
}
