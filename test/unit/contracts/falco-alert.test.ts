import { assetLabel, assetOf, FalcoAlertSchema } from '../../../contracts';
import { rawLines, SHARED_SAMPLES } from '../../helpers/fixtures';

describe('FalcoAlertSchema', () => {
  const samples = rawLines(SHARED_SAMPLES);

  it('accepts all 17 real alerts, old ones without source/tags/hostname included', () => {
    expect(samples).toHaveLength(17);
    for (const s of samples) expect(FalcoAlertSchema.safeParse(s).success).toBe(true);
    const old = samples.filter((s) => !('source' in (s as object)));
    expect(old.length).toBeGreaterThan(0);
  });

  it('normalises priority case and aliases', () => {
    const base = samples[0] as Record<string, unknown>;
    expect(FalcoAlertSchema.parse({ ...base, priority: 'critical' }).priority).toBe('Critical');
    expect(FalcoAlertSchema.parse({ ...base, priority: 'info' }).priority).toBe('Informational');
  });

  it.each([
    ['missing rule', (a: Record<string, unknown>) => ({ ...a, rule: undefined }), 'rule'],
    ['unknown priority', (a: Record<string, unknown>) => ({ ...a, priority: 'Bogus' }), 'unknown Falco priority'],
    ['time not a timestamp', (a: Record<string, unknown>) => ({ ...a, time: 'yesterday' }), 'RFC 3339'],
    ['output_fields not an object', (a: Record<string, unknown>) => ({ ...a, output_fields: 'x' }), 'output_fields'],
    ['tags not strings', (a: Record<string, unknown>) => ({ ...a, tags: [1, 2] }), 'tags'],
    ['huge field value', (a: Record<string, unknown>) => ({ ...a, output_fields: { 'proc.cmdline': 'x'.repeat(10_000) } }), 'longer than'],
  ])('refuses %s with a message naming the problem', (_name, mutate, fragment) => {
    const r = FalcoAlertSchema.safeParse(mutate(samples[0] as Record<string, unknown>));
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(fragment);
  });

  it("accepts falcosidekick's truncated [...] fields as data", () => {
    const a = { ...(samples[6] as Record<string, unknown>), output_fields: { 'proc.cmdline': `${'a'.repeat(507)}[...]` } };
    expect(FalcoAlertSchema.safeParse(a).success).toBe(true);
  });
});

describe('assetOf', () => {
  const alerts = rawLines(SHARED_SAMPLES).map((s) => FalcoAlertSchema.parse(s));

  it('reads pods from syscall fields and from k8s audit fields', () => {
    const shell = alerts.find((a) => a.rule === 'Terminal shell in container');
    expect(assetLabel(assetOf(shell!))).toMatch(/^default\//);
    const exec = alerts.find((a) => a.rule === 'Attach/Exec Pod');
    expect(assetOf(exec!)).toMatchObject({ kind: 'pod', namespace: 'hello-app', pod: 'nginx-676b6c5bbc-4xc6t' });
  });

  it('falls back to the host for host-level alerts', () => {
    const drop = alerts.find((a) => a.rule.startsWith('Falco internal'));
    expect(assetOf(drop!).kind).toBe('host');
  });
});
