import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FalcoAlert } from '../../contracts';
import { FalcoAlertSchema, workloadOf } from '../../contracts';
import { correlationKeyFor, DEFAULT_CORRELATION_WINDOW_MS, incidentIdFor } from '../../lib/identity';
import { fromRoot } from '../../lib/paths';

/** The alerts of a JSONL file under examples/, parsed (read from the repo root, from ts and dist alike). */
export function exampleFile(name: string): FalcoAlert[] {
  return readFileSync(fromRoot('examples', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => FalcoAlertSchema.parse(JSON.parse(l)));
}

/**
 * The alert every scenario sends: the example Notice shell in default/alpine, reported by the rule
 * that sees a shell's stdin/stdout go to an outside address. That is evidence of compromise, so the
 * policy contains it unattended (a quarantine label and an isolating NetworkPolicy) with no analyst
 * decision, which keeps the harness independent of how decisions are signed.
 */
export function reverseShellTemplate(): FalcoAlert {
  const shell = exampleFile('falco-alerts.jsonl').find(
    (a) => a.rule === 'Terminal shell in container' && a.priority === 'Notice' && a.output_fields['k8s.ns.name'] === 'default' && a.output_fields['k8s.pod.name'] === 'alpine',
  );
  if (!shell) throw new Error('examples/falco-alerts.jsonl holds no Notice shell alert on default/alpine');
  const peer = '10.244.0.7:40122->203.0.113.50:4242';
  return {
    ...shell,
    rule: 'Redirect STDOUT/STDIN to Network Connection in Container',
    output: `${shell.output} connection=${peer}`,
    tags: ['container', 'network', 'process', 'mitre_execution', 'T1059'],
    output_fields: { ...shell.output_fields, 'fd.name': peer, 'fd.rip': '203.0.113.50', 'fd.rport': 4242 },
  };
}

/** One message the harness sends, and what it must become. */
export interface Sent {
  value: Buffer;
  /** The incident this alert must open (exactly one), or null for poison that must be dead-lettered. */
  incidentId: string | null;
  /** The pod the alert is about, with the container id Falco reported (seeded in the cluster in acting mode). */
  pod?: { name: string; containerId: string };
  poison?: PoisonKind;
}

export type PoisonKind = 'malformed' | 'oversized' | 'hostile_keys' | 'deep_nesting';
const POISON_KINDS: readonly PoisonKind[] = ['malformed', 'oversized', 'hostile_keys', 'deep_nesting'];

/** The gate's event size limit the harness runs with, so "oversized" is oversized by construction. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** The pod name prefix of one scenario's alerts: every incident id of the scenario carries it. */
export function podPrefix(scenario: string, runId: string): string {
  return `faults-${runId}-${scenario}-`;
}

/**
 * Alert i of a scenario, on a pod of its own (its own workload, so its own incident), with a
 * container id derived from the pod's name so the cluster can be seeded to match.
 */
export function alertFor(template: FalcoAlert, scenario: string, runId: string, i: number, baseMs: number): FalcoAlert {
  // `i` and six digits: no shape the gate reads as a controller's generated suffix (a StatefulSet
  // ordinal, a ReplicaSet's five characters), so every pod is a workload of its own.
  const pod = `${podPrefix(scenario, runId)}i${String(i).padStart(6, '0')}`;
  return {
    ...template,
    // Near now: the gate trusts an alert's own time only within its age bound (else it uses the receive
    // time, and a redelivered alert would land in another window: a second incident).
    time: new Date(baseMs + i).toISOString(),
    output: `fault harness ${scenario} alert ${i} ${template.output}`,
    output_fields: { ...template.output_fields, 'k8s.pod.name': pod, 'container.id': createHash('sha256').update(pod).digest('hex').slice(0, 12) },
  };
}

/**
 * The incident the gate must open for an alert, computed as the gate does (its workload, and the
 * activity window its own time falls in on the default window grid): what "exactly once" is checked
 * against. An incident of the scenario under any other id is a duplicate.
 */
export function expectedIncidentId(alert: FalcoAlert): string {
  const at = Date.parse(alert.time);
  const windowStart = Math.floor(at / DEFAULT_CORRELATION_WINDOW_MS) * DEFAULT_CORRELATION_WINDOW_MS;
  return incidentIdFor({ alert, correlationKey: correlationKeyFor(workloadOf(alert), windowStart) });
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
  const baseMs = Date.now();
  for (let i = 0; i < alerts; i++) {
    const alert = alertFor(template, scenario, runId, i, baseMs);
    const pod = { name: String(alert.output_fields['k8s.pod.name']), containerId: String(alert.output_fields['container.id']) };
    out.push({ value: Buffer.from(JSON.stringify(alert)), incidentId: expectedIncidentId(alert), pod });
    if (poisonEvery > 0 && (i + 1) % poisonEvery === 0) {
      const kind = POISON_KINDS[(i / poisonEvery) % POISON_KINDS.length | 0]!;
      out.push({ value: poison(kind, template, i), incidentId: null, poison: kind });
    }
  }
  return out;
}
