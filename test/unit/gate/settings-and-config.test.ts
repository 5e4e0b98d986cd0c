import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gateConfigFromEnv } from '../../../gate/config';
import { dlqHeaders } from '../../../gate/sources/kafka-source';
import { GateSettingsHolder, readGateSettings, settingsFromData } from '../../../gate/policy-settings';
import { createLogger } from '../../../lib/logger';
import { ROOT } from '../../helpers/fixtures';

const log = createLogger('gate-test', 'silent');
const data = (threshold: unknown, namespaces: string[] = ['kube-system']) => ({ vigil: { config: { always_escalate_namespaces: namespaces, gate: { anomaly_threshold: threshold } } } });

describe('gate settings from the policy data', () => {
  it("reads the repository's policy data", () => {
    const s = readGateSettings(join(ROOT, 'policies'));
    // No override: the model's calibrated threshold applies.
    expect(s.anomalyThreshold).toBeUndefined();
    expect(s.priorityFloor).toBe('Critical');
    expect(s.criticalNamespaces).toContain('kube-system');
  });

  it("takes the threshold as an optional override of the model's, and refuses a bad one naming the path", () => {
    expect(settingsFromData(data(undefined), 'd.json')).toMatchObject({ anomalyThreshold: undefined, priorityFloor: 'Critical', suppressions: [] });
    expect(() => settingsFromData(data(1.5), 'd.json')).toThrow(/d\.json: .*anomaly_threshold/);
    expect(() => readGateSettings('/nonexistent')).toThrow(/npm run policy:build/);
  });

  it('picks up a changed threshold, and keeps the previous one when the new file is bad', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-gate-policy-'));
    writeFileSync(join(dir, 'data.json'), JSON.stringify(data(0.6)));
    const changes: number[] = [];
    const holder = GateSettingsHolder.load(dir, log, (s) => changes.push(s.anomalyThreshold ?? NaN));
    expect(holder.current().anomalyThreshold).toBe(0.6);
    writeFileSync(join(dir, 'data.json'), JSON.stringify(data(0.7, ['kube-system', 'payments'])));
    expect(holder.reload()).toBe(true);
    expect(holder.current()).toMatchObject({ anomalyThreshold: 0.7, criticalNamespaces: ['kube-system', 'payments'] });
    writeFileSync(join(dir, 'data.json'), '{"vigil": ');
    expect(holder.reload()).toBe(false);
    expect(holder.current().anomalyThreshold).toBe(0.7);
    expect(holder.reload()).toBe(false);
    expect(changes).toEqual([0.7]);
  });
});

describe('gate configuration', () => {
  it('defaults to Kafka with falcosidekick topic names, and needs brokers', () => {
    const c = gateConfigFromEnv({ KAFKA_BROKERS: 'a:9092, b:9092' });
    expect(c).toMatchObject({ source: 'kafka', brokers: ['a:9092', 'b:9092'], topic: 'falco.events', deadLetterTopic: 'falco.events.dlq', groupId: 'vigil-gate', fromBeginning: true });
    expect(() => gateConfigFromEnv({})).toThrow(/KAFKA_BROKERS/);
  });

  it('takes a file source from VIGIL_GATE_INPUT, and flags overrides', () => {
    expect(gateConfigFromEnv({ VIGIL_GATE_INPUT: 'a.jsonl' })).toMatchObject({ source: 'file', input: 'a.jsonl' });
    expect(gateConfigFromEnv({ KAFKA_BROKERS: 'k:1' }, { source: 'file', input: '-' })).toMatchObject({ source: 'file', input: '-' });
  });

  it('says which variable is wrong', () => {
    expect(() => gateConfigFromEnv({ KAFKA_BROKERS: 'k:1', VIGIL_GATE_SCORING_THREAD: 'maybe' })).toThrow(/scoringThread/);
    expect(() => gateConfigFromEnv({ KAFKA_BROKERS: 'k:1', VIGIL_OPS_PORT: '99999' })).toThrow(/opsPort/);
    expect(() => gateConfigFromEnv({ KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_USERNAME/);
  });
});

describe('Kafka dead-letter headers', () => {
  it('carry the reason, kind, time and where the message came from, plus its own headers', () => {
    const headers = dlqHeaders({
      event: { value: Buffer.from('x'), origin: { kind: 'kafka', topic: 'falco.events', partition: 2, offset: '41', key: null, headers: { 'x-origin': 'sidekick', 'vigil-dlq-reason': 'forged' } } },
      kind: 'not_json',
      reason: 'not JSON: Unexpected token',
      at: '2026-11-20T00:00:00.000Z',
    });
    expect(headers).toEqual({
      'x-origin': 'sidekick',
      'vigil-dlq-reason': 'not JSON: Unexpected token',
      'vigil-dlq-kind': 'not_json',
      'vigil-dlq-time': '2026-11-20T00:00:00.000Z',
      'vigil-dlq-source-topic': 'falco.events',
      'vigil-dlq-source-partition': '2',
      'vigil-dlq-source-offset': '41',
    });
  });
});
