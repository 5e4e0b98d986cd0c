import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleVersion, readBundleFiles } from '../../../activities/review/bundle-files';
import { policyDataProblems } from '../../../activities/review/policy-data';
import { builtBundleDir, POLICY_SRC } from '../../helpers/policy-bundles';

const sourceData = () => JSON.parse(readFileSync(join(POLICY_SRC, 'data.json'), 'utf8')) as { vigil: { config: Record<string, unknown> } };

/** A copy of the built bundle, with `edit` applied to its files and the manifest re-hashed unless told not to. */
function bundleWith(edit: (dir: string) => void, rehash = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bundle-'));
  cpSync(builtBundleDir(), dir, { recursive: true });
  edit(dir);
  if (rehash) {
    const version = bundleVersion(readFileSync(join(dir, 'policy.wasm')), readFileSync(join(dir, 'data.json')));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version, entrypoints: ['vigil/review/verdict', 'vigil/decision/result'] }));
  }
  return dir;
}
const writeData = (dir: string, data: unknown) => writeFileSync(join(dir, 'data.json'), JSON.stringify(data));

describe('policy bundle files', () => {
  it('reads a bundle whose manifest version is the content hash the build script computed', async () => {
    const files = await readBundleFiles(builtBundleDir());
    expect(files.version).toBe(JSON.parse(readFileSync(join(builtBundleDir(), 'manifest.json'), 'utf8')).version);
    expect(files.wasm.byteLength).toBeGreaterThan(1000);
  });

  it('refuses files that do not belong together (half-swapped or tampered)', async () => {
    const dir = bundleWith((d) => writeFileSync(join(d, 'data.json'), readFileSync(join(d, 'data.json'), 'utf8').replace('0.6', '0.5')), false);
    await expect(readBundleFiles(dir, { attempts: 2, retryDelayMs: 1 })).rejects.toThrow(/does not match the content hash/);
  });

  it.each([
    ['a manifest that is not JSON', 'nope', /manifest.json is not JSON/],
    ['a manifest without version', '{"entrypoints":[]}', /has no version/],
    ['a manifest without the entrypoints', '{"version":"x","entrypoints":["vigil/review/verdict"]}', /does not list entrypoint vigil\/decision\/result/],
  ])('refuses %s', async (_name, manifest, error) => {
    const dir = bundleWith((d) => writeFileSync(join(d, 'manifest.json'), manifest), false);
    await expect(readBundleFiles(dir)).rejects.toThrow(error);
  });

  it('refuses data that is not JSON, and data of the wrong shape, naming each bad field', async () => {
    await expect(readBundleFiles(bundleWith((d) => writeFileSync(join(d, 'data.json'), '{"vigil":')))).rejects.toThrow(/data.json is not JSON/);
    const bad = sourceData();
    bad.vigil.config.min_confidence = 1.5;
    delete bad.vigil.config.escalation;
    const err = await readBundleFiles(bundleWith((d) => writeData(d, bad))).catch((e: Error) => e);
    expect(String(err)).toContain('vigil.config.min_confidence: Too big');
    expect(String(err)).toContain('vigil.config.escalation');
  });
});

describe('policy data validation', () => {
  it('accepts the project data as it is', () => {
    expect(policyDataProblems(sourceData())).toEqual([]);
  });

  it('keeps the gate threshold where the gate reads it, within 0..1', () => {
    const data = sourceData();
    (data.vigil.config.gate as { anomaly_threshold: number }).anomaly_threshold = 7;
    expect(policyDataProblems(data)).toEqual([expect.stringMatching(/^vigil\.config\.gate\.anomaly_threshold: Too big/)]);
  });

  it.each([
    ['an escalation outcome that does not exist', (c: Record<string, unknown>) => ((c.escalation as Record<string, { on_timeout: string }>).critical!.on_timeout = 'shrug'), 'vigil.config.escalation.critical.on_timeout'],
    ['a severity missing from the allow-lists', (c: Record<string, unknown>) => delete (c.allowed_actions as Record<string, unknown>).high, 'vigil.config.allowed_actions.high'],
    ['an actionner that is not category:name', (c: Record<string, unknown>) => (c.human_only_actions = ['terminate']), 'vigil.config.human_only_actions.0'],
    ['an analyst name that is not a plain identity', (c: Record<string, unknown>) => ((c.analysts as Record<string, unknown>)['eve smith'] = { roles: ['analyst'], teams: [] }), 'vigil.config.analysts.eve smith'],
    ['a blast scope that does not exist', (c: Record<string, unknown>) => ((c.blast_radius as { allowed_scopes: string[] }).allowed_scopes = ['galaxy']), 'vigil.config.blast_radius.allowed_scopes.0'],
    ['a required role nobody holds', (c: Record<string, unknown>) => ((c.required_roles as Record<string, string>).protected = 'ciso'), 'vigil.config.required_roles.protected: no active analyst holds the ciso role'],
  ])('names the field for %s', (_name, edit, path) => {
    const data = sourceData();
    edit(data.vigil.config);
    expect(policyDataProblems(data).join('\n')).toContain(path);
  });

  it('allows keys it does not know, for other readers of the data', () => {
    const data = sourceData();
    (data.vigil.config.gate as Record<string, unknown>).window_seconds = 60;
    data.vigil.config.something_new = true;
    expect(policyDataProblems(data)).toEqual([]);
  });
});
