import { Registry } from 'prom-client';
import type { Anomaly } from '../../../contracts';
import { InlineEngine } from '../../../gate/engine/inline-engine';
import type { IncidentOpener } from '../../../gate/gate';
import { Gate } from '../../../gate/gate';
import { gateMetrics } from '../../../gate/metrics';
import type { BatchContext, EventSource, RawEvent } from '../../../gate/sources/source';
import type { JoinResult } from '../../../lib/incidents';
import { incidentIdFor } from '../../../lib/identity';
import { createLogger } from '../../../lib/logger';
import { CRITICAL, demoModel, jsonl, REPLAY, coreSettings } from './helpers';

const log = createLogger('gate-test', 'silent');
const engine = () =>
  new InlineEngine(
    { modelPath: '(in memory)', settings: coreSettings(0.6, CRITICAL), maxEventBytes: 1 << 20, correlationWindowMs: 600_000 },
    demoModel(),
  );
const events = (lines: string[]): RawEvent[] => lines.map((l, i) => ({ value: Buffer.from(l), origin: { kind: 'file', path: 'replay', line: i + 1 } }));
const running: BatchContext = { heartbeat: async () => undefined, isRunning: () => true };
const unusedSource: EventSource = { name: 'test', run: async () => undefined, stop: async () => undefined };

/** Temporal stand-in: remembers keys like signal-with-start + REJECT_DUPLICATE would. */
class FakeTemporal implements IncidentOpener {
  readonly seen = new Map<string, Set<string>>();
  failuresLeft = 0;
  async open(a: Anomaly): Promise<JoinResult> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('Temporal unavailable');
    }
    const id = incidentIdFor(a);
    const alerts = this.seen.get(id);
    if (alerts) {
      alerts.add(a.fingerprint ?? a.traceId);
      return { incidentId: id, outcome: 'joined' };
    }
    this.seen.set(id, new Set([a.fingerprint ?? a.traceId]));
    return { incidentId: id, outcome: 'started' };
  }
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values as Array<{ value: number; labels: Record<string, unknown> }> | undefined)?.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('Gate', () => {
  const replay = jsonl(REPLAY);

  it('hands each anomaly to Temporal, returns dead letters, and counts everything', async () => {
    const registry = new Registry();
    const temporal = new FakeTemporal();
    const gate = new Gate({ source: unusedSource, engine: engine(), opener: temporal, metrics: gateMetrics(registry), log });
    const { deadLetters } = await gate.handle(events(replay), running);

    expect(deadLetters.map((d) => [d.event.origin, d.kind])).toEqual([
      [{ kind: 'file', path: 'replay', line: replay.length - 1 }, 'not_json'],
      [{ kind: 'file', path: 'replay', line: replay.length }, 'invalid_alert'],
    ]);
    const s = gate.stats;
    expect(s.consumed).toBe(replay.length);
    expect(s.deadLettered).toBe(2);
    expect(s.scored).toBe(replay.length - 2);
    expect(s.anomalies).toBeGreaterThan(0);
    expect(s.started + s.joined + s.joinedClosed).toBe(s.anomalies);
    expect(s.started).toBe(temporal.seen.size);
    expect(s.filtered).toBe(s.scored - s.anomalies);

    expect(await metricValue(registry, 'vigil_gate_events_consumed_total', { source: 'test' })).toBe(replay.length);
    expect(await metricValue(registry, 'vigil_gate_events_validated_total')).toBe(s.scored);
    expect(await metricValue(registry, 'vigil_gate_events_dead_lettered_total', { kind: 'not_json' })).toBe(1);
    expect(await metricValue(registry, 'vigil_gate_events_dead_lettered_total', { kind: 'invalid_alert' })).toBe(1);
    expect(await metricValue(registry, 'vigil_gate_anomalies_total')).toBe(s.anomalies);
    expect(await metricValue(registry, 'vigil_gate_incidents_total', { outcome: 'started' })).toBe(s.started);
    expect(await metricValue(registry, 'vigil_gate_llm_calls_avoided_total')).toBe(s.filtered);
    const text = await registry.metrics();
    expect(text).toContain(`vigil_gate_anomaly_score_count ${s.scored}`);
    expect(text).toMatch(/vigil_gate_anomaly_score_bucket\{le="\+Inf"\} \d+/);
  });

  it('replaying the same batch (redelivery) opens no new incident', async () => {
    const temporal = new FakeTemporal();
    const gate = new Gate({ source: unusedSource, engine: engine(), opener: temporal, log });
    await gate.handle(events(replay), running);
    const first = { incidents: temporal.seen.size, started: gate.stats.started };
    const redelivery = new Gate({ source: unusedSource, engine: engine(), opener: temporal, log });
    await redelivery.handle(events(replay), running);
    expect(temporal.seen.size).toBe(first.incidents);
    expect(redelivery.stats.started).toBe(0);
    expect(redelivery.stats.joined).toBe(redelivery.stats.anomalies);
  });

  it('holds the batch while Temporal is down and retries until it answers', async () => {
    const temporal = new FakeTemporal();
    temporal.failuresLeft = 2;
    const beats: number[] = [];
    const gate = new Gate({ source: unusedSource, engine: engine(), opener: temporal, log, retry: { initialMs: 5, maxMs: 10 }, openConcurrency: 1 });
    await gate.handle(events(replay), { heartbeat: async () => void beats.push(1), isRunning: () => true });
    expect(gate.stats.started).toBe(temporal.seen.size);
    expect(gate.stats.started + gate.stats.joined).toBe(gate.stats.anomalies);
    expect(beats.length).toBeGreaterThan(0);
  });

  it('gives the batch up (uncommitted) when stopping while Temporal is down', async () => {
    const temporal = new FakeTemporal();
    temporal.failuresLeft = 1_000;
    let live = true;
    const gate = new Gate({ source: unusedSource, engine: engine(), opener: temporal, log, retry: { initialMs: 5, maxMs: 5 } });
    const handled = gate.handle(events(replay), { heartbeat: async () => undefined, isRunning: () => live });
    setTimeout(() => (live = false), 30);
    await expect(handled).rejects.toThrow(/not yet in Temporal/);
  });
});
