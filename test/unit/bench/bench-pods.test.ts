import { workloadKey, workloadOf } from '../../../contracts';
import { assertDistinctWorkloads, benchPod } from '../../../bench/lib/bench-pods';
import { byRule, exampleAlert } from '../../helpers/fixtures';

const shell = exampleAlert(byRule('Terminal shell in container', (a) => a.output_fields['k8s.ns.name'] === 'default'));
const onPod = (pod: string) => ({ ...shell, output_fields: { ...shell.output_fields, 'k8s.pod.name': pod } });

describe('bench pods', () => {
  it('are each a workload of their own, so every bench alert opens its own incident', () => {
    const keys = new Set(Array.from({ length: 2000 }, (_, i) => workloadKey(workloadOf(onPod(benchPod('78bf9f24', i + 1))))));
    expect(keys.size).toBe(2000);
    expect(() => assertDistinctWorkloads(shell, '78bf9f24')).not.toThrow();
  });

  it('the old `bench-<tag>-<seq>` names were one StatefulSet: the stall this guards against', () => {
    expect(workloadOf(onPod('bench-78bf9f24-1'))).toEqual(workloadOf(onPod('bench-78bf9f24-2')));
    expect(workloadOf(onPod('bench-78bf9f24-1')).kind).toBe('StatefulSet');
  });

  it('the start-up check refuses a template whose labels would make every pod one workload', () => {
    const labelled = { ...shell, output_fields: { ...shell.output_fields, 'k8s.deployment.name': 'bench' } };
    expect(() => assertDistinctWorkloads(labelled, '78bf9f24')).toThrow(/reads as workload default\/Deployment\/bench/);
  });
});
