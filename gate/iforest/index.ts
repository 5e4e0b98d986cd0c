// Public surface of the gate's anomaly model. Named re-exports keep the API reviewable here.
export { IForestError, IForestErrorCode } from './errors';
export { flattenForest, MAX_FLAT_DEPTH } from './flat-forest';
export type { FlatForest } from './flat-forest';
export {
  DEFAULT_SAMPLE_SIZE,
  DEFAULT_SEED,
  DEFAULT_TREES,
  growForest,
  IsolationForestModel,
  Trainer,
  trainIsolationForest,
} from './isolation-forest';
export type { GrownForest, ModelInfo, TrainOptions } from './isolation-forest';
export { referencePathLength, referenceScore } from './isolation-tree';
export type { ExternalNode, IsolationTreeNode, SplitNode, TreeForest } from './isolation-tree';
export { decodeModel, encodeModel, loadModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, saveModel } from './model-file';
export type { LoadOptions } from './model-file';
export { anomalyScore, averagePathLength, EULER_GAMMA, harmonicNumber, mlIsolationForestPathLength, PathLengthConvention } from './path-length';
export { SeededRandom } from './prng';
export { rocAuc } from './roc-auc';
export type { RowMatrix, Rows } from './row-matrix';
export { FlatScorer, ScoringKernel } from './scorer';
export type { ScorerOptions } from './scorer';
