/**
 * Stable JSON (sorted keys, undefined object members dropped, undefined array items as null) so
 * the same facts always hash the same. Iterative: an input nested thousands of levels deep (an
 * attacker's extra field) costs time in proportion to its size and never the call stack.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Each frame is a container being written: its remaining items, and whether one was written yet.
  type Frame = { items: Array<[string | null, unknown]>; next: number; close: string };
  const stack: Frame[] = [];

  const open = (v: unknown): boolean => {
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ items: v.map((x) => [null, x]), next: 0, close: ']' });
      return true;
    }
    if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      out.push('{');
      stack.push({ items: entries, next: 0, close: '}' });
      return true;
    }
    out.push(JSON.stringify(v) ?? 'null');
    return false;
  };

  open(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next >= frame.items.length) {
      out.push(frame.close);
      stack.pop();
      continue;
    }
    const [key, item] = frame.items[frame.next]!;
    if (frame.next > 0) out.push(',');
    frame.next += 1;
    if (key !== null) out.push(`${JSON.stringify(key)}:`);
    open(item);
  }
  return out.join('');
}
