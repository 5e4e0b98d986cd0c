import { readFileSync } from 'node:fs';
import type { FalcoAlert } from '../../contracts';
import { FalcoAlertSchema } from '../../contracts';
import { correlationKeyFor, incidentIdFor } from '../../lib/identity';
import { fromRoot } from '../../lib/paths';

/** The alerts of a JSONL file under examples/, parsed (read from the repo root, from ts and dist alike). */
export function exampleFile(name: string): FalcoAlert[] {
  return readFileSync(fromRoot('examples', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => FalcoAlertSchema.parse(JSON.parse(l)));
}

/** The example shell alert on a pod in `default` that the policy auto-executes (a dry-run label). */
export function shellTemplate(): FalcoAlert {
  const found = exampleFile('falco-alerts.jsonl').find((a) => a.rule === 'Terminal shell in container' && a.priority === 'Notice' && a.output_fields['k8s.ns.name'] === 'default');
  if (!found) throw new Error('examples/falco-alerts.jsonl holds no Notice shell alert in default');
  return found;
}

/** One message the harness sends, and what it must become. */
export interface Sent {
  value: Buffer;
  /** The incident this alert must open (exactly one), or null for poison that must be dead-lettered. */
  incidentId: string | null;
  poison?: PoisonKind;
}

export type PoisonKind = 'malformed' | 'oversized' | 'hostile_keys' | 'deep_nesting';
const POISON_KINDS: readonly PoisonKind[] = ['malformed', 'oversized', 'hostile_keys', 'deep_nesting'];

/** The gate's event size limit the harness runs with, so "oversized" is oversized by construction. */
export const MAX_EVENT_BYTES = 64 * 1024;

/**
 * Alert i of a scenario: the example shell alert that the policy auto-executes (dry-run label),
 * on its own pod, so each alert is exactly one incident and the expected set is known up front.
 */
export function alertFor(template: FalcoAlert, scenario: string, runId: string, i: number): FalcoAlert {
  return {
    ...template,
    time: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 1000).toISOString(),
    output: `fault harness ${scenario} alert ${i}`,
    output_fields: { ...template.output_fields, 'k8s.pod.name': `faults-${runId}-${scenario}-${i}` },
  };
}

function poison(kind: PoisonKind, template: FalcoAlert, i: number): Buffer {
  const valid = JSON.stringify(template);
  switch (kind) {
    case 'malformed':
      return Buffer.from(valid.slice(0, 40 + (i % 60)));
    case 'oversized':
      return Buffer.from(JSON.stringify({ ...template, output: 'A'.repeat(MAX_EVENT_BYTES + 1) }));
    case 'hostile_keys':
      // Prototype-polluting keys on an object that is not an alert (no rule, priority a string of junk).
      return Buffer.from(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"priority":"__proto__","output_fields":{"__proto__":{"x":1}}}`);
    case 'deep_nesting':
      return Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
  }
}

/** The stream of one scenario: `alerts` alerts, and with `poisonEvery` one poison message after each that many. */
export function buildStream(template: FalcoAlert, scenario: string, runId: string, alerts: number, poisonEvery = 0): Sent[] {
  const out: Sent[] = [];
  for (let i = 0; i < alerts; i++) {
    const alert = alertFor(template, scenario, runId, i);
    out.push({ value: Buffer.from(JSON.stringify(alert)), incidentId: incidentIdFor(correlationKeyFor(alert)) });
    if (poisonEvery > 0 && (i + 1) % poisonEvery === 0) {
      const kind = POISON_KINDS[(i / poisonEvery) % POISON_KINDS.length | 0]!;
      out.push({ value: poison(kind, template, i), incidentId: null, poison: kind });
    }
  }
  return out;
}
