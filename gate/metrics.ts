import { counter, declareMetric, gauge, metricGroup } from '../lib/metrics';

/** Score buckets: dense around the usual thresholds (0.5–0.7), where tuning happens. */
export const SCORE_BUCKETS = [0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9] as const;

/**
 * A Prometheus histogram fed a whole batch at once. The gate scores hundreds of thousands of events
 * a second, and prom-client's observe() (~0.6 µs each) would cost more than scoring them; this
 * takes per-bucket counts summed while scoring and serves the same exposition.
 */
export class BatchHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.counts = new Array<number>(buckets.length).fill(0);
  }

  /** Adds one batch: `perBucket[i]` values fell in (buckets[i-1], buckets[i]]; the rest exceeded the last bound. */
  add(perBucket: ArrayLike<number>, total: number, sum: number): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += perBucket[i] ?? 0;
    this.count += total;
    this.sum += sum;
  }

  observe(value: number): void {
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) this.counts[i]! += 1;
    this.count += 1;
    this.sum += value;
  }

  get() {
    let cumulative = 0;
    const values: Array<{ value: number; labels: Record<string, string | number>; metricName: string }> = this.buckets.map((le, i) => {
      cumulative += this.counts[i]!;
      return { value: cumulative, labels: { le }, metricName: `${this.name}_bucket` };
    });
    values.push({ value: this.count, labels: { le: '+Inf' }, metricName: `${this.name}_bucket` });
    values.push({ value: this.sum, labels: {}, metricName: `${this.name}_sum` });
    values.push({ value: this.count, labels: {}, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.counts = this.counts.map(() => 0);
    this.sum = 0;
    this.count = 0;
  }
}

/** Which bucket of SCORE_BUCKETS a score falls in (buckets.length when above the last). */
export function scoreBucket(score: number): number {
  for (let i = 0; i < SCORE_BUCKETS.length; i++) if (score <= SCORE_BUCKETS[i]!) return i;
  return SCORE_BUCKETS.length;
}

/**
 * The gate's metrics, obtained together (all on /metrics from the gate's start) on a registry, the
 * global one by default; `scores` is the BatchHistogram above.
 */
export const gateMetrics = metricGroup({
  scores: declareMetric(() => new BatchHistogram('vigil_gate_anomaly_score', 'Isolation Forest scores of validated events (higher is more anomalous).', SCORE_BUCKETS)),
  consumed: counter({ name: 'vigil_gate_events_consumed_total', help: 'Events read from the source, valid or not.', labelNames: ['source'] as const }),
  validated: counter({ name: 'vigil_gate_events_validated_total', help: 'Events that parsed as a valid Falco alert.' }),
  deadLettered: counter({ name: 'vigil_gate_events_dead_lettered_total', help: 'Events sent to the dead-letter queue, by kind of problem.', labelNames: ['kind'] as const }),
  scored: counter({ name: 'vigil_gate_events_scored_total', help: 'Events scored by the Isolation Forest.' }),
  anomalies: counter({
    name: 'vigil_gate_anomalies_total',
    help: 'Events that passed the gate: at or above the threshold (reason=score), below it but at or above the policy priority floor (reason=priority_floor), or a rule the model never saw a well-known workload raise (reason=first_for_workload).',
    labelNames: ['reason'] as const,
  }),
  suppressed: counter({
    name: 'vigil_gate_suppressed_total',
    help: 'Alerts that would have passed but were dropped by an unexpired suppression in the policy data, by suppression id.',
    labelNames: ['suppression'] as const,
  }),
  implausibleTimes: counter({
    name: 'vigil_gate_implausible_times_total',
    help: 'Alerts whose own time was in the future or too old: windows and correlation used their receive time instead.',
  }),
  targetPassRate: gauge({
    name: 'vigil_gate_target_pass_rate',
    help: 'The share of benign alerts the model was calibrated to let through (vigil train --target-pass-rate); the pass-rate alert compares against it.',
  }),
  incidents: counter({
    name: 'vigil_gate_incidents_total',
    help: 'Anomalies handed to Temporal: started a new incident, joined a running one, opened or joined the follow-up of a closed one (follow_up), or found it closed past the follow-up bound (joined_closed).',
    labelNames: ['outcome'] as const,
  }),
  llmCallsAvoided: counter({
    name: 'vigil_gate_llm_calls_avoided_total',
    help: 'Benign events dropped by the gate, each an incident (and its LLM analysis) that never happened.',
  }),
  lag: gauge({ name: 'vigil_gate_consumer_lag', help: 'Messages behind the end of each partition after the last batch.', labelNames: ['topic', 'partition'] as const }),
  threshold: gauge({
    name: 'vigil_gate_anomaly_threshold',
    help: "The anomaly threshold in force, by where it came from: the model's calibration, the policy data's override, or the built-in default.",
    labelNames: ['source'] as const,
  }),
  modelInfo: gauge({ name: 'vigil_gate_model_info', help: 'The model in use (value 1), by id and trainer.', labelNames: ['model', 'trainer'] as const }),
  windowSubjects: gauge({ name: 'vigil_gate_window_subjects', help: 'Pods, hosts and objects held in the feature windows (bounded).' }),
});
export type GateMetrics = ReturnType<typeof gateMetrics>;

