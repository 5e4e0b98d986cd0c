import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Anomaly } from '../../contracts';
import { assetOf } from '../../contracts';
import { formatIssues } from '../../contracts';

export const ALERT_PLACEHOLDER = '{{alert_json}}';

/**
 * The versioned prompt artifact: a Kubernetes custom resource (`kind: AgentPrompt`), so the same
 * document lives in the repo, in the Helm chart's values and in the cluster. Keep this stable:
 * the chart renders exactly this shape.
 */
export const AgentPromptSchema = z.object({
  apiVersion: z.literal('vigil.dev/v1alpha1'),
  kind: z.literal('AgentPrompt'),
  metadata: z.object({ name: z.string().min(1) }).loose(),
  spec: z.object({
    agent: z.literal('analysis'),
    version: z.string().regex(/^(\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?|\d{4}-\d{2}-\d{2}(\.\d+)?)$/, 'version must be semver (1.2.3) or a date (2026-01-31)'),
    system: z.string().min(1),
    user: z.string().refine((u) => u.split(ALERT_PLACEHOLDER).length === 2, { message: `user must contain the placeholder ${ALERT_PLACEHOLDER} exactly once` }),
  }),
});
export type AgentPrompt = z.infer<typeof AgentPromptSchema>;

/** Parses and validates a prompt document; the error names the file and every bad field. */
export function parsePrompt(text: string, source: string): AgentPrompt {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`prompt ${source} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = AgentPromptSchema.safeParse(doc);
  if (!parsed.success) {
    throw new Error(`prompt ${source} is not a valid AgentPrompt: ${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

export async function loadPrompt(path: string): Promise<AgentPrompt> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read prompt ${path}: ${(err as Error).message}`);
  }
  return parsePrompt(text, path);
}

const FIELD_CHARS = 1024;

function clip(v: unknown): unknown {
  if (typeof v === 'string') return v.length > FIELD_CHARS ? `${v.slice(0, FIELD_CHARS)}…[truncated ${v.length - FIELD_CHARS} chars]` : v;
  if (Array.isArray(v)) return v.slice(0, 64).map(clip);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clip(x)]));
  return v;
}

/**
 * The alert as quoted data: JSON, each field bounded, and `<`/`>` escaped so no field can forge
 * the end marker around it. The model sees the text of a hostile command line, never a way out
 * of the quotation.
 */
export function quotedAlert(anomaly: Anomaly): string {
  const { alert } = anomaly;
  const data = {
    rule: alert.rule,
    priority: alert.priority,
    source: alert.source ?? 'syscall',
    time: alert.time,
    tags: alert.tags ?? [],
    hostname: alert.hostname ?? null,
    output: alert.output,
    output_fields: alert.output_fields,
    asset: assetOf(alert),
    anomaly_score: anomaly.score,
  };
  return JSON.stringify(clip(data), null, 2).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
}

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export function renderPrompt(prompt: AgentPrompt, anomaly: Anomaly): ChatMessage[] {
  return [
    { role: 'system', content: prompt.spec.system },
    { role: 'user', content: prompt.spec.user.replace(ALERT_PLACEHOLDER, () => quotedAlert(anomaly)) },
  ];
}
