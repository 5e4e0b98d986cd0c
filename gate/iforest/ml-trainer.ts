import { IsolationForest as MlIsolationForest } from 'ml-isolation-forest';
import type { MlTreeNode } from 'ml-isolation-forest';

import { IForestError, IForestErrorCode } from './errors';
import type { IsolationTreeNode, TreeForest } from './isolation-tree';
import { mlIsolationForestPathLength } from './path-length';
import { SeededRandom } from './prng';
import { matrixRow } from './row-matrix';
import type { RowMatrix } from './row-matrix';

export interface MlTrainingPlan {
  readonly nTrees: number;
  /** Rows handed to the package (it grows every tree on all the rows it is given). */
  readonly sampleSize: number;
  readonly seed: number;
}

export interface MlTrainingResult {
  readonly forest: TreeForest;
  /** The package's own trained model, kept so benchmarks can time its `predict` side by side. */
  readonly baseline: MlIsolationForest;
}

/**
 * Trains with ml-isolation-forest 0.1.0 and converts its trees to ours.
 *
 * The package differs from Liu et al. in ways that matter here: every tree sees *all* its rows
 * (no per-tree subsample), depth is limited to ceil(log2 n) + 1, and it normalises with its own
 * c(n). To make it a fair and repeatable baseline we (1) hand it one seeded sample of ψ rows, so
 * its trees are as deep as ours, and (2) swap Math.random for our seeded generator while it
 * trains, since it has no seed option. Training is synchronous, so nothing else can observe the
 * swap, and `finally` restores the real Math.random even if training throws.
 */
export function trainMlForest(matrix: RowMatrix, plan: MlTrainingPlan): MlTrainingResult {
  const random = new SeededRandom(plan.seed);
  const rows = pickRows(matrix, plan.sampleSize, random).map((r) => matrixRow(matrix, r));
  const baseline = new MlIsolationForest({ nEstimators: plan.nTrees });
  const realRandom = Math.random;
  Math.random = () => random.nextFloat();
  try {
    baseline.train(rows);
  } finally {
    Math.random = realRandom;
  }
  return {
    forest: {
      trees: baseline.forest.map((tree) => convertNode(tree)),
      nFeatures: matrix.nFeatures,
      pathLength: mlIsolationForestPathLength,
      normaliser: mlIsolationForestPathLength(rows.length),
    },
    baseline,
  };
}

/** All rows in order when ψ ≥ n (the package's own behaviour), else a uniform sample without replacement. */
function pickRows(matrix: RowMatrix, sampleSize: number, random: SeededRandom): number[] {
  const ids = Array.from({ length: matrix.nRows }, (_, i) => i);
  if (sampleSize >= matrix.nRows) return ids;
  for (let i = 0; i < sampleSize; i++) {
    const j = i + random.nextInt(ids.length - i);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids.slice(0, sampleSize);
}

function convertNode(node: MlTreeNode): IsolationTreeNode {
  if (node.left === undefined && node.right === undefined) {
    return { kind: 'external', size: node.trainingSet?.length ?? 0 };
  }
  const { left, right, splitColumn, splitValue } = node;
  if (left === undefined || right === undefined || typeof splitColumn !== 'number' || typeof splitValue !== 'number') {
    throw new IForestError(
      IForestErrorCode.InvalidOption,
      'unexpected ml-isolation-forest tree node (package version changed?); expected left, right, splitColumn, splitValue',
    );
  }
  return { kind: 'split', feature: splitColumn, threshold: splitValue, left: convertNode(left), right: convertNode(right) };
}
