import { createHash, createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson } from '../canonical-json';

/**
 * Ed25519 detached signatures over canonical JSON, with the purpose inside the signed bytes so a
 * signature made for one kind of statement (a verdict) can never be presented as another (an
 * anomaly). Signatures read `ed25519:<key id>:<base64url>`; the key id lets a verifier hold the
 * old and the new key while a key is rotated.
 */
export const SIGNATURE_PURPOSES = { verdict: 'vigil-verdict/v1', anomaly: 'vigil-anomaly/v1' } as const;
export type SignaturePurpose = (typeof SIGNATURE_PURPOSES)[keyof typeof SIGNATURE_PURPOSES];

const SIGNATURE = /^ed25519:([0-9a-f]{16}):([A-Za-z0-9_-]{86})$/;

export interface Signer {
  keyId: string;
  sign(purpose: SignaturePurpose, statement: unknown): string;
}

export interface Verifier {
  keyIds: string[];
  /** Null when the signature is good; otherwise why not, for the refusal. */
  check(purpose: SignaturePurpose, statement: unknown, signature: unknown): string | null;
}

/** First 16 hex of sha256 over the public key's DER: short, stable, and not secret. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function signedBytes(purpose: SignaturePurpose, statement: unknown): Buffer {
  return Buffer.from(`${purpose}\n${canonicalJson(statement)}`, 'utf8');
}

function requireEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what} is a ${key.asymmetricKeyType ?? 'symmetric'} key; Vigil signs with Ed25519`);
  return key;
}

export function signerFromPem(pem: string | Buffer, what = 'signing key'): Signer {
  const key = requireEd25519(createPrivateKey(pem), what);
  const keyId = keyIdOf(createPublicKey(key));
  return {
    keyId,
    sign: (purpose, statement) => `ed25519:${keyId}:${sign(null, signedBytes(purpose, statement), key).toString('base64url')}`,
  };
}

/** Public keys from PEM text: SPKI public keys and/or X.509 certificates (the form the chart's Secret carries), several for rotation. */
export function publicKeysFromPem(pem: string): KeyObject[] {
  const blocks = pem.match(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g) ?? [];
  if (blocks.length === 0) throw new Error('no PEM public key or certificate found');
  return blocks.map((block) => requireEd25519(block.includes('CERTIFICATE') ? new X509Certificate(block).publicKey : createPublicKey(block), 'verification key'));
}

export function verifierFromKeys(keys: readonly KeyObject[]): Verifier {
  const byId = new Map(keys.map((k) => [keyIdOf(k), k]));
  return {
    keyIds: [...byId.keys()],
    check(purpose, statement, signature) {
      if (typeof signature !== 'string' || signature.length === 0) return 'unsigned';
      const m = SIGNATURE.exec(signature);
      if (!m) return 'malformed signature';
      const key = byId.get(m[1]!);
      if (!key) return `signed by unknown key ${m[1]}`;
      return verify(null, signedBytes(purpose, statement), key, Buffer.from(m[2]!, 'base64url')) ? null : 'signature does not verify';
    },
  };
}

function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

/** Loads a private key file (PKCS#8 PEM), naming the file and the role it plays when it cannot. */
export function signerFromFile(path: string, what: string): Signer {
  const pem = readKeyFile(path, what);
  try {
    return signerFromPem(pem, what);
  } catch (err) {
    throw new Error(`${what} ${path}: ${(err as Error).message}`);
  }
}

/** Loads public keys or certificates (PEM, one or more), naming the file when it cannot. */
export function verifierFromFile(path: string, what: string): Verifier {
  const pem = readKeyFile(path, what);
  try {
    return verifierFromKeys(publicKeysFromPem(pem));
  } catch (err) {
    throw new Error(`${what} ${path}: ${(err as Error).message}`);
  }
}
