import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthorizeInput } from '../../../activities/review';
import { authoritySkill } from '../../../activities/review';
import type { PolicyBundle } from '../../../activities/review/policy-bundle';
import { loadPolicyBundle } from '../../../activities/review/policy-bundle';
import { createLogger } from '../../../lib/logger';
import { addAnalystKey, signAsAnalyst } from '../../../lib/trust/analyst-keys';
import { decisionTrustConfigFromEnv, trustedIssuers } from '../../../lib/trust/decision-keys';
import { builtBundleDir } from '../../helpers/policy-bundles';

/** The review agent's authorize-decision skill on the real wasm policy and real signed tokens. */
const INCIDENT = 'incident-authorize';
const VERDICT = `sha256:${'1f'.repeat(32)}`;
let bundle: PolicyBundle;
let dir: string;
const log = createLogger('test', 'silent');

beforeAll(async () => {
  bundle = await loadPolicyBundle(builtBundleDir());
  dir = mkdtempSync(join(tmpdir(), 'vigil-authorize-'));
  for (const a of ['alice', 'erin', 'bob']) await addAnalystKey(dir, a);
});
afterAll(() => {
  bundle?.retire();
  rmSync(dir, { recursive: true, force: true });
});

const skill = () => authoritySkill({ current: () => bundle }, trustedIssuers(decisionTrustConfigFromEnv({ VIGIL_ANALYST_KEYS_DIR: dir })));
const ask = (submitted: unknown, over: Partial<AuthorizeInput> = {}) =>
  skill().handle(
    { submitted, verdictDigest: VERDICT, requiredRole: 'senior', asset: { kind: 'pod', namespace: 'default', pod: 'web-1' }, severity: 'critical', actions: ['kubernetes:label'], ...over },
    { incidentId: INCIDENT, traceId: '0'.repeat(32), messageId: 'm-1', log },
  );
const token = (analyst: string, over: Partial<Parameters<typeof signAsAnalyst>[1]> = {}) =>
  signAsAnalyst(dir, { analyst, decision: 'approve', reason: 'confirmed', incidentId: INCIDENT, verdictDigest: VERDICT, ttlSeconds: 300, ...over });

describe('authorize-decision', () => {
  it('accepts a signed senior decision and reports who from the token', async () => {
    const r = await ask({ token: await token('alice') });
    expect(r).toMatchObject({ allowed: true, signed: true, decision: { analyst: 'alice', decision: 'approve', reason: 'confirmed' }, approvalsNeeded: 1, rejectsNeeded: 1 });
    expect(r.nonce).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses a plain decision naming any analyst: the default accepts nothing unsigned', async () => {
    const r = await ask({ decision: 'approve', analyst: 'alice', reason: 'trust me' });
    expect(r).toMatchObject({ allowed: false, signed: false, nonce: null, reasons: [{ code: 'unsigned' }] });
  });

  it('refuses a token for another incident or another verdict before asking policy', async () => {
    expect(await ask({ token: await token('alice', { incidentId: 'incident-elsewhere' }) })).toMatchObject({ allowed: false, decision: null, reasons: [{ code: 'wrong_incident' }] });
    expect(await ask({ token: await token('alice') }, { verdictDigest: `sha256:${'2e'.repeat(32)}` })).toMatchObject({ allowed: false, reasons: [{ code: 'wrong_verdict' }] });
  });

  it('refuses a malformed payload with the reason and keeps only its digest', async () => {
    const r = await ask({ token: 'x'.repeat(9000) });
    expect(r).toMatchObject({ allowed: false, reasons: [{ code: 'malformed_decision', message: expect.stringContaining('token longer than') }] });
    expect(JSON.stringify(r)).not.toContain('x'.repeat(100));
  });

  it('still applies policy to a verified analyst (role), and states the quorum for drastic steps on customer-facing workloads', async () => {
    expect(await ask({ token: await token('bob') })).toMatchObject({ allowed: false, signed: true, reasons: [{ code: 'missing_role' }] });
    const checkout = { kind: 'pod' as const, namespace: 'shop', pod: 'checkout-5d8f9c7b6-x2x9q' };
    const r = await ask({ token: await token('erin') }, { asset: checkout, actions: ['kubernetes:label', 'kubernetes:terminate'] });
    expect(r).toMatchObject({ allowed: true, approvalsNeeded: 2, quorumRules: ['drastic_on_customer_facing'] });
  });
});
