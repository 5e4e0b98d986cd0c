/** The gate's own reading of an alert's text (what the workflow side never needs). */

// Counts per character code, reused across calls (the gate's scoring is single-threaded per core).
const counts = new Uint32Array(65536);
const seen = new Uint16Array(4096);

/**
 * Shannon entropy of a string in bits per character. Encoded payloads (base64, hex, packed
 * shellcode) sit near 5–6 bits; ordinary command lines near 3.5–4.5.
 */
export function shannonEntropy(text: string | undefined): number {
  if (!text) return 0;
  const n = Math.min(text.length, seen.length);
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const before = counts[c]!;
    counts[c] = before + 1;
    if (before === 0) seen[distinct++] = c;
  }
  let h = 0;
  for (let k = 0; k < distinct; k++) {
    const c = seen[k]!;
    const p = counts[c]! / n;
    h -= p * Math.log2(p);
    counts[c] = 0;
  }
  return h;
}
