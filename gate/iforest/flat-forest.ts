import { IForestError, IForestErrorCode } from './errors';
import { treeDepth } from './isolation-tree';
import type { IsolationTreeNode, TreeForest } from './isolation-tree';

/**
 * A forest as three typed arrays, every tree a *complete* binary tree of the same depth D:
 * internal node i has children 2i+1 and 2i+2, trees are laid end to end, and leaf j of tree t is
 * `leafPathLengths[t·2^D + j]`. An external node shallower than D is padded: its subtree gets
 * dummy splits and every leaf below it carries the same precomputed h + c(size), so the branch
 * taken at a dummy split does not matter. The payoff is that scoring runs exactly D steps per
 * tree with no data-dependent branch and no pointer chasing: index = 2·index + 2 − (x < t).
 *
 * With ψ = 256 (D = 8) a tree is 255·(4+8) + 256·8 bytes ≈ 5 KB, so a block of events can be
 * pushed through one tree while it sits in L1, and 100 trees (≈ 0.5 MB) stay in L2.
 */
export interface FlatForest {
  readonly nTrees: number;
  readonly depth: number;
  readonly nFeatures: number;
  /** Split attribute of each internal node, (2^D − 1) per tree. */
  readonly splitFeatures: Int32Array;
  /** Split value of each internal node; rows with value < split go left. */
  readonly splitValues: Float64Array;
  /** depth + c(size) of each leaf, 2^D per tree. */
  readonly leafPathLengths: Float64Array;
  /** c(ψ) (or the trainer's equivalent): s(x) = 2^(−mean path / normaliser). */
  readonly normaliser: number;
}

/**
 * Deep complete trees grow as 2^D, so the layout has a ceiling. 16 (65 536 leaves, ~1.3 MB a
 * tree) is far above ψ = 256's 8, and still refuses ml-isolation-forest trees grown on tens of
 * thousands of rows, which are better retrained on a subsample than scored from a 200 MB layout.
 */
export const MAX_FLAT_DEPTH = 16;

export function internalNodesPerTree(depth: number): number {
  return 2 ** depth - 1;
}

export function leavesPerTree(depth: number): number {
  return 2 ** depth;
}

/** Lays an object forest out as complete trees of depth max(1, deepest external node). */
export function flattenForest(forest: TreeForest): FlatForest {
  const depth = forest.trees.reduce((deepest, tree) => Math.max(deepest, treeDepth(tree)), 1);
  if (depth > MAX_FLAT_DEPTH) {
    throw new IForestError(
      IForestErrorCode.TooDeep,
      `a tree is ${depth} levels deep; the flat layout stops at ${MAX_FLAT_DEPTH} (2^depth leaves per tree). ` +
        'Train on fewer rows per tree (sampleSize) or with the vigil trainer.',
    );
  }
  const nTrees = forest.trees.length;
  const internal = internalNodesPerTree(depth);
  const leaves = leavesPerTree(depth);
  const splitFeatures = new Int32Array(nTrees * internal);
  const splitValues = new Float64Array(nTrees * internal);
  const leafPathLengths = new Float64Array(nTrees * leaves);

  forest.trees.forEach((tree, t) => {
    const nodeBase = t * internal;
    const leafBase = t * leaves;
    const place = (node: IsolationTreeNode, index: number, level: number): void => {
      if (node.kind === 'split') {
        splitFeatures[nodeBase + index] = node.feature;
        splitValues[nodeBase + index] = node.threshold;
        place(node.left, 2 * index + 1, level + 1);
        place(node.right, 2 * index + 2, level + 1);
        return;
      }
      // Dummy splits below a shallow external node keep their zero feature/value; only the
      // leaves matter, and they all get this node's path length. The leaves under node `index`
      // at `level` are a contiguous run of 2^(depth−level) leaves.
      const value = level + forest.pathLength(node.size);
      const span = 2 ** (depth - level);
      const firstLeaf = (index + 1) * span - 1 - internal;
      leafPathLengths.fill(value, leafBase + firstLeaf, leafBase + firstLeaf + span);
    };
    place(tree, 0, 0);
  });

  return { nTrees, depth, nFeatures: forest.nFeatures, splitFeatures, splitValues, leafPathLengths, normaliser: forest.normaliser };
}
