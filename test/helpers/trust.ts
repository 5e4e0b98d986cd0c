import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyFiles } from '../../lib/trust/dev-keys';
import { writeSigningKeyPair } from '../../lib/trust/dev-keys';
import type { Signer, Verifier } from '../../lib/trust/signing';
import { signerFromFile, verifierFromFile } from '../../lib/trust/signing';

let gateKeys: KeyFiles | undefined;

/**
 * The key that stands in for the gate in tests: made once per test process, so fixtures sign
 * anomalies with it and every stack this process starts trusts its public half.
 */
export function testGateKeys(): KeyFiles {
  gateKeys ??= writeSigningKeyPair(mkdtempSync(join(tmpdir(), 'vigil-test-gate-')), 'gate');
  return gateKeys;
}

export function testGateSigner(): Signer {
  return signerFromFile(testGateKeys().privateKeyFile, 'test gate key');
}

export function testGateVerifier(): Verifier {
  return verifierFromFile(testGateKeys().publicKeyFile, 'test gate public key');
}

/** A fresh signer and its verifier (a review agent's verdict key, say). */
export function freshKeys(name: string): { signer: Signer; verifier: Verifier; files: KeyFiles } {
  const files = writeSigningKeyPair(mkdtempSync(join(tmpdir(), `vigil-test-${name}-`)), name);
  return { signer: signerFromFile(files.privateKeyFile, name), verifier: verifierFromFile(files.publicKeyFile, name), files };
}
