import type { FalcoAlert, FalcoPriority } from '../../contracts';
import { FALCO_PRIORITIES } from '../../contracts';
import type { Trainer } from '../iforest';
import { DEFAULT_SAMPLE_SIZE, DEFAULT_SEED, DEFAULT_TREES, trainIsolationForest } from '../iforest';
import type { IsolationForestModel } from '../iforest';
import type { ExtractorBaseline, ExtractorOptions } from '../features/extractor';
import { FEATURE_COUNT, FEATURE_NAMES, FeatureExtractor } from '../features/extractor';
import type { Calibration, GateModel, TrainingSummary } from './gate-model';

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
  /** Share of the (benign) training alerts the threshold lets through; default 0.2 %. */
  targetPassRate?: number;
  /** The latest share of the window held out to measure the threshold on unseen alerts; default 20 %. */
  holdOut?: number;
  /** Alerts at or above pass whatever the score (policy's priority floor), reported, not calibrated. */
  priorityFloor?: FalcoPriority;
}

export const DEFAULT_TARGET_PASS_RATE = 0.002;
export const DEFAULT_HOLD_OUT = 0.2;
/** Fewer held-out alerts than this say nothing about a 0.2 % rate; the hold-out is skipped. */
const MIN_HELD_OUT = 200;

/** Time order (stable for equal times), which is what the windows assume and roughly what Kafka delivers. */
export function inTimeOrder(alerts: readonly FalcoAlert[]): FalcoAlert[] {
  return alerts
    .map((alert, i) => ({ alert, i, t: Date.parse(alert.time) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.alert);
}

/** Rarity counted over `alerts`: what the model's baseline will hold. */
function countRarity(alerts: readonly FalcoAlert[], options: TrainGateOptions): ExtractorBaseline {
  const counter = new FeatureExtractor({ windows: options.windows });
  for (const a of alerts) counter.observeRarity(a);
  return counter.baseline(Number.MAX_SAFE_INTEGER);
}

/** Rows of `alerts` (in time order) against a frozen baseline, with fresh windows: what the gate will compute. */
function rowsAgainst(alerts: readonly FalcoAlert[], baseline: ExtractorBaseline, options: TrainGateOptions, leaveOneOut: boolean): Float64Array {
  const extractor = new FeatureExtractor({ windows: options.windows, baseline, learnRarity: false, leaveOneOut, criticalNamespaces: options.criticalNamespaces });
  const matrix = new Float64Array(alerts.length * FEATURE_COUNT);
  alerts.forEach((a, i) => extractor.extract(a, matrix, i * FEATURE_COUNT));
  return matrix;
}

/**
 * Rows for training in two passes: first every alert is counted into the rarity tables, then the
 * rows are extracted against those (frozen) tables with fresh windows. One pass would make the
 * first alerts of the file look rare only because nothing came before them, and teach the
 * forest that "rare" is normal. The gate, too, reads the baseline frozen.
 */
export function trainingRows(alerts: readonly FalcoAlert[], options: TrainGateOptions = {}): { matrix: Float64Array; baseline: ExtractorBaseline } {
  const ordered = inTimeOrder(alerts);
  const baseline = countRarity(ordered, options);
  return { matrix: rowsAgainst(ordered, baseline, options, true), baseline };
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * The lowest threshold that lets at most `rate` of `scores` through (score >= threshold passes):
 * just above the score ranked at that rate, so ties at the boundary stay out.
 */
export function thresholdFor(scores: Float64Array, rate: number): number {
  const desc = Float64Array.from(scores).sort().reverse();
  const k = Math.floor(rate * desc.length);
  if (k >= desc.length) return 0;
  return Math.min(1, desc[k]! + 1e-9);
}

function passRate(scores: Float64Array, threshold: number): number {
  let n = 0;
  for (const s of scores) if (s >= threshold) n += 1;
  return scores.length === 0 ? 0 : n / scores.length;
}

function fit(matrix: Float64Array, rows: number, options: TrainGateOptions): IsolationForestModel {
  return trainIsolationForest(
    { data: matrix, nRows: rows, nFeatures: FEATURE_COUNT },
    {
      trainer: options.trainer,
      seed: options.seed ?? DEFAULT_SEED,
      nTrees: options.nTrees ?? DEFAULT_TREES,
      sampleSize: options.sampleSize ?? DEFAULT_SAMPLE_SIZE,
      featureNames: FEATURE_NAMES,
    },
  );
}

/**
 * Trains the gate's model on (mostly) benign alerts: the forest learns what normal looks like,
 * and the threshold is calibrated to let `targetPassRate` of such alerts through.
 *
 * Calibration: the latest `holdOut` of the window is set aside, a forest (and baseline) fitted on
 * the rest scores it, and the threshold that passes the target rate there is what unseen benign
 * traffic needs (in-sample scores flatter: every training row was seen). The final model is
 * fitted on the whole window; its threshold is the higher of the in-sample and held-out ones, so
 * the held-out figure is an honest upper bound, not a fitted one.
 */
export function trainGateModel(alerts: readonly FalcoAlert[], options: TrainGateOptions = {}): Omit<GateModel, 'id'> {
  if (alerts.length < 2) throw new Error(`need at least 2 valid alerts to train, got ${alerts.length}`);
  const target = options.targetPassRate ?? DEFAULT_TARGET_PASS_RATE;
  if (!(target > 0 && target < 1)) throw new Error(`target pass rate must be in (0, 1), got ${target}`);
  const holdOut = options.holdOut ?? DEFAULT_HOLD_OUT;
  if (!(holdOut >= 0 && holdOut < 1)) throw new Error(`hold-out share must be in [0, 1), got ${holdOut}`);
  const ordered = inTimeOrder(alerts);

  let heldOut: Calibration['heldOut'] = null;
  let heldScoresThreshold = 0;
  const split = Math.floor(ordered.length * (1 - holdOut));
  if (ordered.length - split >= MIN_HELD_OUT && split >= 2) {
    const fitted = ordered.slice(0, split);
    const baseline = countRarity(fitted, options);
    // The held-out part is read as the gate would read it: against counts it is not in.
    const matrix = new Float64Array(ordered.length * FEATURE_COUNT);
    matrix.set(rowsAgainst(fitted, baseline, options, true));
    matrix.set(rowsAgainst(ordered.slice(split), baseline, options, false), split * FEATURE_COUNT);
    const forest = fit(matrix.subarray(0, split * FEATURE_COUNT), split, options);
    const heldScores = forest.scoreMatrix(matrix.subarray(split * FEATURE_COUNT));
    heldScoresThreshold = thresholdFor(heldScores, target);
    const fittedThreshold = thresholdFor(forest.scoreMatrix(matrix.subarray(0, split * FEATURE_COUNT)), target);
    heldOut = { rows: ordered.length - split, passRate: passRate(heldScores, fittedThreshold), threshold: heldScoresThreshold, passRateAtFinalThreshold: 0 };
  }

  const { matrix, baseline } = trainingRows(ordered, options);
  const forest = fit(matrix, ordered.length, options);
  const scores = forest.scoreMatrix(matrix);
  const threshold = Math.max(thresholdFor(scores, target), heldScoresThreshold);
  if (heldOut) {
    // The same held-out rows, scored by the final model at its threshold (in-sample now, so a floor).
    const held = scores.subarray(split);
    heldOut.passRateAtFinalThreshold = passRate(held, threshold);
  }
  const floor = FALCO_PRIORITIES.indexOf(options.priorityFloor ?? 'Critical');
  const atFloor = ordered.filter((a) => FALCO_PRIORITIES.indexOf(a.priority) <= floor).length;
  const sorted = Float64Array.from(scores).sort();
  const training: TrainingSummary = {
    input: options.input ?? '(in memory)',
    rows: ordered.length,
    scoreQuantiles: { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), p999: quantile(sorted, 0.999), max: sorted[sorted.length - 1]! },
    trainedAt: new Date().toISOString(),
  };
  const calibration: Calibration = { threshold, targetPassRate: target, trainingPassRate: passRate(scores, threshold), heldOut, priorityFloorRate: atFloor / ordered.length };
  return { forest, baseline, training, calibration };
}
