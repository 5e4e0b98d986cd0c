import { z } from 'zod';
import type { KubeObject } from './model-validation.mjs';

/**
 * Custom resources of CRDs we ship (AgentPrompt) are checked against the CRD's own
 * openAPIV3Schema, so the test proves that the cluster would accept what the chart renders.
 * Like a strict API server, unknown fields are errors (the API server would prune them silently).
 */
type JsonSchema = Record<string, unknown>;

interface CrdVersion {
  name: string;
  schema?: { openAPIV3Schema?: JsonSchema };
}

interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

/** Structural-schema extensions are not JSON Schema; objects with properties become closed. */
function strictSchema(node: unknown, atMetadata = false): unknown {
  if (Array.isArray(node)) return node.map((n) => strictSchema(n));
  if (!node || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node as JsonSchema)) {
    if (k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as JsonSchema).map(([p, s]) => [p, strictSchema(s, p === 'metadata')]));
    } else {
      out[k] = strictSchema(v);
    }
  }
  const open = (node as JsonSchema)['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.type === 'object' && out.properties && !open && !atMetadata && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

export class CrdValidators {
  private readonly byKey = new Map<string, z.ZodType>();

  add(crd: KubeObject): void {
    const c = crd as unknown as Crd;
    for (const v of c.spec?.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema;
      if (schema) this.byKey.set(`${c.spec.group}/${v.name} ${c.spec.names.kind}`, z.fromJSONSchema(strictSchema(schema) as never));
    }
  }

  has(obj: KubeObject): boolean {
    return this.byKey.has(`${String(obj.apiVersion)} ${String(obj.kind)}`);
  }

  validate(obj: KubeObject): string[] {
    const schema = this.byKey.get(`${String(obj.apiVersion)} ${String(obj.kind)}`);
    if (!schema) return [`no CRD for ${String(obj.apiVersion)} ${String(obj.kind)}`];
    const res = schema.safeParse(obj);
    return res.success ? [] : res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  }
}
