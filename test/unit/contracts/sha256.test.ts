import { createHash } from 'node:crypto';
import { payloadFingerprint, sha256Hex } from '../../../contracts/sha256';

const node = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex (workflow-safe SHA-256)', () => {
  it.each([
    '',
    'abc',
    'a'.repeat(55),
    'a'.repeat(56),
    'a'.repeat(64),
    'a'.repeat(1000),
    '{"decision":"approve","analyst":"mallory"}',
    'ünïcödé ✓ 🛡️',
  ])('equals node:crypto for %j', (text) => {
    expect(sha256Hex(text)).toBe(node(text));
  });

  it('fingerprints a payload by its JSON text, never keeping it', () => {
    const raw = { decision: 'approve', analyst: 'x'.repeat(5000) };
    const fp = payloadFingerprint(raw);
    expect(fp).toEqual({ payloadDigest: `sha256:${node(JSON.stringify(raw))}`, payloadBytes: JSON.stringify(raw).length });
  });
});
