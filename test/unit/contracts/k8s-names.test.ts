import { AnalyseInputSchema } from '../../../activities/analysis';
import { ReviewInputSchema } from '../../../activities/review';
import type { FalcoAlert } from '../../../contracts';
import { ActionTargetSchema, alertNameProblems, AnomalySchema, AssetSchema, dns1123LabelProblem, dns1123SubdomainProblem } from '../../../contracts';
import { anomalyOf, byRule, exampleAlert } from '../../helpers/fixtures';

const shell = () => exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Notice' && a.output_fields['k8s.ns.name'] === 'default'));
const withFields = (fields: Record<string, string>): FalcoAlert => ({ ...shell(), output_fields: { ...shell().output_fields, ...fields } });

/** Spellings that could slip past an exact-match check such as "kube-system always escalates". */
const DODGES = ['Kube-System', 'kube-system.', 'kube-system/../default', '../kube-system', 'kube\u0455ystem', ' kube-system', 'kube-system\n', 'a'.repeat(64)];

describe('Kubernetes names in the contracts', () => {
  it('accepts what Kubernetes accepts', () => {
    expect(dns1123LabelProblem('kube-system')).toBeNull();
    expect(dns1123SubdomainProblem('coredns-5d78c9869d-abcde')).toBeNull();
    expect(dns1123SubdomainProblem('worker-3.example.internal')).toBeNull();
    expect(ActionTargetSchema.safeParse({ namespace: 'default', pod: 'web-1', workload: 'web', node: 'n1.example' }).success).toBe(true);
  });

  it.each(DODGES)('refuses the namespace %j in an action target and in an asset', (ns) => {
    const target = ActionTargetSchema.safeParse({ namespace: ns, pod: 'p' });
    expect(target.success).toBe(false);
    expect(target.error?.issues[0]?.path).toEqual(['namespace']);
    expect(AssetSchema.safeParse({ kind: 'pod', namespace: ns, pod: 'p' }).success).toBe(false);
  });

  it('refuses a 300-character, mixed-case or path-like pod name', () => {
    for (const pod of ['p'.repeat(300), 'Web-1', 'web/../../etc', 'web%2f1']) expect(ActionTargetSchema.safeParse({ namespace: 'default', pod }).success).toBe(false);
  });

  it('names every bad object name an alert carries, field by field', () => {
    const alert = withFields({ 'k8s.ns.name': 'Kube-System', 'k8s.pod.name': 'x'.repeat(300) });
    expect(alertNameProblems(alert)).toEqual([
      expect.stringMatching(/^output_fields\.k8s\.ns\.name: "Kube-System" is not lowercase/),
      expect.stringMatching(/^output_fields\.k8s\.pod\.name: 300 characters, more than 253$/),
    ]);
    expect(alertNameProblems(shell())).toEqual([]);
    expect(alertNameProblems({ output_fields: { 'ka.target.resource': 'clusterroles', 'ka.target.name': 'system:controller:x' } })).toEqual([]);
    expect(alertNameProblems({ output_fields: { 'ka.target.resource': 'pods', 'ka.target.name': 'system:x' } })).toEqual([expect.stringContaining('a pod name')]);
    expect(alertNameProblems({ output_fields: { 'ka.target.name': '..' } })).toEqual([expect.stringContaining('path step')]);
    expect(alertNameProblems({ output_fields: {}, hostname: 'node/1' })).toEqual([expect.stringContaining('hostname')]);
  });

  it('makes an anomaly naming a bad object invalid input at every activity, with the reason, never a crash', () => {
    const bad: Array<Record<string, string>> = [{ 'k8s.pod.name': 'p'.repeat(300) }, { 'k8s.ns.name': 'Kube-System' }, { 'k8s.ns.name': 'kube-system/..' }];
    for (const fields of bad) {
      const anomaly = anomalyOf(withFields(fields));
      const direct = AnomalySchema.safeParse(anomaly);
      expect(direct.success).toBe(false);
      expect(direct.error?.issues[0]?.path).toEqual(['alert']);
      expect(AnalyseInputSchema.safeParse({ anomaly }).success).toBe(false);
      expect(ReviewInputSchema.safeParse({ anomaly, analysis: {}, asset: { kind: 'pod' } }).success).toBe(false);
    }
    expect(AnomalySchema.safeParse(anomalyOf(shell())).success).toBe(true);
  });
});
