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
 * Counters and histograms that follow one incident (`incidentCounter`, `incidentHistogram`) carry a
 * `trace_id` exemplar. prom-client only prints exemplars in OpenMetrics, and refuses exemplar
 * metrics on a Prometheus-format registry at construction; every metric is therefore built detached and registered afterwards: the Prometheus
 * text omits the exemplars, and lib/metrics-openmetrics.ts prints them when a scraper asks for OpenMetrics.
 *
 * This module holds only that machinery. Each family is declared next to the code that moves it:
 * the agent runtime's in lib/agent-core.ts, an agent's in activities/<agent>/metrics.ts, the
 * coordinator's in workers/coordinator/metrics.ts, the compliance figures in lib/metrics-compliance.ts,
 * the gate's and the approvals service's in their own folders.
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

/**
 * A family that follows one incident: built with exemplars, so each `count`/`observe` (below) can
 * carry the incident's trace id. Every agent's and the coordinator's operational family is one.
 */
export function incidentCounter<L extends string>(name: string, help: string, labelNames: readonly L[]): Declared<Counter<L>> {
  return counter({ name, help, labelNames, enableExemplars: true });
}

export function incidentHistogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Declared<Histogram<L>> {
  return histogram({ name, help, labelNames, buckets, enableExemplars: true });
}

/** Several declarations obtained together: `group(registry).name` is member `name` on that registry. */
export function metricGroup<T extends Record<string, Declared<unknown>>>(members: T): Declared<{ [K in keyof T]: ReturnType<T[K]> }> {
  return perRegistry((registry) => {
    const obtained = Object.fromEntries(Object.entries(members).map(([key, declared]) => [key, declared(registry)]));
    return obtained as { [K in keyof T]: ReturnType<T[K]> };
  });
}

/** Latency buckets from 5 ms to 2 min, shared by the agent runtime's skill timings and the LLM calls. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

const exemplar = (traceId: string | undefined) => (traceId ? { trace_id: traceId } : {});

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
