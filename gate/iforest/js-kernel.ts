import type { FlatForest } from './flat-forest';

/**
 * Adds each row's path length in every tree to `acc[0..count)`, for rows stored row-major in
 * `x` from value offset `rowOffset`. Pure JavaScript over the flat layout: the fallback when
 * WebAssembly is unavailable (e.g. node --jitless) and the readable twin of wasm-kernel.ts.
 *
 * Why it is shaped like this (measured on Node 20, see docs/PERFORMANCE.md):
 * - Trees in the outer loop, rows inside: one tree's ~5 KB stays in L1 while the block streams.
 * - Eight rows descend the same tree together. A single descent is a chain of dependent loads
 *   (node → feature → value → compare → next node); eight independent chains let the CPU
 *   overlap them. One row at a time ran ~3.5× slower; more than eight spills registers.
 * - `2i + 2 − (x < t)` instead of an if: V8 materialises the comparison with setcc, so there is
 *   no branch to mispredict on the random-looking split outcomes.
 * - All arrays are locals read once, so V8 hoists their map and length checks out of the loop.
 */
export function accumulatePathLengthsJs(
  forest: FlatForest,
  x: Float64Array,
  rowOffset: number,
  count: number,
  acc: Float64Array,
): void {
  const features = forest.splitFeatures;
  const splits = forest.splitValues;
  const leaves = forest.leafPathLengths;
  const nTrees = forest.nTrees;
  const depth = forest.depth;
  const stride = forest.nFeatures;
  const internal = (1 << depth) - 1;
  const leafCount = 1 << depth;
  const fullGroups = count - (count % 8);

  for (let t = 0; t < nTrees; t++) {
    const nb = t * internal;
    // Leaf indices come out as node indices in [internal, 2·internal]; shift them to the leaf array.
    const lb = t * leafCount - internal;
    let e = 0;
    for (; e < fullGroups; e += 8) {
      const r0 = rowOffset + e * stride;
      const r1 = r0 + stride;
      const r2 = r1 + stride;
      const r3 = r2 + stride;
      const r4 = r3 + stride;
      const r5 = r4 + stride;
      const r6 = r5 + stride;
      const r7 = r6 + stride;
      let i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0; // prettier-ignore
      for (let d = 0; d < depth; d++) {
        i0 = 2 * i0 + 2 - +(x[r0 + features[nb + i0]!]! < splits[nb + i0]!);
        i1 = 2 * i1 + 2 - +(x[r1 + features[nb + i1]!]! < splits[nb + i1]!);
        i2 = 2 * i2 + 2 - +(x[r2 + features[nb + i2]!]! < splits[nb + i2]!);
        i3 = 2 * i3 + 2 - +(x[r3 + features[nb + i3]!]! < splits[nb + i3]!);
        i4 = 2 * i4 + 2 - +(x[r4 + features[nb + i4]!]! < splits[nb + i4]!);
        i5 = 2 * i5 + 2 - +(x[r5 + features[nb + i5]!]! < splits[nb + i5]!);
        i6 = 2 * i6 + 2 - +(x[r6 + features[nb + i6]!]! < splits[nb + i6]!);
        i7 = 2 * i7 + 2 - +(x[r7 + features[nb + i7]!]! < splits[nb + i7]!);
      }
      acc[e] = acc[e]! + leaves[lb + i0]!;
      acc[e + 1] = acc[e + 1]! + leaves[lb + i1]!;
      acc[e + 2] = acc[e + 2]! + leaves[lb + i2]!;
      acc[e + 3] = acc[e + 3]! + leaves[lb + i3]!;
      acc[e + 4] = acc[e + 4]! + leaves[lb + i4]!;
      acc[e + 5] = acc[e + 5]! + leaves[lb + i5]!;
      acc[e + 6] = acc[e + 6]! + leaves[lb + i6]!;
      acc[e + 7] = acc[e + 7]! + leaves[lb + i7]!;
    }
    for (; e < count; e++) {
      const r = rowOffset + e * stride;
      let i = 0;
      for (let d = 0; d < depth; d++) i = 2 * i + 2 - +(x[r + features[nb + i]!]! < splits[nb + i]!);
      acc[e] = acc[e]! + leaves[lb + i]!;
    }
  }
}
