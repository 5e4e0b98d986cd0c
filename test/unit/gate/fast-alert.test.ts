import { ALERT_LIMITS, FALCO_PRIORITIES, FalcoAlertSchema } from '../../../contracts';
import { fastParseAlert } from '../../../gate/fast-alert';
import { canonicalJson } from '../../../lib/canonical-json';
import { EXAMPLES, rawLines, SHARED_SAMPLES } from '../../helpers/fixtures';
import { BACKGROUND, jsonl, REPLAY, seeded } from './helpers';

type Json = Record<string, unknown>;

/** Both validators on the same input: same verdict, and the same alert when they accept. */
function agree(input: Json): { zod: boolean; fast: boolean } {
  const zod = FalcoAlertSchema.safeParse(structuredClone(input));
  const fast = fastParseAlert(structuredClone(input));
  if (zod.success && fast) expect(canonicalJson(fast)).toBe(canonicalJson(zod.data));
  return { zod: zod.success, fast: fast !== null };
}

const corpus = (): Json[] => [
  ...rawLines(SHARED_SAMPLES),
  ...rawLines(EXAMPLES),
  ...[...jsonl(BACKGROUND), ...jsonl(REPLAY)].flatMap((l) => {
    try {
      return [JSON.parse(l) as unknown];
    } catch {
      return [];
    }
  }),
].filter((x): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x));

/** Values of every JSON type, including the ones at and past each bound. */
function values(rnd: () => number): unknown[] {
  const s = (n: number) => 'x'.repeat(n);
  return [
    null,
    true,
    0,
    -1.5,
    Infinity,
    '',
    ' ',
    s(1),
    s(128),
    s(129),
    s(253),
    s(254),
    s(512),
    s(513),
    s(ALERT_LIMITS.fieldChars),
    s(ALERT_LIMITS.fieldChars + 1),
    s(ALERT_LIMITS.outputChars),
    s(ALERT_LIMITS.outputChars + 1),
    '2026-11-20T09:00:00Z',
    '2026-11-20T09:00:00.123456789Z',
    'not a time',
    [],
    ['a', 1],
    ['a', null],
    [['nested']],
    Array.from({ length: ALERT_LIMITS.tags }, (_, i) => `t${i}`),
    Array.from({ length: ALERT_LIMITS.tags + 1 }, (_, i) => `t${i}`),
    {},
    { a: 1 },
    Math.floor(rnd() * 1e9),
  ];
}

const PRIORITY_SPELLINGS = [...FALCO_PRIORITIES, ...FALCO_PRIORITIES.map((p) => p.toUpperCase()), ' notice ', 'info', 'WARN', 'err', 'crit', 'emerg', 'Urgent', 'warning\n', '', 'inf'];
const KEYS = ['output', 'priority', 'rule', 'time', 'output_fields', 'source', 'tags', 'hostname', 'uuid', 'message', 'trace_id', '__proto__', 'extra'];

describe('fastParseAlert equals FalcoAlertSchema', () => {
  it('on every real, example, background and replay alert', () => {
    const verdicts = corpus().map(agree);
    for (const r of verdicts) expect(r.fast).toBe(r.zod);
    // The replay's last line is an object without a rule; everything else is a valid alert.
    expect(verdicts.filter((r) => r.zod).length).toBe(verdicts.length - 1);
    expect(verdicts.length).toBeGreaterThan(2500);
  });

  it('on every priority spelling', () => {
    const [base] = corpus();
    for (const priority of PRIORITY_SPELLINGS) {
      const r = agree({ ...base!, priority });
      expect({ priority, fast: r.fast }).toEqual({ priority, fast: r.zod });
    }
  });

  it('on 8,000 seeded mutations: keys removed, retyped, stretched to and past every bound, fields added', () => {
    const rnd = seeded(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const alerts = corpus();
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 8_000; i++) {
      const a = structuredClone(pick(alerts));
      const mutations = 1 + Math.floor(rnd() * 3);
      for (let m = 0; m < mutations; m++) {
        const f = (a.output_fields ??= {}) as Json;
        switch (Math.floor(rnd() * 7)) {
          case 0:
            delete a[pick(KEYS)];
            break;
          case 1:
            a[pick(KEYS)] = pick(values(rnd));
            break;
          case 2:
            a.priority = pick(PRIORITY_SPELLINGS);
            break;
          case 3:
            if (typeof f === 'object' && f !== null && !Array.isArray(f)) f[pick(['proc.cmdline', 'evt.time', 'k8s.pod.name', '__proto__', 'x'.repeat(256), 'x'.repeat(257)])] = pick(values(rnd));
            break;
          case 4:
            if (typeof f === 'object' && f !== null && !Array.isArray(f)) {
              const n = pick([ALERT_LIMITS.fields - 1, ALERT_LIMITS.fields, ALERT_LIMITS.fields + 1]);
              a.output_fields = Object.fromEntries(Array.from({ length: n }, (_, k) => [`f${k}`, k]));
            }
            break;
          case 5:
            a.tags = pick([undefined, [], ['a'], 'a', [1], Array.from({ length: ALERT_LIMITS.tags + 1 }, () => 't')]);
            if (a.tags === undefined) delete a.tags;
            break;
          default:
            a.rule = pick(['', 'r', 'x'.repeat(512), 'x'.repeat(513), 7, null]);
        }
      }
      // JSON round trip: what the gate sees comes from JSON.parse, where `__proto__` is an own key.
      const input = JSON.parse(JSON.stringify(a)) as Json;
      const r = agree(input);
      expect({ i, alert: r.fast ? 'accepted' : 'refused' }).toEqual({ i, alert: r.zod ? 'accepted' : 'refused' });
      if (r.zod) accepted += 1;
      else refused += 1;
    }
    // Both outcomes are well represented, or the comparison would prove little.
    expect(accepted).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(1_000);
  });

  it('on JSON that only JSON.parse can make: own __proto__ keys and numbers that overflow to Infinity', () => {
    const [base] = corpus();
    const text = JSON.stringify(base);
    for (const variant of [
      text.replace('{', '{"__proto__":{"polluted":1},'),
      text.replace('"output_fields":{', '"output_fields":{"__proto__":"' + 'x'.repeat(ALERT_LIMITS.fieldChars + 5) + '",'),
      text.replace('"output_fields":{', '"output_fields":{"__proto__":null,'),
      text.replace('"output_fields":{', '"output_fields":{"big":1e400,'),
      text.replace('"output_fields":{', '"output_fields":{"list":[1e400],'),
    ]) {
      const r = agree(JSON.parse(variant) as Json);
      expect({ variant: variant.slice(0, 60), fast: r.fast }).toEqual({ variant: variant.slice(0, 60), fast: r.zod });
    }
    expect(({} as Json).polluted).toBeUndefined();
  });

  it('on 4,000 hostile inputs with __proto__, constructor and prototype keys: same verdict, same own keys, same prototype, nothing inherited', () => {
    const rnd = seeded(20261201);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
    const [base] = corpus();
    const text = JSON.stringify(base);
    const value = () => JSON.stringify(pick<unknown>(['x', 1, null, true, [], ['a'], {}, { hostname: 'attacker', rule: 'inherited', output: 'o' }, { polluted: true }]));
    // Where an own key can sit: the root, output_fields, and as the priority's spelling.
    const inject = (t: string): string => {
      switch (Math.floor(rnd() * 4)) {
        case 0:
          return t.replace('{', `{"${pick(HOSTILE)}":${value()},`);
        case 1:
          return t.replace('"output_fields":{', `"output_fields":{"${pick(HOSTILE)}":${value()},`);
        case 2:
          return t.replace(/"priority":"[^"]*"/, `"priority":"${pick(HOSTILE)}"`);
        default:
          return t.replace(/"rule":"[^"]*"/, `"rule":"${pick(HOSTILE)}"`);
      }
    };
    const shape = (o: Record<string, unknown>) => ({
      proto: Object.getPrototypeOf(o) === Object.prototype,
      fieldsProto: Object.getPrototypeOf(o.output_fields) === Object.prototype,
      keys: Object.keys(o).sort(),
      fieldKeys: Object.keys(o.output_fields as object).sort(),
      // Read through the object as downstream code does: nothing may come from a prototype.
      reads: ['hostname', 'source', 'uuid', 'message', 'tags', 'polluted'].map((k) => (k in o && !Object.hasOwn(o, k) ? `inherited ${k}` : typeof o[k])),
      priority: typeof o.priority,
    });
    let accepted = 0;
    for (let i = 0; i < 4_000; i++) {
      let t = text;
      for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) t = inject(t);
      const zod = FalcoAlertSchema.safeParse(JSON.parse(t));
      const fast = fastParseAlert(JSON.parse(t) as Json);
      expect({ i, fast: fast !== null, t: fast !== null === zod.success ? "" : t.slice(0, 300) }).toEqual({ i, fast: zod.success, t: "" });
      if (zod.success && fast) {
        accepted += 1;
        expect(shape(fast as Record<string, unknown>)).toEqual(shape(zod.data as Record<string, unknown>));
        expect(shape(fast as Record<string, unknown>).reads.some((r) => r.startsWith('inherited'))).toBe(false);
        expect(typeof fast.priority).toBe('string');
      }
    }
    expect(accepted).toBeGreaterThan(500);
    expect(({} as Json).polluted).toBeUndefined();
  });
});
