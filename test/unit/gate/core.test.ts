import { GateCore, packEvents } from '../../../gate/core';
import { SCORE_BUCKETS } from '../../../gate/metrics';
import { workloadKey, workloadOf } from '../../../contracts';
import { alertFingerprint, traceIdFor } from '../../../lib/identity';
import { CRITICAL, demoModel, jsonl, REPLAY, coreSettings } from './helpers';

const replay = jsonl(REPLAY);
const bytes = (lines: string[]) => packEvents(lines.map((l) => Buffer.from(l)));
const core = (anomalyThreshold = 0.6) =>
  new GateCore({ model: demoModel(), settings: coreSettings(anomalyThreshold, CRITICAL), maxEventBytes: 1 << 20, correlationWindowMs: 600_000 });

describe('GateCore', () => {
  it('packs events into one buffer and back', () => {
    const p = packEvents([Buffer.from('ab'), null, Buffer.from('c')]);
    expect(Buffer.from(p.bytes).toString()).toBe('abc');
    expect(Array.from(p.ends)).toEqual([2, 2, 3]);
  });

  it('dead-letters invalid events by index, scores the rest, and lets only anomalies through', () => {
    const result = core().process(bytes(replay), '2026-11-20T12:00:00.000Z');
    expect(result.count).toBe(replay.length);
    // The replay ends with two malformed lines.
    expect(result.deadLetters).toEqual([
      { index: replay.length - 2, kind: 'not_json', reason: expect.stringContaining('not JSON') },
      { index: replay.length - 1, kind: 'invalid_alert', reason: expect.stringContaining('rule') },
    ]);
    expect(result.scored).toBe(replay.length - 2);
    expect(result.scoreBuckets.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(result.scored);
    expect(result.scoreBuckets).toHaveLength(SCORE_BUCKETS.length);
    // Most of the replay is background: the gate's whole point is that few events get through.
    expect(result.anomalies.length).toBeGreaterThan(0);
    expect(result.anomalies.length).toBeLessThan(result.scored * 0.1);
    for (const { index, anomaly } of result.anomalies) {
      expect(anomaly.score).toBeGreaterThanOrEqual(0.6);
      expect(anomaly.receivedAt).toBe('2026-11-20T12:00:00.000Z');
      expect(anomaly.fingerprint).toBe(alertFingerprint(anomaly.alert));
      expect(anomaly.traceId).toBe(traceIdFor(anomaly.alert));
      expect(anomaly.correlationKey).toMatch(new RegExp(`^${workloadKey(workloadOf(anomaly.alert)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@`));
      expect(anomaly.workload).toEqual(workloadOf(anomaly.alert));
      expect(JSON.parse(replay[index]!)).toMatchObject({ rule: anomaly.alert.rule, time: anomaly.alert.time });
    }
  });

  it('tells each incident how long to keep watching its workload once settled: the watch given, bounded by the window maximum', () => {
    const watched = new GateCore({ model: demoModel(), settings: coreSettings(0.6, CRITICAL), maxEventBytes: 1 << 20, correlationWindowMs: 600_000, correlationMaxMs: 7_200_000, incidentWatchMs: 300_000 });
    const anomalies = watched.process(bytes(replay)).anomalies;
    expect(anomalies.length).toBeGreaterThan(0);
    for (const { anomaly } of anomalies) expect(anomaly.watch).toEqual({ idleMs: 300_000, maxMs: 7_200_000 });
    // Without one, incidents close as soon as they settle (tests and benches that count completions).
    for (const { anomaly } of core().process(bytes(replay)).anomalies) expect(anomaly.watch).toBeUndefined();
  });

  it('catches the attack patterns woven into the replay', () => {
    const rules = new Set(core().process(bytes(replay)).anomalies.map((a) => a.anomaly.alert.rule));
    for (const rule of ['Drop and execute new binary in container', 'Fileless execution via memfd_create', 'Write below binary dir', 'Read sensitive file untrusted']) {
      expect(rules).toContain(rule);
    }
  });

  it('applies a new threshold from the policy at once', () => {
    const c = core();
    expect(c.process(bytes(replay)).anomalies.length).toBeGreaterThan(0);
    c.setSettings(coreSettings(1, CRITICAL));
    // Nothing passes on its score any more; what passes is at or above the priority floor, or a
    // rule the model never saw a well-known workload raise.
    const floorOnly = c.process(bytes(replay));
    expect(floorOnly.floorPassed).toBeGreaterThan(0);
    expect(floorOnly.anomalies.length).toBe(floorOnly.floorPassed + floorOnly.firstPassed);
    const critical = floorOnly.anomalies.filter((a) => ['Critical', 'Alert', 'Emergency'].includes(a.anomaly.alert.priority));
    expect(critical.length).toBeGreaterThanOrEqual(floorOnly.floorPassed);
    c.setSettings(coreSettings(1, CRITICAL, { priorityFloor: 'Emergency' }));
    const emergency = c.process(bytes(replay));
    expect(emergency.anomalies.length).toBe(emergency.floorPassed + emergency.firstPassed);
    expect(emergency.anomalies.filter((a) => a.anomaly.alert.priority === 'Emergency').length).toBe(emergency.floorPassed);
    c.setSettings(coreSettings(0, CRITICAL));
    expect(c.process(bytes(replay)).anomalies).toHaveLength(replay.length - 2);
  });

  it('keeps per-workload windows bounded however many workloads alert', () => {
    const c = new GateCore({
      model: demoModel(),
      settings: coreSettings(1, []),
      maxEventBytes: 1 << 20,
      correlationWindowMs: 600_000,
      extractor: { windows: { maxSubjects: 50 } },
    });
    const base = JSON.parse(replay.find((l) => l.includes('"k8s.pod.name"'))!) as { output_fields: Record<string, unknown> };
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ ...base, output_fields: { ...base.output_fields, 'k8s.pod.name': `pod${i}x` } }));
    expect(c.process(bytes(lines)).windowSubjects).toBe(50);
  });

  it('dead-letters an event over the size limit without parsing it', () => {
    const c = new GateCore({ model: demoModel(), settings: coreSettings(0.6, []), maxEventBytes: 1024, correlationWindowMs: 600_000 });
    const r = c.process(bytes([`{"output":"${'x'.repeat(2000)}"}`]));
    expect(r.deadLetters).toEqual([{ index: 0, kind: 'too_large', reason: expect.stringContaining('limit is 1024') }]);
  });
});
