import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicKeysFromPem, SIGNATURE_PURPOSES, signerFromFile, signerFromPem, verifierFromFile, verifierFromKeys } from '../../../lib/trust/signing';
import { freshKeys } from '../../helpers/trust';

describe('Ed25519 statement signatures', () => {
  const { signer, verifier, files } = freshKeys('unit');

  it('verifies a statement signed by its key, whatever the key order of the object', () => {
    const sig = signer.sign(SIGNATURE_PURPOSES.verdict, { b: 1, a: [1, { y: 2, x: 1 }] });
    expect(sig).toMatch(new RegExp(`^ed25519:${signer.keyId}:[A-Za-z0-9_-]{86}$`));
    expect(verifier.check(SIGNATURE_PURPOSES.verdict, { a: [1, { x: 1, y: 2 }], b: 1 }, sig)).toBeNull();
  });

  it('refuses a changed statement, another purpose, another key, a missing or malformed signature', () => {
    const sig = signer.sign(SIGNATURE_PURPOSES.verdict, { a: 1 });
    expect(verifier.check(SIGNATURE_PURPOSES.verdict, { a: 2 }, sig)).toBe('signature does not verify');
    expect(verifier.check(SIGNATURE_PURPOSES.anomaly, { a: 1 }, sig)).toBe('signature does not verify');
    expect(freshKeys('other').verifier.check(SIGNATURE_PURPOSES.verdict, { a: 1 }, sig)).toMatch(/^signed by unknown key [0-9a-f]{16}$/);
    expect(verifier.check(SIGNATURE_PURPOSES.verdict, { a: 1 }, undefined)).toBe('unsigned');
    expect(verifier.check(SIGNATURE_PURPOSES.verdict, { a: 1 }, 'ed25519:zz:abc')).toBe('malformed signature');
    // A signature from one key relabelled with another key's id is just a bad signature.
    const other = freshKeys('relabel');
    const forged = other.signer.sign(SIGNATURE_PURPOSES.verdict, { a: 1 }).replace(other.signer.keyId, signer.keyId);
    expect(verifier.check(SIGNATURE_PURPOSES.verdict, { a: 1 }, forged)).toBe('signature does not verify');
  });

  it('reads keys from files and accepts several public keys (rotation) and X.509 certificates', () => {
    const reloaded = signerFromFile(files.privateKeyFile, 'k');
    expect(reloaded.keyId).toBe(signer.keyId);
    const other = freshKeys('second');
    const both = `${other.files.publicKeyFile}.both`;
    writeFileSync(both, `${readFileSync(files.publicKeyFile, 'utf8')}\n${readFileSync(other.files.publicKeyFile, 'utf8')}`);
    const v = verifierFromFile(both, 'both');
    expect(v.keyIds.sort()).toEqual([signer.keyId, other.signer.keyId].sort());
    expect(v.check(SIGNATURE_PURPOSES.anomaly, 1, other.signer.sign(SIGNATURE_PURPOSES.anomaly, 1))).toBeNull();
    // The chart's Secret carries the public half as a self-signed certificate (Helm cannot print a bare public key).
    const certPem = readFileSync(join(__dirname, '..', '..', 'fixtures', 'trust', 'ed25519-selfsigned.crt'), 'utf8');
    const keyPem = readFileSync(join(__dirname, '..', '..', 'fixtures', 'trust', 'ed25519-selfsigned.key'), 'utf8');
    const certSigner = signerFromPem(keyPem);
    expect(new X509Certificate(certPem).publicKey.asymmetricKeyType).toBe('ed25519');
    expect(verifierFromKeys(publicKeysFromPem(certPem)).check(SIGNATURE_PURPOSES.verdict, 'x', certSigner.sign(SIGNATURE_PURPOSES.verdict, 'x'))).toBeNull();
  });

  it('refuses non-Ed25519 keys and unreadable files, naming them', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => signerFromPem(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }))).toThrow(/rsa key; Vigil signs with Ed25519/);
    expect(() => publicKeysFromPem('not a key')).toThrow(/no PEM public key/);
    expect(() => verifierFromFile('/nonexistent/vigil.pub', 'verdict public key')).toThrow(/cannot read verdict public key \/nonexistent\/vigil.pub/);
  });
});
