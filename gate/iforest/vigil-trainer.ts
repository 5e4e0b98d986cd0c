import { growIsolationTree } from './isolation-tree';
import type { IsolationTreeNode, TreeForest } from './isolation-tree';
import { averagePathLength } from './path-length';
import { SeededRandom } from './prng';
import type { RowMatrix } from './row-matrix';

export interface VigilTrainingPlan {
  readonly nTrees: number;
  /** ψ after capping at the number of rows. */
  readonly sampleSize: number;
  readonly heightLimit: number;
  readonly seed: number;
}

/**
 * Liu, Ting & Zhou (2008), Algorithm 1: each tree is grown on its own subsample of ψ rows drawn
 * without replacement, to height limit ceil(log2 ψ). Small subsamples are the point of the
 * method (they reduce swamping and masking), and they make training O(t·ψ·log ψ) whatever n is.
 */
export function trainVigilForest(matrix: RowMatrix, plan: VigilTrainingPlan): TreeForest {
  const random = new SeededRandom(plan.seed);
  // One permutation of all row ids, partially reshuffled per tree: the first ψ entries after
  // ψ Fisher–Yates steps are a uniform sample without replacement, whatever order the array
  // was left in by the previous tree, so we pay O(n) once and O(ψ) per tree.
  const order = new Int32Array(matrix.nRows);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const sample = new Int32Array(plan.sampleSize);
  const trees: IsolationTreeNode[] = [];
  for (let t = 0; t < plan.nTrees; t++) {
    for (let i = 0; i < plan.sampleSize; i++) {
      const j = i + random.nextInt(order.length - i);
      const picked = order[j]!;
      order[j] = order[i]!;
      order[i] = picked;
      sample[i] = picked;
    }
    trees.push(growIsolationTree(matrix, sample, plan.heightLimit, random));
  }
  return {
    trees,
    nFeatures: matrix.nFeatures,
    pathLength: averagePathLength,
    normaliser: averagePathLength(plan.sampleSize),
  };
}

/** The paper's height limit l = ceil(log2 ψ): about the average tree height, beyond which rows are normal. */
export function defaultHeightLimit(sampleSize: number): number {
  return Math.max(1, Math.ceil(Math.log2(sampleSize)));
}
