import type { Anomaly } from '../../contracts';
import { AnomalySchema } from '../../contracts';
import { incidentIdFor } from '../identity';
import type { Signer, Verifier } from './signing';
import { SIGNATURE_PURPOSES } from './signing';

function statement(anomaly: Anomaly) {
  const { signature: _signature, ...body } = AnomalySchema.parse(anomaly);
  return body;
}

/** The gate's mark on an anomaly it let through; over the schema-parsed form both ends agree on. */
export function signAnomaly(signer: Signer, anomaly: Anomaly): Anomaly {
  return { ...anomaly, signature: signer.sign(SIGNATURE_PURPOSES.anomaly, statement(anomaly)) };
}

export type Origin = { trusted: true } | { trusted: false; reason: string };

/**
 * An incident is trusted only when its anomaly carries the gate's signature and the incident is the
 * one the gate would have opened for it (id from the correlation key), so a signed anomaly replayed
 * into a hand-started workflow under another id is not trusted either.
 */
export function originOf(verifier: Verifier | null, incidentId: string, anomaly: Anomaly): Origin {
  if (!verifier) return { trusted: false, reason: 'no gate key configured: anomalies cannot be verified' };
  const problem = verifier.check(SIGNATURE_PURPOSES.anomaly, statement(anomaly), anomaly.signature);
  if (problem) return { trusted: false, reason: `anomaly not signed by the gate: ${problem}` };
  const expected = incidentIdFor(anomaly);
  if (incidentId !== expected) return { trusted: false, reason: `incident ${incidentId} is not the gate's incident for this anomaly (${expected})` };
  return { trusted: true };
}

/** The gate's hand-over to Temporal, with each anomaly signed first (or passed unsigned, and so untrusted, without a key). */
export function signingOpener<O extends { open(anomaly: Anomaly): Promise<unknown> }>(opener: O, signer: Signer | null): O {
  return signer ? { ...opener, open: (anomaly: Anomaly) => opener.open(signAnomaly(signer, anomaly)) } : opener;
}
