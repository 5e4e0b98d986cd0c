import { Registry } from 'prom-client';
import type { Counter } from 'prom-client';
import { count, counter, declareMetric, gauge, histogram, incidentCounter, incidentHistogram, metricGroup, observe } from '../../../lib/metrics';
import { openMetricsText } from '../../../lib/metrics-openmetrics';

// Each test names its metrics apart: declarations are module-level, and the global registry is shared by the file.
describe('declared metrics', () => {
  it('creates a metric on a registry the first time it is obtained there, and returns that one after', async () => {
    const requests = counter({ name: 'test_obtained_total', help: 'h', labelNames: ['kind'] as const });
    const a = new Registry();
    const b = new Registry();
    expect(a.getSingleMetric('test_obtained_total')).toBeUndefined();
    requests(a).inc({ kind: 'x' });
    requests(a).inc({ kind: 'x' });
    expect(requests(a)).toBe(requests(a));
    expect((await a.getSingleMetric('test_obtained_total')?.get())?.values).toEqual([{ value: 2, labels: { kind: 'x' } }]);
    // Another registry holds its own metric: a test's fresh Registry never sees another's counts.
    expect(b.getSingleMetric('test_obtained_total')).toBeUndefined();
    expect(requests(b)).not.toBe(requests(a));
    expect((await b.getSingleMetric('test_obtained_total')?.get())?.values).toEqual([]);
  });

  it("uses prom-client's global registry by default", async () => {
    const { register } = await import('prom-client');
    const g = gauge({ name: 'test_default_registry', help: 'h' });
    g().set(3);
    expect((await register.getSingleMetric('test_default_registry')?.get())?.values[0]?.value).toBe(3);
  });

  it('refuses a second declaration of a name on the same registry, loudly', () => {
    const registry = new Registry();
    counter({ name: 'test_twice_total', help: 'h' })(registry);
    const again = counter({ name: 'test_twice_total', help: 'other' });
    expect(() => again(registry)).toThrow('A metric with the name test_twice_total has already been registered');
  });

  it('takes exemplar metrics on a Prometheus-format registry (built detached, registered after)', async () => {
    const registry = new Registry();
    const events = counter({ name: 'test_exemplar_total', help: 'h', labelNames: ['outcome'] as const, enableExemplars: true });
    const took = histogram({ name: 'test_exemplar_seconds', help: 'h', labelNames: ['outcome'] as const, buckets: [1], enableExemplars: true });
    count(events(registry), { labels: { outcome: 'ok' }, traceId: 'a'.repeat(32) });
    observe(took(registry), { labels: { outcome: 'ok' }, value: 0.5, traceId: 'a'.repeat(32) });
    const text = await registry.metrics();
    expect(text).toContain('test_exemplar_total{outcome="ok"} 1');
    expect(text).toContain('test_exemplar_seconds_count{outcome="ok"} 1');
  });

  it('an incident family carries the trace id as exemplar, printed in OpenMetrics', async () => {
    const registry = new Registry();
    const trace = 'b'.repeat(32);
    count(incidentCounter('test_incident_total', 'h', ['outcome'])(registry), { labels: { outcome: 'ok' }, traceId: trace });
    observe(incidentHistogram('test_incident_seconds', 'h', ['outcome'], [1])(registry), { labels: { outcome: 'ok' }, value: 0.5, traceId: trace });
    const text = await openMetricsText(registry);
    expect(text).toContain(`test_incident_total{outcome="ok"} 1 # {trace_id="${trace}"} 1`);
    expect(text).toContain(`test_incident_seconds_bucket{le="1",outcome="ok"} 1 # {trace_id="${trace}"} 0.5`);
  });

  it('runs init once, when the metric is created', async () => {
    const registry = new Registry();
    const init = jest.fn((c: Counter<'d'>) => c.inc({ d: 'a' }, 0));
    const started = counter({ name: 'test_init_total', help: 'h', labelNames: ['d'] as const }, init);
    started(registry);
    started(registry);
    expect(init).toHaveBeenCalledTimes(1);
    expect((await registry.getSingleMetric('test_init_total')?.get())?.values).toEqual([{ value: 0, labels: { d: 'a' } }]);
  });

  it('obtains a group at once, the same object per registry, its own shapes included', async () => {
    const custom = { name: 'test_custom', get: () => ({ name: 'test_custom', help: 'h', type: 'gauge', values: [{ value: 7, labels: {} }], aggregator: 'sum' }), reset: () => undefined };
    const group = metricGroup({ a: counter({ name: 'test_group_a_total', help: 'h' }), b: declareMetric(() => custom) });
    const registry = new Registry();
    const m = group(registry);
    expect(group(registry)).toBe(m);
    expect(m.b).toBe(custom);
    expect(registry.getSingleMetric('test_group_a_total')).toBe(m.a);
    expect(await registry.metrics()).toContain('test_custom 7');
  });
});
