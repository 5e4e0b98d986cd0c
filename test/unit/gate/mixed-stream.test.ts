import { GateCore, packEvents } from '../../../gate/core';
import { CRITICAL, demoModel, mixedStream, coreSettings } from './helpers';

// The integration test kills the gate mid-stream and restarts it with empty windows; its
// assertions hold only if which alerts are anomalous does not depend on that state. This checks
// the stream it uses: the same classification whether scored in one pass or each alert alone.
describe.each([
  { benign: 300, groups: 12, seed: 4 },
  { benign: 120, groups: 0, seed: 11 },
])('the mixed stream used by the Kafka tests (%o)', (opts) => {
  const stream = mixedStream(opts);
  const gate = () => new GateCore({ model: demoModel(), settings: coreSettings(0.6, CRITICAL), maxEventBytes: 1 << 20, correlationWindowMs: 600_000 });

  it('is anomalous exactly where it says, in one pass and event by event', () => {
    const values = stream.messages.map((m) => m.value);
    const onePass = new Set(gate().process(packEvents(values)).anomalies.map((a) => a.index));
    const alone = new Set(values.flatMap((v, i) => (gate().process(packEvents([v])).anomalies.length ? [i] : [])));
    const expected = new Set(stream.messages.flatMap((m, i) => (m.kind === 'anomalous' ? [i] : [])));
    expect(onePass).toEqual(expected);
    expect(alone).toEqual(expected);
  });

  it.each([2, 3])('is anomalous in the same places when %i partitions are read one after the other', (partitions) => {
    const order = Array.from({ length: partitions }, (_, p) => stream.messages.flatMap((m, i) => (i % partitions === p ? [i] : []))).flat();
    const result = gate().process(packEvents(order.map((i) => stream.messages[i]!.value)));
    const flagged = new Set(result.anomalies.map((a) => order[a.index]!));
    expect(flagged).toEqual(new Set(stream.messages.flatMap((m, i) => (m.kind === 'anomalous' ? [i] : []))));
  });

  it('has margins either side of the threshold', () => {
    const scores = gate().process(packEvents(stream.messages.map((m) => m.value)));
    const all = new GateCore({ model: demoModel(), settings: coreSettings(0, CRITICAL), maxEventBytes: 1 << 20, correlationWindowMs: 600_000 });
    const scored = all.process(packEvents(stream.messages.map((m) => m.value))).anomalies;
    const anomalous = scored.filter((a) => stream.messages[a.index]!.kind === 'anomalous').map((a) => a.anomaly.score);
    const benign = scored.filter((a) => stream.messages[a.index]!.kind === 'benign').map((a) => a.anomaly.score);
    expect(Math.min(1, ...anomalous)).toBeGreaterThan(0.65);
    expect(Math.max(...benign)).toBeLessThan(0.6);
    expect(scores.deadLetters).toHaveLength(stream.messages.filter((m) => m.kind === 'malformed').length);
  });

  it('holds distinct alerts only (each anomalous message is its own alert)', () => {
    const anomalous = stream.messages.filter((m) => m.kind === 'anomalous').map((m) => m.value!.toString());
    expect(new Set(anomalous).size).toBe(anomalous.length);
    expect(anomalous).toHaveLength(Array.from({ length: opts.groups }, (_, g) => (g % 4) + 1).reduce((a, b) => a + b, 0));
  });
});
