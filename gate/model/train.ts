import type { FalcoAlert } from '../../contracts';
import type { Trainer } from '../iforest';
import { DEFAULT_SAMPLE_SIZE, DEFAULT_SEED, DEFAULT_TREES, trainIsolationForest } from '../iforest';
import type { ExtractorOptions } from '../features/extractor';
import { FEATURE_COUNT, FEATURE_NAMES, FeatureExtractor } from '../features/extractor';
import type { GateModel, TrainingSummary } from './gate-model';

export interface TrainGateOptions {
  trainer?: Trainer;
  seed?: number;
  nTrees?: number;
  sampleSize?: number;
  /** The policy's always-escalate namespaces (namespace_critical), as the gate will see them. */
  criticalNamespaces?: readonly string[];
  windows?: ExtractorOptions['windows'];
  /** Where the alerts came from, recorded in the model. */
  input?: string;
}

/** Time order (stable for equal times), which is what the windows assume and roughly what Kafka delivers. */
export function inTimeOrder(alerts: readonly FalcoAlert[]): FalcoAlert[] {
  return alerts
    .map((alert, i) => ({ alert, i, t: Date.parse(alert.time) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.alert);
}

/**
 * Rows for training in two passes: first every alert is counted into the rarity tables, then the
 * rows are extracted against those (frozen) tables with fresh windows. One pass would make the
 * first alerts of the file look rare only because nothing came before them, and teach the
 * forest that "rare" is normal.
 */
export function trainingRows(alerts: readonly FalcoAlert[], options: TrainGateOptions = {}): { matrix: Float64Array; extractor: FeatureExtractor } {
  const ordered = inTimeOrder(alerts);
  const counter = new FeatureExtractor({ windows: options.windows });
  for (const a of ordered) counter.observeRarity(a);
  const baseline = counter.baseline(Number.MAX_SAFE_INTEGER);
  const extractor = new FeatureExtractor({ windows: options.windows, baseline, learnRarity: false, criticalNamespaces: options.criticalNamespaces });
  const matrix = new Float64Array(ordered.length * FEATURE_COUNT);
  ordered.forEach((a, i) => extractor.extract(a, matrix, i * FEATURE_COUNT));
  return { matrix, extractor: counter };
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Trains the gate's model on (mostly) benign alerts: the forest learns what normal looks like. */
export function trainGateModel(alerts: readonly FalcoAlert[], options: TrainGateOptions = {}): Omit<GateModel, 'id'> {
  if (alerts.length < 2) throw new Error(`need at least 2 valid alerts to train, got ${alerts.length}`);
  const { matrix, extractor } = trainingRows(alerts, options);
  const forest = trainIsolationForest(
    { data: matrix, nRows: alerts.length, nFeatures: FEATURE_COUNT },
    {
      trainer: options.trainer,
      seed: options.seed ?? DEFAULT_SEED,
      nTrees: options.nTrees ?? DEFAULT_TREES,
      sampleSize: options.sampleSize ?? DEFAULT_SAMPLE_SIZE,
      featureNames: FEATURE_NAMES,
    },
  );
  const scores = forest.scoreMatrix(matrix).sort();
  const training: TrainingSummary = {
    input: options.input ?? '(in memory)',
    rows: alerts.length,
    scoreQuantiles: { p50: quantile(scores, 0.5), p90: quantile(scores, 0.9), p99: quantile(scores, 0.99), p999: quantile(scores, 0.999), max: scores[scores.length - 1]! },
    trainedAt: new Date().toISOString(),
  };
  return { forest, baseline: extractor.baseline(), training };
}
