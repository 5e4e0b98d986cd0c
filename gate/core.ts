import type { Anomaly, FalcoAlert, FalcoPriority } from '../contracts';
import { FALCO_PRIORITIES, workloadOf } from '../contracts';
import { alertFingerprint, correlationKeyFor, DEFAULT_CORRELATION_MAX_MS, traceIdFor } from '../lib/identity';
import { ActivityWindows } from './correlation';
import { BoundedMap } from './features/bounded-map';
import type { AlertSubject, ExtractorOptions } from './features/extractor';
import { alertSubject, FEATURE_COUNT, FeatureExtractor } from './features/extractor';
import { SCORE_BUCKETS, scoreBucket } from './metrics';
import type { GateModel } from './model/gate-model';
import type { Suppression } from './suppressions';
import { SuppressionIndex } from './suppressions';
import type { DeadLetterKind } from './validate';
import { validateEvent } from './validate';

/**
 * A batch of raw events packed in one buffer: event i is bytes[ends[i-1] .. ends[i]). One
 * contiguous buffer crosses a thread boundary as a single transfer, not one message per event.
 * `receivedMs[i]`, when given, is when the event reached the pipeline (a Kafka message's
 * timestamp); else the whole batch counts as received when it is processed.
 */
export interface PackedEvents {
  bytes: Uint8Array;
  ends: Uint32Array;
  receivedMs?: Float64Array;
}

export function packEvents(values: ReadonlyArray<Uint8Array | null>, receivedMs?: ReadonlyArray<number | undefined>): PackedEvents {
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
  if (!receivedMs) return { bytes, ends };
  return { bytes, ends, receivedMs: Float64Array.from(receivedMs, (t) => (t !== undefined && Number.isFinite(t) ? t : Number.NaN)) };
}

/** Where the threshold in force came from: the model's calibration, the policy's override, or neither. */
export type ThresholdSource = 'model' | 'policy' | 'default';
/** A model without calibration and a policy without an override: what the gate used before calibration. */
export const FALLBACK_THRESHOLD = 0.6;

export interface CoreSettings {
  /** The policy's override of the model's calibrated threshold, if any. */
  anomalyThreshold: number | undefined;
  priorityFloor: FalcoPriority;
  criticalNamespaces: readonly string[];
  suppressions: readonly Suppression[];
}

export interface TimeBounds {
  /** An alert dated more than this after it was received is forged or from a broken clock. */
  maxFutureMs: number;
  /** An alert dated more than this before it was received is not trusted for windows (0: no bound, for replays of old files). */
  maxAgeMs: number;
}

/** No age bound by default (replays, tools); the Kafka gate sets one (gate/run-gate.ts). */
export const DEFAULT_TIME_BOUNDS: TimeBounds = { maxFutureMs: 5 * 60_000, maxAgeMs: 0 };

/**
 * "First time here": a rule the model never saw a workload raise, on a workload with at least
 * this many alerts in the model's baseline, passes whatever the score. The forest cannot say it
 * (its splits come from training rows, every one of which was seen), and it is the finding an
 * analyst wants first. At most FIRST_PASSES_PER_KEY alerts per (workload, rule) pass this way per
 * FIRST_PASS_WINDOW_MS, so a new habit after a deploy is one incident, not a flood.
 */
export const FIRST_FOR_WORKLOAD_MIN_SIGHTINGS = 20;
export const FIRST_PASSES_PER_KEY = 3;
export const FIRST_PASS_WINDOW_MS = 60 * 60_000;

export interface CoreOptions {
  model: GateModel;
  settings: CoreSettings;
  /** Events larger than this go to the dead-letter queue unparsed. */
  maxEventBytes: number;
  /** A workload's incident window closes after this long without an anomaly. */
  correlationWindowMs: number;
  /** ... and never spans more than this. */
  correlationMaxMs?: number;
  /** How long (wall time) a settled incident keeps watching its workload: `anomaly.watch`; 0 or absent, no watch. */
  incidentWatchMs?: number;
  timeBounds?: TimeBounds;
  extractor?: Pick<ExtractorOptions, 'windows' | 'maxRarityKeys'>;
}

export interface ScoredBatch {
  count: number;
  /** Index in the batch, and why the event is not (or not only) a valid alert. `clipped` ones were also scored. */
  deadLetters: Array<{ index: number; kind: DeadLetterKind; reason: string }>;
  anomalies: Array<{ index: number; anomaly: Anomaly }>;
  scored: number;
  /** Per SCORE_BUCKETS bucket (non-cumulative), for the score histogram. */
  scoreBuckets: number[];
  scoreSum: number;
  windowSubjects: number;
  /** Anomalies that passed only because of the priority floor. */
  floorPassed: number;
  /** Anomalies that passed (below the threshold and the floor) as a rule new to a well-known workload. */
  firstPassed: number;
  /** Alerts dropped by a suppression, by suppression id. */
  suppressed: Record<string, number>;
  /** Alerts whose own time was implausible: windows and correlation used their receive time. */
  implausibleTimes: number;
  threshold: number;
  thresholdSource: ThresholdSource;
}

interface ValidRow {
  index: number;
  alert: FalcoAlert;
  subject: AlertSubject;
  workload: ReturnType<typeof workloadOf>;
  atMs: number;
}

/**
 * The gate's decision for a batch, free of I/O: validate each event, extract its features in
 * stream order, score the batch with the forest, and turn each event at or above the threshold
 * (or the policy's priority floor) into an Anomaly with its correlation key, trace id and
 * fingerprint, unless a suppression covers it. The same object runs inline or on the gate's
 * scoring thread. One event that throws anywhere becomes a dead letter; the batch goes on.
 */
export class GateCore {
  private model: GateModel;
  private settings: CoreSettings;
  private suppressions: SuppressionIndex;
  private floorRank: number;
  private readonly extractor: FeatureExtractor;
  private readonly windows: ActivityWindows;
  private readonly watch: { idleMs: number; maxMs: number } | null;
  private readonly bounds: TimeBounds;
  /** Per (workload, rule) first-time passes: window start and count, bounded. */
  private readonly firstPasses: BoundedMap<string, { since: number; n: number }>;
  private matrix = new Float64Array(0);
  private scores = new Float64Array(0);

  constructor(private readonly options: CoreOptions) {
    this.model = options.model;
    this.settings = options.settings;
    this.suppressions = new SuppressionIndex(options.settings.suppressions);
    this.floorRank = FALCO_PRIORITIES.indexOf(options.settings.priorityFloor);
    this.bounds = options.timeBounds ?? DEFAULT_TIME_BOUNDS;
    this.extractor = this.newExtractor(options.model);
    const idleMs = options.correlationWindowMs;
    this.firstPasses = new BoundedMap(10_000);
    const maxMs = Math.max(idleMs, options.correlationMaxMs ?? DEFAULT_CORRELATION_MAX_MS);
    this.windows = new ActivityWindows({ idleMs, maxMs, maxKeys: options.extractor?.windows?.maxSubjects ?? 100_000 });
    const watchMs = options.incidentWatchMs ?? 0;
    this.watch = watchMs > 0 ? { idleMs: watchMs, maxMs: Math.max(watchMs, maxMs) } : null;
  }

  get modelId(): string {
    return this.model.id;
  }

  /** The threshold in force and where it came from. */
  get threshold(): { value: number; source: ThresholdSource } {
    if (this.settings.anomalyThreshold !== undefined) return { value: this.settings.anomalyThreshold, source: 'policy' };
    if (this.model.calibration) return { value: this.model.calibration.threshold, source: 'model' };
    return { value: FALLBACK_THRESHOLD, source: 'default' };
  }

  setModel(model: GateModel): void {
    this.model = model;
    this.extractor.resetRarity(model.baseline);
  }

  setSettings(settings: CoreSettings): void {
    this.settings = settings;
    this.suppressions = new SuppressionIndex(settings.suppressions);
    this.floorRank = FALCO_PRIORITIES.indexOf(settings.priorityFloor);
    this.extractor.setCriticalNamespaces(settings.criticalNamespaces);
  }

  process(events: PackedEvents, receivedAt: string = new Date().toISOString()): ScoredBatch {
    const n = events.ends.length;
    const batchMs = Date.parse(receivedAt);
    const text = Buffer.from(events.bytes.buffer, events.bytes.byteOffset, events.bytes.byteLength);
    const deadLetters: ScoredBatch['deadLetters'] = [];
    const valid: ValidRow[] = [];
    const suppressed: Record<string, number> = {};
    let implausibleTimes = 0;
    if (this.matrix.length < n * FEATURE_COUNT) this.matrix = new Float64Array(n * FEATURE_COUNT);
    let start = 0;
    for (let i = 0; i < n; i++) {
      const end = events.ends[i]!;
      const length = end - start;
      const from = start;
      start = end;
      try {
        const v = validateEvent(length <= this.options.maxEventBytes ? text.toString('utf8', from, end) : '', length, this.options.maxEventBytes);
        if (!v.ok) {
          deadLetters.push({ index: i, kind: v.kind, reason: v.reason });
          continue;
        }
        if (v.clipped) deadLetters.push({ index: i, kind: 'clipped', reason: `scored with over-long values clipped (original here): ${v.clipped.slice(0, 8).join(', ')}`.slice(0, 1000) });
        const received = events.receivedMs?.[i];
        const atMs = this.plausibleTime(v.alert, received !== undefined && !Number.isNaN(received) ? received : batchMs);
        if (atMs.implausible) implausibleTimes += 1;
        const workload = workloadOf(v.alert);
        const row: ValidRow = { index: i, alert: v.alert, workload, subject: alertSubject(v.alert, workload), atMs: atMs.ms };
        this.extractor.extract(row.alert, this.matrix, valid.length * FEATURE_COUNT, row.subject, row.atMs);
        valid.push(row);
      } catch (err) {
        deadLetters.push({ index: i, kind: 'internal_error', reason: `the gate failed on this event: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.slice(0, 1000) });
      }
    }

    const scoreBuckets = new Array<number>(SCORE_BUCKETS.length).fill(0);
    const anomalies: ScoredBatch['anomalies'] = [];
    const { value: threshold, source: thresholdSource } = this.threshold;
    let scoreSum = 0;
    let floorPassed = 0;
    let firstPassed = 0;
    if (valid.length > 0) {
      if (this.scores.length < valid.length) this.scores = new Float64Array(Math.max(valid.length, 2 * this.scores.length));
      this.model.forest.scoreMatrix(this.matrix.subarray(0, valid.length * FEATURE_COUNT), this.scores);
      for (let k = 0; k < valid.length; k++) {
        const score = this.scores[k]!;
        scoreSum += score;
        const bucket = scoreBucket(score);
        if (bucket < scoreBuckets.length) scoreBuckets[bucket]! += 1;
        const row = valid[k]!;
        const atFloor = FALCO_PRIORITIES.indexOf(row.alert.priority) <= this.floorRank;
        const first = score < threshold && !atFloor && this.firstTime(row);
        if (score < threshold && !atFloor && !first) continue;
        try {
          if (!atFloor) {
            const s = this.suppressions.size > 0 ? this.suppressions.match(row.alert, row.workload, row.atMs) : undefined;
            if (s) {
              suppressed[s.id] = (suppressed[s.id] ?? 0) + 1;
              continue;
            }
          }
          if (score < threshold && atFloor) floorPassed += 1;
          if (first) firstPassed += 1;
          anomalies.push({ index: row.index, anomaly: this.anomalyOf(row, score, receivedAt) });
        } catch (err) {
          deadLetters.push({ index: row.index, kind: 'internal_error', reason: `the gate failed on this anomaly: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.slice(0, 1000) });
        }
      }
    }
    return {
      count: n,
      deadLetters,
      anomalies,
      scored: valid.length,
      scoreBuckets,
      scoreSum,
      windowSubjects: this.extractor.stateSize().subjects,
      floorPassed,
      firstPassed,
      suppressed,
      implausibleTimes,
      threshold,
      thresholdSource,
    };
  }

  private firstTime(row: ValidRow): boolean {
    if (!this.extractor.firstForWorkload(row.alert, row.subject, FIRST_FOR_WORKLOAD_MIN_SIGHTINGS)) return false;
    const key = `${row.subject.workload}\u0000${row.alert.rule}`;
    const seen = this.firstPasses.get(key);
    if (seen === undefined || row.atMs - seen.since > FIRST_PASS_WINDOW_MS || row.atMs < seen.since) {
      this.firstPasses.set(key, { since: row.atMs, n: 1 });
      return true;
    }
    if (seen.n >= FIRST_PASSES_PER_KEY) return false;
    seen.n += 1;
    return true;
  }

  private anomalyOf(row: ValidRow, score: number, receivedAt: string): Anomaly {
    const fingerprint = alertFingerprint(row.alert);
    const windowStart = this.windows.windowFor(row.subject.workload, row.atMs);
    return {
      alert: row.alert,
      score,
      correlationKey: correlationKeyFor(row.workload, windowStart),
      workload: row.workload,
      traceId: traceIdFor(row.alert, fingerprint),
      fingerprint,
      receivedAt,
      ...(this.watch ? { watch: this.watch } : {}),
    };
  }

  /**
   * The alert's own time when it is plausible, else its receive time: a forged future time must
   * not claim a window in advance (nor make the windows see every real alert as late), and a
   * forged old one must not land in a long-closed window.
   */
  private plausibleTime(alert: FalcoAlert, receivedMs: number): { ms: number; implausible: boolean } {
    const own = Date.parse(alert.time);
    if (Number.isNaN(receivedMs)) return { ms: Number.isNaN(own) ? 0 : own, implausible: false };
    const tooNew = own > receivedMs + this.bounds.maxFutureMs;
    const tooOld = this.bounds.maxAgeMs > 0 && own < receivedMs - this.bounds.maxAgeMs;
    if (Number.isNaN(own) || tooNew || tooOld) return { ms: receivedMs, implausible: true };
    return { ms: own, implausible: false };
  }

  private newExtractor(model: GateModel): FeatureExtractor {
    // With a baseline the gate reads it frozen: what passes depends on the model and the recent
    // windows only, so a restart or a second replica decides alike, and a flood cannot teach the
    // gate that an attack is normal. A bare forest has no baseline and learns from the stream.
    return new FeatureExtractor({
      ...this.options.extractor,
      baseline: model.baseline,
      learnRarity: model.baseline === undefined,
      criticalNamespaces: this.options.settings.criticalNamespaces,
    });
  }
}
