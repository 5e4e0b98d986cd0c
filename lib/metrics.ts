import { Counter, Gauge, Histogram, register } from 'prom-client';
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration, Metric, Registry } from 'prom-client';

/**
 * The one way Vigil declares and obtains metrics. A metric is declared once, at module level
 * (`counter`, `histogram`, `gauge`, or `declareMetric` for a shape of one's own such as the gate's
 * BatchHistogram); calling the declaration with a registry creates the metric there the first time
 * and returns the same one after. The default is prom-client's global registry, what every
 * process's /metrics serves, so a process exports only the families it obtains, and a test can
 * obtain them on a fresh Registry instead. `metricGroup` obtains several at once, for a component
 * whose families should all be on /metrics from its start (the gate's, the review agent's).
 *
 * Counters and histograms that follow one incident carry a `trace_id` exemplar. prom-client only
 * prints exemplars in OpenMetrics, and refuses exemplar metrics on a Prometheus-format registry at
 * construction; every metric is therefore built detached and registered afterwards: the Prometheus
 * text omits the exemplars, and lib/metrics-openmetrics.ts prints them when a scraper asks for OpenMetrics.
 */
export type Declared<M> = (registry?: Registry) => M;

/** Makes a thing once per registry; a WeakMap, so a test's throwaway Registry takes its metrics with it. */
function perRegistry<T>(make: (registry: Registry) => T): Declared<T> {
  const made = new WeakMap<Registry, T>();
  return (registry = register) => {
    let m = made.get(registry);
    if (m === undefined) {
      m = make(registry);
      made.set(registry, m);
    }
    return m;
  };
}

/** What prom-client's registry reads of a metric (and `name`, which its types do not show): one of its own classes, or a class written to that shape. */
interface Registrable {
  get(): unknown;
  reset(): void;
}

/**
 * Declares a metric built by `make` (then `init`, e.g. to start labelled series at 0). Registering
 * throws when the registry already holds another metric of that name: two declarations of one
 * name are a bug, and heard at once.
 */
export function declareMetric<M extends Registrable>(make: () => M, init?: (metric: M) => void): Declared<M> {
  return perRegistry((registry) => {
    const m = make();
    // The cast only widens: prom-client types registerMetric to its own classes but reads no more than Registrable.
    registry.registerMetric(m as unknown as Metric);
    init?.(m);
    return m;
  });
}

const DETACHED = { registers: [] };
type Options<C> = Omit<C, 'registers'>;

export function counter<L extends string = string>(options: Options<CounterConfiguration<L>>, init?: (c: Counter<L>) => void): Declared<Counter<L>> {
  return declareMetric(() => new Counter({ ...options, ...DETACHED }), init);
}

export function histogram<L extends string = string>(options: Options<HistogramConfiguration<L>>): Declared<Histogram<L>> {
  return declareMetric(() => new Histogram({ ...options, ...DETACHED }));
}

/** A gauge is a state, not an event of one incident: no exemplars. */
export function gauge<L extends string = string>(options: Omit<Options<GaugeConfiguration<L>>, 'enableExemplars'>): Declared<Gauge<L>> {
  return declareMetric(() => new Gauge({ ...options, ...DETACHED }));
}

/** Several declarations obtained together: `group(registry).name` is member `name` on that registry. */
export function metricGroup<T extends Record<string, Declared<unknown>>>(members: T): Declared<{ [K in keyof T]: ReturnType<T[K]> }> {
  return perRegistry((registry) => {
    const obtained = Object.fromEntries(Object.entries(members).map(([key, declared]) => [key, declared(registry)]));
    return obtained as { [K in keyof T]: ReturnType<T[K]> };
  });
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const WAIT_BUCKETS = [1, 5, 15, 60, 300, 900, 1800, 3600, 14_400, 43_200, 86_400];

export type Transport = 'temporal' | 'a2a';
export type ActivityOutcome = 'ok' | 'invalid_input' | 'error';

const exemplar = (traceId: string | undefined) => (traceId ? { trace_id: traceId } : {});

/**
 * The agents' and the coordinator's operational metrics, each obtained where it moves (so, for
 * example, only the remediation process exports `vigil_actions_total`).
 */
export const metrics = {
  activities: counter({
    name: 'vigil_agent_activities_total',
    help: 'Agent skill runs, by agent, skill, transport (temporal activity or A2A) and outcome (ok, invalid_input, error).',
    labelNames: ['agent', 'skill', 'transport', 'outcome'] as const,
    enableExemplars: true,
  }),
  activityDuration: histogram({
    name: 'vigil_agent_activity_duration_seconds',
    help: 'Time an agent skill took, by agent, skill and transport.',
    labelNames: ['agent', 'skill', 'transport'] as const,
    buckets: DURATION_BUCKETS,
    enableExemplars: true,
  }),
  verdicts: counter({
    name: 'vigil_verdicts_total',
    help: 'Review verdicts by outcome (auto_execute, auto_reject, escalate).',
    labelNames: ['outcome'] as const,
    enableExemplars: true,
  }),
  decisions: counter({
    name: 'vigil_analyst_decisions_total',
    help: 'Escalations settled, by outcome: approve or reject by an analyst, timeout (policy outcome applied), refused (an attempt policy did not authorize).',
    labelNames: ['outcome'] as const,
    enableExemplars: true,
  }),
  escalationWait: histogram({
    name: 'vigil_escalation_wait_seconds',
    help: 'Time from escalation to its settlement (analyst decision or deadline), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: WAIT_BUCKETS,
    enableExemplars: true,
  }),
  actions: counter({
    name: 'vigil_actions_total',
    help: 'Remediation actions by actionner and status (executed = applied, dry_run, refused = by pre-flight or a guard, failed, skipped).',
    labelNames: ['actionner', 'status'] as const,
    enableExemplars: true,
  }),
  actionReverts: counter({
    name: 'vigil_action_reverts_total',
    help: 'Writes undone by revert, by actionner, trigger (analyst = vigil revert, ttl = containment expired) and outcome (reverted, already_reverted, changed_since, irreversible, failed).',
    labelNames: ['actionner', 'trigger', 'outcome'] as const,
    enableExemplars: true,
  }),
  notifications: counter({
    name: 'vigil_notifications_total',
    help: 'Notifications by kind, channel and whether they were delivered.',
    labelNames: ['kind', 'channel', 'delivered'] as const,
    enableExemplars: true,
  }),
  notificationsUndelivered: counter({
    name: 'vigil_notifications_undelivered_total',
    help: 'Notices still undelivered when their retry budget ran out (recorded in the incident outcome; the incident closes anyway), by kind.',
    labelNames: ['kind'] as const,
    enableExemplars: true,
  }),
  analyses: counter({
    name: 'vigil_analyses_total',
    help: 'Analyses by analyser (llm, deterministic) and whether the deterministic one stood in for a failed LLM.',
    labelNames: ['analyser', 'fallback'] as const,
    enableExemplars: true,
  }),
  reanalyses: counter({
    name: 'vigil_incident_reanalyses_total',
    help: 'Incidents analysed and reviewed again because a joined alert escalated the chain (a new rule, technique or higher priority).',
    labelNames: [] as const,
    enableExemplars: true,
  }),
  llmRequests: counter({
    name: 'vigil_llm_requests_total',
    help: 'Chat-completion calls by model and outcome (ok, invalid_reply, refusal, timeout, http_error, network_error).',
    labelNames: ['model', 'outcome'] as const,
    enableExemplars: true,
  }),
  llmDuration: histogram({
    name: 'vigil_llm_request_duration_seconds',
    help: 'Chat-completion call latency by model.',
    labelNames: ['model'] as const,
    buckets: DURATION_BUCKETS,
    enableExemplars: true,
  }),
  llmTokens: counter({
    name: 'vigil_llm_tokens_total',
    help: 'Tokens the LLM endpoint reported, by model and kind (prompt, completion).',
    labelNames: ['model', 'kind'] as const,
    enableExemplars: true,
  }),
  llmFallbacks: counter({
    name: 'vigil_llm_fallbacks_total',
    help: 'Analyses where the deterministic analyser stood in for the LLM, by the last failure reason.',
    labelNames: ['reason'] as const,
    enableExemplars: true,
  }),
  llmDroppedProposals: counter({
    name: 'vigil_llm_dropped_proposals_total',
    help: "LLM-proposed actions removed before review, by reason (e.g. target_not_alert_asset: aimed at anything but the alert's own pod).",
    labelNames: ['reason'] as const,
    enableExemplars: true,
  }),
};

export interface LabelledInc {
  labels: Record<string, string>;
  traceId?: string;
  value?: number;
}

/** Increments an exemplar counter, attaching the trace id when there is one. */
export function count(metric: Counter<string>, { labels, traceId, value = 1 }: LabelledInc): void {
  metric.inc({ labels, value, exemplarLabels: exemplar(traceId) });
}

/** Observes an exemplar histogram, attaching the trace id when there is one. */
export function observe(metric: Histogram<string>, { labels, traceId, value }: LabelledInc & { value: number }): void {
  metric.observe({ labels, value, exemplarLabels: exemplar(traceId) });
}
