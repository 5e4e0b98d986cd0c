import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { decisionTrustConfigFromEnv, trustedIssuers } from '../../lib/trust/decision-keys';
import { verifyDecisionToken } from '../../lib/trust/decision-token';
import { ROOT } from '../helpers/fixtures';
import { runVigil } from '../helpers/run-command';

/** `vigil analyst add` and `vigil approve --print` as a user runs them (the built CLI, its own process). */
describe('vigil analyst add / approve --print', () => {
  let dir: string;
  let data: string;
  let keys: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-analyst-cli-'));
    data = join(dir, 'data.json');
    keys = join(dir, 'keys');
    copyFileSync(join(ROOT, 'policies', 'data.json'), data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const vigil = (...args: string[]) => runVigil(args, { env: { VIGIL_ANALYST_KEYS_DIR: keys } });
  const analysts = () => (JSON.parse(readFileSync(data, 'utf8')) as { vigil: { config: { analysts: Record<string, { roles: string[]; teams: string[] }> } } }).vigil.config.analysts;

  it('creates a key, publishes it, adds the analyst to policy data; a second add merges roles and keeps the key', async () => {
    const r = await vigil('analyst', 'add', 'dave', '--role', 'analyst', 'senior', '--team', 'web', '--data', data, '--no-build');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('dave: new key dave:');
    expect(analysts().dave).toEqual({ roles: ['analyst', 'senior'], teams: ['web'] });
    expect(statSync(join(keys, 'dave.private.jwk.json')).mode & 0o077).toBe(0);
    const jwks = JSON.parse(readFileSync(join(keys, 'jwks.json'), 'utf8')) as { keys: Array<{ kid: string; d?: string }> };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: expect.stringMatching(/^dave:[0-9A-Za-z_-]{16}$/) })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');

    const again = await vigil('analyst', 'add', 'dave', '--role', 'lead', '--data', data, '--no-build');
    expect(again.stdout).toContain('dave: existing key');
    expect(analysts().dave).toEqual({ roles: ['analyst', 'senior', 'lead'], teams: ['web'] });
  });

  it('refuses a name that is not an identity, and leaves the data as it was', async () => {
    const before = readFileSync(data, 'utf8');
    const r = await vigil('analyst', 'add', 'eve ../x', '--role', 'senior', '--data', data, '--no-build');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not added');
    expect(readFileSync(data, 'utf8')).toBe(before);
  });

  it('prints a signed decision that verifies, bound to the incident and the verdict named', async () => {
    const verdict = `sha256:${'7a'.repeat(32)}`;
    const r = await vigil('approve', 'incident-cli', '--analyst', 'dave', '--reason', 'looks bad', '--print', '--verdict', verdict, '--ttl', '120');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const { token } = JSON.parse(r.stdout) as { token: string };
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: expect.stringMatching(/^dave:/) });
    expect(decodeJwt(token)).toMatchObject({ sub: 'dave', decision: 'approve', incident: 'incident-cli', verdict, reason: 'looks bad' });
    const issuers = trustedIssuers(decisionTrustConfigFromEnv({ VIGIL_ANALYST_KEYS_DIR: keys }));
    expect(await verifyDecisionToken(token, issuers, { incidentId: 'incident-cli', verdictDigest: verdict })).toMatchObject({ ok: true, decision: { analyst: 'dave' } });
  });

  it('says how to get a key when the analyst has none', async () => {
    const r = await vigil('reject', 'incident-cli', '--analyst', 'frank', '--print', '--verdict', `sha256:${'00'.repeat(32)}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('vigil analyst add frank --role');
  });
});
