import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import { z } from 'zod';
import { AnalystDecisionSchema } from '../../contracts/decision';
import { localJwksPath, LOCAL_ISSUER } from './decision-keys';
import type { DecisionToSign } from './decision-token';
import { analystKeyId, signDecision } from './decision-token';

/**
 * Development keys: one Ed25519 key pair per analyst. The private key stays in the (git-ignored)
 * keys directory, readable by its owner only; the public key joins the local JWKS the review agent
 * trusts. Production analysts sign through an OIDC issuer instead and need none of this.
 */
const ALG = 'EdDSA' as const;

const privateKeyPath = (dir: string, analyst: string) => join(dir, `${analyst}.private.jwk.json`);

function checkedName(analyst: string): string {
  const r = AnalystDecisionSchema.shape.analyst.safeParse(analyst);
  if (!r.success) throw new Error(`not an analyst name: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

const JwksSchema = z.object({ keys: z.array(z.looseObject({ kid: z.string() })) });

function readJwks(file: string): { keys: Array<JWK & { kid: string }> } {
  if (!existsSync(file)) return { keys: [] };
  const parsed = JwksSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a JWKS: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data as { keys: Array<JWK & { kid: string }> };
}

/** Written whole and renamed into place, so the review agent never reads half a key set. */
function writeAtomically(file: string, text: string, mode: number): void {
  const next = `${file}.next`;
  writeFileSync(next, text, { mode });
  chmodSync(next, mode);
  renameSync(next, file);
}

export interface AddedKey {
  analyst: string;
  kid: string;
  privateKeyFile: string;
  jwksFile: string;
  created: boolean;
}

/** Creates the analyst's development key unless one exists, and makes sure the local JWKS holds its public half. */
export async function addAnalystKey(dir: string, name: string): Promise<AddedKey> {
  const analyst = checkedName(name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyFile = privateKeyPath(dir, analyst);
  const jwksFile = localJwksPath(dir);
  let privateJwk: JWK & { kid: string };
  const created = !existsSync(privateKeyFile);
  if (created) {
    const { privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    const kid = analystKeyId(analyst, await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK));
    privateJwk = { ...jwk, kid, alg: ALG };
    writeAtomically(privateKeyFile, `${JSON.stringify(privateJwk, null, 2)}\n`, 0o600);
  } else {
    privateJwk = readPrivateKey(dir, analyst);
  }
  const publicJwk = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, kid: privateJwk.kid, alg: ALG, use: 'sig' };
  const jwks = readJwks(jwksFile);
  if (!jwks.keys.some((k) => k.kid === publicJwk.kid)) {
    writeAtomically(jwksFile, `${JSON.stringify({ keys: [...jwks.keys, publicJwk] }, null, 2)}\n`, 0o644);
  }
  return { analyst, kid: privateJwk.kid, privateKeyFile, jwksFile, created };
}

function readPrivateKey(dir: string, analyst: string): JWK & { kid: string } {
  const file = privateKeyPath(dir, analyst);
  if (!existsSync(file)) throw new Error(`no development key for ${analyst} in ${dir} (create it with: vigil analyst add ${analyst} --role <role>)`);
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK & { kid?: string };
  if (typeof jwk.kid !== 'string' || typeof jwk.d !== 'string') throw new Error(`${file} is not a private JWK with a kid`);
  return jwk as JWK & { kid: string };
}

export type LocalDecision = Omit<DecisionToSign, 'issuer' | 'kid' | 'alg'>;

/** Signs a decision with the analyst's own development key, as the local issuer. */
export async function signAsAnalyst(dir: string, d: LocalDecision): Promise<string> {
  const jwk = readPrivateKey(dir, checkedName(d.analyst));
  const key = await importJWK(jwk, ALG);
  return signDecision(key, { ...d, issuer: LOCAL_ISSUER, kid: jwk.kid, alg: ALG });
}
