import type { SeededRandom } from './prng';
import type { RowMatrix } from './row-matrix';

// Bound once at load: inside a vm sandbox (jest) every global lookup such as `Math.imul` goes
// through an interceptor and costs ~40x in a hot loop; a module constant is free everywhere.
const pow = Math.pow;

/**
 * An isolation tree as plain objects: the form trainers produce and the reference scorer walks.
 * The hot path never sees it; `flattenForest` turns a forest of these into typed arrays.
 * A row goes left when `row[feature] < threshold` (the paper's "x_q < p"), so NaN goes right.
 */
export type IsolationTreeNode = SplitNode | ExternalNode;

export interface SplitNode {
  readonly kind: 'split';
  readonly feature: number;
  readonly threshold: number;
  readonly left: IsolationTreeNode;
  readonly right: IsolationTreeNode;
}

export interface ExternalNode {
  readonly kind: 'external';
  /** Training rows that reached this node; c(size) estimates the depth left to isolate them. */
  readonly size: number;
}

/** The trees and everything needed to turn path lengths into scores. */
export interface TreeForest {
  readonly trees: readonly IsolationTreeNode[];
  readonly nFeatures: number;
  /** c(·) applied to external-node sizes; see path-length.ts for why there are two. */
  readonly pathLength: (size: number) => number;
  /** The divisor of E[h(x)] in s(x): c(ψ) for our trainer. */
  readonly normaliser: number;
}

/**
 * Grows one iTree (Liu et al. 2008, Algorithm 2) on the rows `sample[lo..hi)` of `matrix`.
 * `sample` is partitioned in place, so growing costs no allocation beyond the nodes.
 *
 * One deliberate refinement of the paper: the split attribute is drawn uniformly among the
 * attributes that are *not constant* within the node (as scikit-learn does). Drawing a constant
 * attribute would give a split that separates nothing and wastes a level of the height limit,
 * which on discrete data (satellite, shuttle) visibly lowers AUC. A node whose rows are all
 * identical is external, as in the paper.
 */
export function growIsolationTree(
  matrix: RowMatrix,
  sample: Int32Array,
  heightLimit: number,
  random: SeededRandom,
): IsolationTreeNode {
  const candidates = new Int32Array(matrix.nFeatures);
  const grow = (lo: number, hi: number, depth: number): IsolationTreeNode => {
    const size = hi - lo;
    if (depth >= heightLimit || size <= 1) return { kind: 'external', size };
    const split = drawSplit(matrix, sample, lo, hi, candidates, random);
    if (split === undefined) return { kind: 'external', size };
    const mid = partition(matrix, sample, lo, hi, split.feature, split.threshold);
    return {
      kind: 'split',
      feature: split.feature,
      threshold: split.threshold,
      left: grow(lo, mid, depth + 1),
      right: grow(mid, hi, depth + 1),
    };
  };
  return grow(0, sample.length, 0);
}

/** Draws attributes without replacement until one varies in the node; undefined if none does. */
function drawSplit(
  matrix: RowMatrix,
  sample: Int32Array,
  lo: number,
  hi: number,
  candidates: Int32Array,
  random: SeededRandom,
): { feature: number; threshold: number } | undefined {
  const { data, nFeatures } = matrix;
  for (let f = 0; f < nFeatures; f++) candidates[f] = f;
  for (let remaining = nFeatures; remaining > 0; remaining--) {
    const pick = random.nextInt(remaining);
    const feature = candidates[pick]!;
    candidates[pick] = candidates[remaining - 1]!;
    let min = Infinity;
    let max = -Infinity;
    for (let i = lo; i < hi; i++) {
      const v = data[sample[i]! * nFeatures + feature]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min < max) {
      // p uniform in (min, max]: with "x < p goes left" both sides are then non-empty.
      let threshold = max - random.nextFloat() * (max - min);
      if (!(threshold > min)) threshold = max; // rounding can land on min when max−min is tiny
      return { feature, threshold };
    }
  }
  return undefined;
}

/** Moves rows with `value < threshold` to the front of sample[lo..hi); returns where the rest start. */
function partition(
  matrix: RowMatrix,
  sample: Int32Array,
  lo: number,
  hi: number,
  feature: number,
  threshold: number,
): number {
  const { data, nFeatures } = matrix;
  let mid = lo;
  for (let i = lo; i < hi; i++) {
    const row = sample[i]!;
    if (data[row * nFeatures + feature]! < threshold) {
      sample[i] = sample[mid]!;
      sample[mid] = row;
      mid++;
    }
  }
  return mid;
}

/** The depth of the deepest external node (the root alone has depth 0). */
export function treeDepth(node: IsolationTreeNode): number {
  return node.kind === 'external' ? 0 : 1 + Math.max(treeDepth(node.left), treeDepth(node.right));
}

/**
 * h(x) for one tree, by walking the objects: the textbook recursion, kept as the executable
 * specification that the flat scorers are tested against.
 */
export function referencePathLength(
  node: IsolationTreeNode,
  row: ArrayLike<number>,
  pathLength: (size: number) => number,
): number {
  let depth = 0;
  let current = node;
  while (current.kind === 'split') {
    current = row[current.feature]! < current.threshold ? current.left : current.right;
    depth++;
  }
  return depth + pathLength(current.size);
}

/** s(x) over a whole object forest (reference for tests; slow by design). */
export function referenceScore(forest: TreeForest, row: ArrayLike<number>): number {
  let total = 0;
  for (const tree of forest.trees) total += referencePathLength(tree, row, forest.pathLength);
  return pow(2, -(total / forest.trees.length) / forest.normaliser);
}
