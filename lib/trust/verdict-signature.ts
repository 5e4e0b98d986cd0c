import type { Asset, Verdict } from '../../contracts';
import { AssetSchema, VerdictSchema } from '../../contracts';
import type { Signer, Verifier } from './signing';
import { SIGNATURE_PURPOSES } from './signing';

/**
 * What the review agent vouches for: this verdict, for this incident, about this asset. Binding the
 * incident and the asset means a verdict cannot be replayed into another incident or aimed
 * elsewhere. Both sides sign the schema-parsed form, so a hop through Temporal's JSON changes nothing.
 */
function statement(incidentId: string, asset: Asset, verdict: Verdict) {
  const { signature: _signature, ...body } = VerdictSchema.parse(verdict);
  return { incidentId, asset: AssetSchema.parse(asset), verdict: body };
}

export function signVerdict(signer: Signer, incidentId: string, asset: Asset, verdict: Verdict): Verdict {
  const body = VerdictSchema.parse({ ...verdict, signature: undefined });
  return { ...body, signature: signer.sign(SIGNATURE_PURPOSES.verdict, statement(incidentId, asset, body)) };
}

/** Null when the review agent signed exactly this verdict for this incident and asset; else why not. */
export function verdictSignatureProblem(verifier: Verifier, incidentId: string, asset: Asset, verdict: Verdict): string | null {
  return verifier.check(SIGNATURE_PURPOSES.verdict, statement(incidentId, asset, verdict), verdict.signature);
}
