import type { IsolationForest as MlIsolationForest } from 'ml-isolation-forest';

import { IForestError, IForestErrorCode } from './errors';
import { flattenForest } from './flat-forest';
import type { FlatForest } from './flat-forest';
import type { TreeForest } from './isolation-tree';
import { trainMlForest } from './ml-trainer';
import { PathLengthConvention } from './path-length';
import { toTrainingMatrix } from './row-matrix';
import type { Rows } from './row-matrix';
import { FlatScorer } from './scorer';
import type { ScorerOptions } from './scorer';
import { defaultHeightLimit, trainVigilForest } from './vigil-trainer';

export const Trainer = {
  /** Liu, Ting & Zhou (2008): per-tree subsamples of ψ rows, height limit ceil(log2 ψ), seeded. */
  Vigil: 'vigil',
  /** The ml-isolation-forest package, converted to our layout: the side-by-side baseline. */
  MlIsolationForest: 'ml-isolation-forest',
} as const;
export type Trainer = (typeof Trainer)[keyof typeof Trainer];

export const DEFAULT_TREES = 100;
export const DEFAULT_SAMPLE_SIZE = 256;
/** Training is deterministic; this is the seed when none is given, so "no seed" is still reproducible. */
export const DEFAULT_SEED = 1;

export interface TrainOptions {
  readonly trainer?: Trainer;
  /** Number of trees t (default 100). */
  readonly nTrees?: number;
  /** Subsample size ψ (default 256), capped at the number of rows. */
  readonly sampleSize?: number;
  readonly seed?: number;
  /** Default ceil(log2 ψ); vigil trainer only (ml-isolation-forest fixes its own). */
  readonly heightLimit?: number;
  /** Optional names, saved with the model so a loader can check the extractor still matches. */
  readonly featureNames?: readonly string[];
  readonly scorer?: ScorerOptions;
}

/** Everything about a model except its arrays: what the model file's header records. */
export interface ModelInfo {
  readonly trainer: Trainer;
  readonly nTrees: number;
  /** ψ actually used (after capping at the row count). */
  readonly sampleSize: number;
  /** Maximum depth of an external node the trainer allowed. */
  readonly heightLimit: number;
  readonly seed: number;
  readonly nFeatures: number;
  readonly featureNames?: readonly string[];
  /** Rows the trainer was given (ψ of them per tree). */
  readonly trainingRows: number;
  /** Which c(n) the leaves and normaliser use. */
  readonly pathLength: PathLengthConvention;
}

export interface GrownForest {
  readonly info: ModelInfo;
  readonly trees: TreeForest;
  readonly baseline?: MlIsolationForest;
}

/**
 * Trains the object form of a forest. Most callers want trainIsolationForest; this exists so
 * tests can check the flat scorer against the reference recursion on the very same trees.
 */
export function growForest(rows: Rows, options: TrainOptions = {}): GrownForest {
  const matrix = toTrainingMatrix(rows);
  const trainer = options.trainer ?? Trainer.Vigil;
  const nTrees = positiveInteger('nTrees', options.nTrees ?? DEFAULT_TREES);
  const requested = positiveInteger('sampleSize', options.sampleSize ?? DEFAULT_SAMPLE_SIZE);
  if (requested < 2) throw new IForestError(IForestErrorCode.InvalidOption, 'sampleSize must be at least 2 (c(1) = 0 cannot normalise)');
  const sampleSize = Math.min(requested, matrix.nRows);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new IForestError(IForestErrorCode.InvalidOption, `seed must be a safe integer, got ${seed}`);
  const featureNames = options.featureNames === undefined ? undefined : [...options.featureNames];
  if (featureNames !== undefined) checkFeatureNames(featureNames, matrix.nFeatures);
  const common = { trainer, nTrees, sampleSize, seed, nFeatures: matrix.nFeatures, trainingRows: matrix.nRows };
  const named = featureNames === undefined ? {} : { featureNames };

  if (trainer === Trainer.Vigil) {
    const heightLimit = positiveInteger('heightLimit', options.heightLimit ?? defaultHeightLimit(sampleSize));
    return {
      info: { ...common, ...named, heightLimit, pathLength: PathLengthConvention.Paper },
      trees: trainVigilForest(matrix, { nTrees, sampleSize, heightLimit, seed }),
    };
  }
  if (trainer === Trainer.MlIsolationForest) {
    if (options.heightLimit !== undefined) {
      throw new IForestError(IForestErrorCode.InvalidOption, 'heightLimit is fixed by ml-isolation-forest (ceil(log2 rows) + 1)');
    }
    const { forest, baseline } = trainMlForest(matrix, { nTrees, sampleSize, seed });
    return {
      info: { ...common, ...named, heightLimit: Math.ceil(Math.log2(sampleSize)) + 1, pathLength: PathLengthConvention.MlIsolationForest },
      trees: forest,
      baseline,
    };
  }
  throw new IForestError(IForestErrorCode.InvalidOption, `unknown trainer ${String(trainer)}; use 'vigil' or 'ml-isolation-forest'`);
}

/** Trains a forest and lays it out for fast scoring. */
export function trainIsolationForest(rows: Rows, options: TrainOptions = {}): IsolationForestModel {
  const grown = growForest(rows, options);
  return new IsolationForestModel(grown.info, flattenForest(grown.trees), options.scorer, grown.baseline);
}

/**
 * A trained (or loaded) forest: metadata, flat arrays and a scorer. Scores follow the paper:
 * s(x) ∈ (0, 1], higher = more anomalous; scikit-learn's score_samples(x) is −s(x).
 */
export class IsolationForestModel {
  readonly scorer: FlatScorer;

  constructor(
    readonly info: ModelInfo,
    readonly forest: FlatForest,
    scorerOptions?: ScorerOptions,
    /** ml-isolation-forest's own model when that trainer was used in this process (not saved). */
    readonly baseline?: MlIsolationForest,
  ) {
    this.scorer = new FlatScorer(forest, scorerOptions);
  }

  score(row: ArrayLike<number>): number {
    return this.scorer.score(row);
  }

  scoreBatch(rows: Rows, out?: Float64Array): Float64Array {
    return this.scorer.scoreBatch(rows, out);
  }

  scoreMatrix(data: Float64Array, out?: Float64Array): Float64Array {
    return this.scorer.scoreMatrix(data, out);
  }
}

function positiveInteger(optionName: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new IForestError(IForestErrorCode.InvalidOption, `${optionName} must be a positive integer, got ${value}`);
  }
  return value;
}

export function checkFeatureNames(names: readonly unknown[], nFeatures: number): void {
  if (names.length !== nFeatures || names.some((n) => typeof n !== 'string') || new Set(names).size !== names.length) {
    throw new IForestError(
      IForestErrorCode.InvalidOption,
      `featureNames must be ${nFeatures} distinct strings (one per feature), got ${JSON.stringify(names)}`,
    );
  }
}
