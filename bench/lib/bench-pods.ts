import type { FalcoAlert } from '../../contracts';
import { workloadKey, workloadOf } from '../../contracts';

/**
 * The pod of the bench's `seq`th alert. The gate keys incidents on the workload, read from the pod
 * name's shape: `<x>-<n>` is a StatefulSet's pod and `<x>-<5 generated>` a DaemonSet's, so
 * `bench-<tag>-<seq>` made every alert one StatefulSet and one incident (the others joined it, and
 * the bench waited for incidents that never started). A name ending in a word is a bare Pod: its
 * own workload, its own incident.
 */
export function benchPod(tag: string, seq: number): string {
  return `bench-${tag}-${seq}-pod`;
}

/** Fails at start, not as a hang, should the workload rules ever read two bench pods as one workload. */
export function assertDistinctWorkloads(template: FalcoAlert, tag: string): void {
  for (const seq of [1, 12, 1234, 12345, 123456]) {
    const pod = benchPod(tag, seq);
    const w = workloadOf({ ...template, output_fields: { ...template.output_fields, 'k8s.pod.name': pod } });
    if (w.kind !== 'Pod' || w.name !== pod) throw new Error(`bench pod ${pod} reads as workload ${workloadKey(w)}, not a Pod of its own: its alerts would join one incident`);
  }
}
