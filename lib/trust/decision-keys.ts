import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, createRemoteJWKSet, errors } from 'jose';
import { z } from 'zod';
import { fromRoot } from '../paths';
import type { TrustedIssuer } from './decision-token';
import { keyIdOf, publicKeysFromPem } from './signing';

/** The development issuer: every analyst's own key, in a local JWKS that `vigil analyst add` writes. */
export const LOCAL_ISSUER = 'vigil-analysts';

/**
 * The approvals service as an issuer: it signs a decision for the analyst policy data maps a chat
 * user to (`chat_users`), with its own Ed25519 key; the review agent trusts that key's public half.
 */
export const APPROVALS_ISSUER = 'vigil-approvals';

export function defaultAnalystKeysDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIGIL_ANALYST_KEYS_DIR || fromRoot('.data', 'analysts');
}

export const localJwksPath = (keysDir: string) => `${keysDir}/jwks.json`;

const loopbackHttp = (u: URL) => u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost');

/**
 * Who the review agent trusts to sign decisions. Production: an OIDC issuer (or Vigil's approvals
 * service) by its JWKS URL, which asserts the analyst as subject. Development: the local JWKS file of
 * per-analyst keys, each bound to its analyst by key id. Either, both, or (then every signed decision
 * is refused as untrusted) neither.
 */
export const DecisionTrustConfigSchema = z
  .object({
    VIGIL_DECISION_ISSUER: z.string().min(1).optional(),
    VIGIL_DECISION_JWKS_URL: z
      .url()
      .refine((s) => {
        const u = new URL(s);
        return u.protocol === 'https:' || loopbackHttp(u);
      }, 'the JWKS URL must be https (plain http only on loopback, for tests)')
      .optional(),
    VIGIL_DECISION_JWKS_FILE: z.string().min(1).optional(),
    VIGIL_DECISION_LOCAL_KEYS: z.enum(['on', 'off']).default('on'),
    /** The approvals service's public key (SPKI PEM or the chart's certificate; several for rotation). */
    VIGIL_DECISION_APPROVALS_KEY_FILE: z.string().min(1).optional(),
  })
  .refine((c) => (c.VIGIL_DECISION_ISSUER === undefined) === (c.VIGIL_DECISION_JWKS_URL === undefined), {
    message: 'VIGIL_DECISION_ISSUER and VIGIL_DECISION_JWKS_URL go together',
  });

export interface DecisionTrustConfig {
  oidc: { issuer: string; jwksUrl: string } | null;
  localJwksFile: string | null;
  approvalsKeyFile: string | null;
}

export function decisionTrustConfigFromEnv(env: NodeJS.ProcessEnv): DecisionTrustConfig {
  const c = DecisionTrustConfigSchema.parse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('VIGIL_DECISION_') && v !== '')));
  return {
    oidc: c.VIGIL_DECISION_ISSUER && c.VIGIL_DECISION_JWKS_URL ? { issuer: c.VIGIL_DECISION_ISSUER, jwksUrl: c.VIGIL_DECISION_JWKS_URL } : null,
    localJwksFile: c.VIGIL_DECISION_LOCAL_KEYS === 'off' ? null : (c.VIGIL_DECISION_JWKS_FILE ?? localJwksPath(defaultAnalystKeysDir(env))),
    approvalsKeyFile: c.VIGIL_DECISION_APPROVALS_KEY_FILE ?? null,
  };
}

const JwksFileSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().min(1) })) });

/**
 * The local JWKS, re-read when the file changes (`vigil analyst add` while the stack runs). A
 * missing or unreadable file verifies nothing: every token it should cover is refused.
 */
export function localJwksKeys(file: string): JWTVerifyGetKey {
  let seen: { stamp: string; getKey: JWTVerifyGetKey } | null = null;
  return async (header, token) => {
    let stamp: string;
    try {
      const st = statSync(file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      throw new errors.JWKSNoMatchingKey(`no local decision keys at ${file} (vigil analyst add creates them)`);
    }
    if (seen?.stamp !== stamp) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new errors.JWKSInvalid(`${file} is not readable JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      const parsed = JwksFileSchema.safeParse(json);
      if (!parsed.success) throw new errors.JWKSInvalid(`${file} is not a JWKS with a kid on every key`);
      seen = { stamp, getKey: createLocalJWKSet(parsed.data as unknown as JSONWebKeySet) };
    }
    return seen.getKey(header, token);
  };
}

export function trustedIssuers(config: DecisionTrustConfig): TrustedIssuer[] {
  const issuers: TrustedIssuer[] = [];
  if (config.oidc) {
    issuers.push({
      issuer: config.oidc.issuer,
      getKey: createRemoteJWKSet(new URL(config.oidc.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 }),
      bindSubjectToKey: false,
    });
  }
  if (config.localJwksFile) issuers.push({ issuer: LOCAL_ISSUER, getKey: localJwksKeys(config.localJwksFile), bindSubjectToKey: true });
  if (config.approvalsKeyFile) issuers.push(approvalsIssuer(readFileSync(config.approvalsKeyFile, 'utf8')));
  return issuers;
}

/** The approvals service's keys by key id (the header's `kid`); read at start, so a bad file stops the agent. */
export function approvalsIssuer(publicPem: string): TrustedIssuer {
  const byKid = new Map(publicKeysFromPem(publicPem).map((k) => [keyIdOf(k), k]));
  return {
    issuer: APPROVALS_ISSUER,
    getKey: async (header) => {
      const key = header.kid === undefined ? undefined : byKid.get(header.kid);
      if (!key) throw new errors.JWKSNoMatchingKey(`no approvals-service key ${JSON.stringify(header.kid ?? null).slice(0, 40)}`);
      return key;
    },
    // The service asserts the subject (the analyst policy maps the chat user to), like an OIDC issuer.
    bindSubjectToKey: false,
  };
}

/** The approvals service's signing key (Ed25519 PKCS#8 PEM) and the key id its tokens name. */
export interface IssuerKey {
  key: KeyObject;
  kid: string;
}

export function issuerKeyFromPem(pem: string, what = 'approvals decision key'): IssuerKey {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what} is a ${key.asymmetricKeyType ?? 'symmetric'} key; decisions are signed with Ed25519`);
  return { key, kid: keyIdOf(createPublicKey(key)) };
}
