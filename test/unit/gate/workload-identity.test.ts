import { FalcoAlertSchema, workloadKey, workloadOf } from '../../../contracts';
import { GateCore, packEvents } from '../../../gate/core';
import { decodeGateModel, encodeGateModel } from '../../../gate/model/gate-model';
import { trainGateModel } from '../../../gate/model/train';
import { generateEvalStreams } from '../../../scripts/gen-eval-stream';
import { coreSettings, CRITICAL } from './helpers';

/**
 * Item 1 of issue 13: what passes depends on the workload and the model, not on pod names or on
 * how long the gate has been running.
 */
describe('decisions key on the workload, not the pod', () => {
  const streams = generateEvalStreams({ seed: 5, startMs: Date.parse('2026-11-30T08:00:00Z') });
  const model = decodeGateModel(encodeGateModel(trainGateModel(streams.train.map((a) => FalcoAlertSchema.parse(a)), { criticalNamespaces: CRITICAL })), 'eval model');
  const lines = streams.eval.map((l) => JSON.stringify(l.alert));
  const decide = (input: string[]) => {
    const core = new GateCore({ model, settings: coreSettings(undefined), maxEventBytes: 1 << 20, correlationWindowMs: 600_000 });
    const passed: number[] = [];
    for (let at = 0; at < input.length; at += 500) for (const a of core.process(packEvents(input.slice(at, at + 500).map((l) => Buffer.from(l)))).anomalies) passed.push(at + a.index);
    return passed;
  };

  it('lets the same alerts through on a fresh gate, every time', () => {
    const first = decide(lines);
    expect(first.length).toBeGreaterThan(0);
    expect(decide(lines)).toEqual(first);
  });

  it('lets the same alerts through after a rollout gave every pod a new name', () => {
    // Every generated suffix replaced, consistently, wherever the pod name appears.
    const renamed = new Map<string, string>();
    const fresh = (old: string) => {
      if (!renamed.has(old)) renamed.set(old, [...old].map((c, i) => 'bcdfghjklmnpqrstvwxz'[(c.charCodeAt(0) + i * 7 + renamed.size) % 20]).join(''));
      return renamed.get(old)!;
    };
    const rolled = lines.map((l) => l.replace(/([a-z][a-z0-9-]*?)-([bcdfghjklmnpqrstvwxz2456789]{9,10})-([bcdfghjklmnpqrstvwxz2456789]{5})\b/g, (_m, name: string, rs: string, pod: string) => `${name}-${fresh(rs)}-${fresh(pod)}`));
    expect(rolled).not.toEqual(lines);
    const podsBefore = new Set(lines.map((l) => (JSON.parse(l) as { output_fields: Record<string, unknown> }).output_fields['k8s.pod.name']).filter(Boolean));
    const podsAfter = new Set(rolled.map((l) => (JSON.parse(l) as { output_fields: Record<string, unknown> }).output_fields['k8s.pod.name']).filter(Boolean));
    // Deployment pods all renamed (StatefulSet ordinals and DaemonSet pods keep theirs here).
    const deploymentPods = [...podsAfter].filter((p) => /-[a-z0-9]{9,10}-[a-z0-9]{5}$/.test(String(p)));
    expect(deploymentPods.length).toBeGreaterThan(10);
    expect(deploymentPods.some((p) => podsBefore.has(p))).toBe(false);
    const workloads = (ls: string[]) => ls.map((l) => workloadKey(workloadOf(FalcoAlertSchema.parse(JSON.parse(l)))));
    expect(workloads(rolled)).toEqual(workloads(lines));
    expect(decide(rolled)).toEqual(decide(lines));
  });

  it('starts warm: the first ten minutes pass no more benign alerts than the rest', () => {
    const passed = new Set(decide(lines));
    const start = Date.parse(streams.eval[0]!.alert.time);
    const benign = streams.eval.map((l, i) => ({ i, benign: l.label.label === 'benign', early: Date.parse(l.alert.time) < start + 600_000 })).filter((x) => x.benign);
    const rate = (xs: typeof benign) => xs.filter((x) => passed.has(x.i)).length / Math.max(1, xs.length);
    expect(rate(benign.filter((x) => x.early))).toBeLessThanOrEqual(0.005);
    expect(rate(benign.filter((x) => !x.early))).toBeLessThanOrEqual(0.005);
  });
});
