import { canonicalJson } from '../../../lib/canonical-json';

/** The recursive definition the iterative one replaced: the reference for equality. */
function recursive(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(recursive).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${recursive(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

describe('canonicalJson', () => {
  it('writes what the recursive definition writes', () => {
    const cases: unknown[] = [1, 'a', null, undefined, true, [], {}, [undefined, 1, [2, {}]], { b: 1, a: [1, { d: undefined, c: 'x' }], e: null }, { '': [[]] }, () => 1, [() => 1], { 'k"\n': 'v\u2028' }];
    for (const c of cases) expect(canonicalJson(c)).toBe(recursive(c));
  });

  it('sorts keys and drops undefined members, so key order never changes a hash', () => {
    expect(canonicalJson({ b: 1, a: { y: 2, x: undefined } })).toBe('{"a":{"y":2},"b":1}');
    expect(canonicalJson({ a: { y: 2 }, b: 1 })).toBe(canonicalJson({ b: 1, a: { y: 2 } }));
  });

  it('writes a value nested 200,000 levels deep without exhausting the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = i % 2 ? { x: deep } : [deep];
    expect(() => recursive(deep)).toThrow(RangeError);
    const s = canonicalJson(deep);
    expect(s.startsWith('{"x":[{"x":')).toBe(true);
    expect(s.length).toBe(100_000 * ('{"x":'.length + 1) + 100_000 * 2 + 1);
  });
});
