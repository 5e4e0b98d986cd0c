import { parseAllDocuments } from 'yaml';
import { CrdValidators } from './crd-validation.mjs';
import type { KubeObject } from './model-validation.mjs';
import { validateWithModel } from './model-validation.mjs';
import { typeCheck } from './type-check.mjs';

/**
 * Every object of rendered manifests checked offline: against its Kubernetes/CRD model schema,
 * strictly for unknown fields (type-check.mts), and custom resources of the given or rendered
 * CRDs against those CRDs (crd-validation.mts).
 */
export interface ObjectReport {
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  problems: string[];
}

export interface ManifestReport {
  objects: number;
  kinds: Record<string, number>;
  invalid: ObjectReport[];
}

export function parseManifests(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: not YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${source}: a document is not an object`);
    objects.push(value as KubeObject);
  }
  return objects;
}

export async function checkManifests(objects: KubeObject[], extraCrds: KubeObject[] = []): Promise<ManifestReport> {
  const crds = new CrdValidators();
  for (const o of [...extraCrds, ...objects]) if (o.kind === 'CustomResourceDefinition') crds.add(o);
  const types = typeCheck(objects.filter((o) => !crds.has(o)));
  const typeProblemsByObject = new Map<KubeObject, string[]>();
  objects.filter((o) => !crds.has(o)).forEach((o, i) => typeProblemsByObject.set(o, types.get(i) ?? []));

  const invalid: ObjectReport[] = [];
  const kinds: Record<string, number> = {};
  for (const [index, obj] of objects.entries()) {
    const kind = String(obj.kind ?? '');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const problems = crds.has(obj) ? crds.validate(obj) : [...(await validateWithModel(obj)), ...(typeProblemsByObject.get(obj) ?? [])];
    if (typeof obj.metadata?.name !== 'string' || obj.metadata.name.length === 0) problems.push('metadata.name is missing');
    if (problems.length > 0) invalid.push({ index, apiVersion: String(obj.apiVersion ?? ''), kind, name: String(obj.metadata?.name ?? ''), problems: [...new Set(problems)] });
  }
  const unattributed = types.get(-1);
  if (unattributed) invalid.push({ index: -1, apiVersion: '', kind: '', name: '(type check)', problems: unattributed });
  return { objects: objects.length, kinds, invalid };
}

