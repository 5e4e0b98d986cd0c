import type { Anomaly, FalcoAlert } from '../contracts';
import { alertFingerprint, correlationKeyFor, traceIdFor } from '../lib/identity';
import type { ExtractorOptions } from './features/extractor';
import { FEATURE_COUNT, FeatureExtractor } from './features/extractor';
import { SCORE_BUCKETS, scoreBucket } from './metrics';
import type { GateModel } from './model/gate-model';
import type { DeadLetterKind } from './validate';
import { validateEvent } from './validate';

/**
 * A batch of raw events packed in one buffer: event i is bytes[ends[i-1] .. ends[i]). One
 * contiguous buffer crosses a thread boundary as a single transfer, not one message per event.
 */
export interface PackedEvents {
  bytes: Uint8Array;
  ends: Uint32Array;
}

export function packEvents(values: ReadonlyArray<Uint8Array | null>): PackedEvents {
  let total = 0;
  for (const v of values) total += v?.byteLength ?? 0;
  const bytes = new Uint8Array(total);
  const ends = new Uint32Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    if (v) {
      bytes.set(v, at);
      at += v.byteLength;
    }
    ends[i] = at;
  });
  return { bytes, ends };
}

export interface CoreSettings {
  anomalyThreshold: number;
  criticalNamespaces: readonly string[];
}

export interface CoreOptions {
  model: GateModel;
  settings: CoreSettings;
  /** Events larger than this go to the dead-letter queue unparsed. */
  maxEventBytes: number;
  correlationWindowMs: number;
  extractor?: Pick<ExtractorOptions, 'windows' | 'maxRarityKeys'>;
}

export interface ScoredBatch {
  count: number;
  /** Index in the batch, and why the event is not a valid alert. */
  deadLetters: Array<{ index: number; kind: DeadLetterKind; reason: string }>;
  anomalies: Array<{ index: number; anomaly: Anomaly }>;
  scored: number;
  /** Per SCORE_BUCKETS bucket (non-cumulative), for the score histogram. */
  scoreBuckets: number[];
  scoreSum: number;
  windowSubjects: number;
}

/**
 * The gate's decision for a batch, free of I/O: validate each event, extract its features in
 * stream order, score the batch with the forest, and turn each event at or above the policy's
 * threshold into an Anomaly with its correlation key, trace id and fingerprint. The same object
 * runs inline or on the gate's scoring thread.
 */
export class GateCore {
  private model: GateModel;
  private settings: CoreSettings;
  private readonly extractor: FeatureExtractor;
  private matrix = new Float64Array(0);
  private scores = new Float64Array(0);

  constructor(private readonly options: CoreOptions) {
    this.model = options.model;
    this.settings = options.settings;
    this.extractor = new FeatureExtractor({ ...options.extractor, baseline: options.model.baseline, criticalNamespaces: options.settings.criticalNamespaces });
  }

  get modelId(): string {
    return this.model.id;
  }

  get threshold(): number {
    return this.settings.anomalyThreshold;
  }

  setModel(model: GateModel): void {
    this.model = model;
    this.extractor.resetRarity(model.baseline);
  }

  setSettings(settings: CoreSettings): void {
    this.settings = settings;
    this.extractor.setCriticalNamespaces(settings.criticalNamespaces);
  }

  process(events: PackedEvents, receivedAt: string = new Date().toISOString()): ScoredBatch {
    const n = events.ends.length;
    const text = Buffer.from(events.bytes.buffer, events.bytes.byteOffset, events.bytes.byteLength);
    const deadLetters: ScoredBatch['deadLetters'] = [];
    const valid: Array<{ index: number; alert: FalcoAlert }> = [];
    if (this.matrix.length < n * FEATURE_COUNT) this.matrix = new Float64Array(n * FEATURE_COUNT);
    let start = 0;
    for (let i = 0; i < n; i++) {
      const end = events.ends[i]!;
      const v = validateEvent(end - start <= this.options.maxEventBytes ? text.toString('utf8', start, end) : '', end - start, this.options.maxEventBytes);
      start = end;
      if (!v.ok) {
        deadLetters.push({ index: i, kind: v.kind, reason: v.reason });
        continue;
      }
      this.extractor.extract(v.alert, this.matrix, valid.length * FEATURE_COUNT);
      valid.push({ index: i, alert: v.alert });
    }

    const scoreBuckets = new Array<number>(SCORE_BUCKETS.length).fill(0);
    const anomalies: ScoredBatch['anomalies'] = [];
    let scoreSum = 0;
    if (valid.length > 0) {
      if (this.scores.length < valid.length) this.scores = new Float64Array(Math.max(valid.length, 2 * this.scores.length));
      this.model.forest.scoreMatrix(this.matrix.subarray(0, valid.length * FEATURE_COUNT), this.scores);
      const threshold = this.settings.anomalyThreshold;
      for (let k = 0; k < valid.length; k++) {
        const score = this.scores[k]!;
        scoreSum += score;
        const bucket = scoreBucket(score);
        if (bucket < scoreBuckets.length) scoreBuckets[bucket]! += 1;
        if (score >= threshold) {
          const { index, alert } = valid[k]!;
          const fingerprint = alertFingerprint(alert);
          anomalies.push({
            index,
            anomaly: {
              alert,
              score,
              correlationKey: correlationKeyFor(alert, this.options.correlationWindowMs),
              traceId: traceIdFor(alert, fingerprint),
              fingerprint,
              receivedAt,
            },
          });
        }
      }
    }
    return { count: n, deadLetters, anomalies, scored: valid.length, scoreBuckets, scoreSum, windowSubjects: this.extractor.stateSize().subjects };
  }
}
