import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Anomaly, FalcoAlert } from '../../contracts';
import { AnomalySchema, FalcoAlertSchema } from '../../contracts';
import { withReverseShell } from '../../lib/devstack/reverse-shell';
import { alertFingerprint } from '../../lib/identity';
import { signAnomaly } from '../../lib/trust/anomaly-signature';
import { testGateSigner } from './trust';

export const ROOT = join(__dirname, '..', '..');
export const SHARED_SAMPLES = join(ROOT, '..', 'shared', 'data', 'falco', 'falco_samples.jsonl');
export const EXAMPLES = join(ROOT, 'examples', 'falco-alerts.jsonl');

export function rawLines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);
}

export function exampleAlerts(): FalcoAlert[] {
  return rawLines(EXAMPLES).map((r) => FalcoAlertSchema.parse(r));
}

/** The first example alert matching a predicate, parsed. */
export function exampleAlert(pred: (a: FalcoAlert) => boolean): FalcoAlert {
  const found = exampleAlerts().find(pred);
  if (!found) throw new Error('no example alert matches');
  return found;
}

let counter = 0;
/**
 * An anomaly for an alert, with a unique correlation key per call unless one is given, signed as the
 * gate would sign it (with the test gate key every test stack trusts) unless `unsigned`.
 */
export function anomalyOf(alert: FalcoAlert, opts: { key?: string; traceId?: string; unsigned?: boolean; watch?: Anomaly['watch'] } = {}): Anomaly {
  counter += 1;
  const anomaly: Anomaly = {
    alert,
    score: 0.9,
    correlationKey: opts.key ?? `${alertFingerprint(alert)}/${process.pid}/${Date.now()}/${counter}`,
    traceId: opts.traceId ?? `${'0'.repeat(24)}${(Date.now() % 0xffffffff).toString(16).padStart(8, '0')}`.slice(-32),
    receivedAt: new Date().toISOString(),
    ...(opts.watch ? { watch: opts.watch } : {}),
  };
  // An anomaly the contract refuses (e.g. a bad Kubernetes name) cannot be signed; it stays unsigned and is refused anyway.
  const valid = AnomalySchema.safeParse(anomaly).success;
  return opts.unsigned || !valid ? anomaly : signAnomaly(testGateSigner(), anomaly);
}

export const byRule = (rule: string, extra: (a: FalcoAlert) => boolean = () => true) => (a: FalcoAlert) => a.rule === rule && extra(a);

/**
 * A reverse shell: the Notice-level shell in default/alpine, seen by the rule that watches a shell's
 * stdin/stdout go to the network, with the peer an outside address. Positive evidence of compromise
 * (policy data's reverse-shell indicator), so policy may contain it unattended: the example to use
 * wherever a test needs an incident that auto-executes.
 */
export function evidentAlert(): FalcoAlert {
  const shell = exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Notice' && a.output_fields['k8s.ns.name'] === 'default' && a.output_fields['k8s.pod.name'] === 'alpine'));
  return { ...withReverseShell(shell), rule: 'Redirect STDOUT/STDIN to Network Connection in Container', tags: ['container', 'network', 'process', 'mitre_execution', 'T1059'] };
}
