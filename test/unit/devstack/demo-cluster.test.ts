import { readFileSync } from 'node:fs';
import { alertPods, declaredRemediationRules, demoWorkloads } from '../../../lib/devstack/demo-cluster';
import { fullContainerId, runtimeContainerId, shortContainerId } from '../../../lib/devstack/kube-seed';
import { fromRoot } from '../../../lib/paths';

const alert = (fields: Record<string, unknown>, hostname: unknown = 'pool-a-node-1') => JSON.stringify({ hostname, output_fields: fields, rule: 'r' });
const pod = (ns: string, name: string, id: string, image = 'registry.example/app') => ({
  'k8s.ns.name': ns,
  'k8s.pod.name': name,
  'container.id': id,
  'container.image.repository': image,
});

describe('container ids as Falco and the kubelet write them', () => {
  it('extends a 12-hex Falco id to a stable 64-hex runtime id that starts with it', () => {
    const full = fullContainerId('4db82a6771ab');
    expect(full).toMatch(/^4db82a6771ab[0-9a-f]{52}$/);
    expect(fullContainerId('4db82a6771ab')).toBe(full);
    expect(fullContainerId(full)).toBe(full);
    expect(runtimeContainerId('4db82a6771ab')).toBe(`containerd://${full}`);
    expect(shortContainerId(`containerd://${full}`)).toBe('4db82a6771ab');
  });

  it.each(['host', '', '4DB82A6771AB', '4db82a6771a', 'zzzzzzzzzzzz', `${'a'.repeat(63)}`])('refuses %j as a container id', (id) => {
    expect(() => fullContainerId(id)).toThrow(/not a container id/);
  });

  it.each(['4db82a6771ab', 'containerd://4db82a6771ab', `docker:/${'a'.repeat(64)}`])('refuses %j as a status containerID', (id) => {
    expect(() => shortContainerId(id)).toThrow(/not a runtime container id/);
  });
});

describe('demo workloads from the sample alerts', () => {
  it('groups pods named <deployment>-<hash>-<suffix> into Deployments with the alerts\' node and container id', () => {
    const lines = [
      alert(pod('shop', 'web-f4b40854d8-87eeb', 'e75e9bd37c3d'), 'pool-a-node-5'),
      alert(pod('shop', 'web-f4b40854d8-aaaaa', '111111111111'), 'pool-a-node-2'),
      alert(pod('shop', 'web-f4b40854d8-87eeb', 'e75e9bd37c3d'), 'pool-a-node-5'),
      alert(pod('kube-system', 'cilium-5a4fb', '680badcd9d07'), 'pool-a-node-3'),
    ].join('\n');
    const w = demoWorkloads(lines);
    expect(w.deployments).toEqual([
      {
        namespace: 'shop',
        name: 'web',
        podTemplateHash: 'f4b40854d8',
        containers: [{ name: 'web', image: 'registry.example/app:latest' }],
        pods: [
          { name: 'web-f4b40854d8-87eeb', nodeName: 'pool-a-node-5', containerIds: { web: 'e75e9bd37c3d' } },
          { name: 'web-f4b40854d8-aaaaa', nodeName: 'pool-a-node-2', containerIds: { web: '111111111111' } },
        ],
      },
    ]);
    expect(w.barePods.map((p) => `${p.namespace}/${p.pod}@${p.node}:${p.containerId}`)).toEqual(['kube-system/cilium-5a4fb@pool-a-node-3:680badcd9d07']);
    expect(w.skipped).toEqual([]);
  });

  it('puts a pod whose alerts name no host on a node of its own', () => {
    expect(alertPods(alert(pod('a', 'x-1234567890-abcde', '222222222222'), 42)).pods[0]?.node).toBe('vigil-demo-node');
  });

  it('ignores lines that are not alerts and skips pods whose facts are missing or contradict each other', () => {
    const lines = [
      'not json',
      '{"output_fields": "nope"}',
      alert({ 'k8s.ns.name': 'a' }),
      alert(pod('a', 'x-1234567890-abcde', 'host')),
      alert(pod('a', 'y-1234567890-abcde', '222222222222'), 'n1'),
      alert(pod('a', 'y-1234567890-abcde', '222222222222'), 'n2'),
      alert(pod('a', 'z-1234567890-abcde', '333333333333'), 'n1'),
      alert(pod('a', 'z-1234567890-abcde', '444444444444'), 'n1'),
    ].join('\n');
    const r = alertPods(lines);
    expect(r.pods).toEqual([]);
    expect(r.skipped).toEqual(['a/x-1234567890-abcde', 'a/y-1234567890-abcde', 'a/z-1234567890-abcde']);
  });

  it('finds every pod the shipped replay names', () => {
    const w = demoWorkloads(readFileSync(fromRoot('examples', 'gate-replay.jsonl'), 'utf8'));
    const seeded = new Set([...w.deployments.flatMap((d) => d.pods.map((p) => `${d.namespace}/${p.name}`)), ...w.barePods.map((p) => `${p.namespace}/${p.pod}`)]);
    expect(seeded.has('payments/payments-api-bca222db3d-e1371')).toBe(true);
    expect(w.deployments.length).toBeGreaterThan(10);
    expect(w.skipped).toEqual([]);
  });

  it('grants the demo\'s remediation identity what the chart file declares', () => {
    const rules = declaredRemediationRules();
    expect(rules.some((r) => r.resources.includes('pods') && r.verbs.includes('patch'))).toBe(true);
    expect(rules.some((r) => r.resources.includes('secrets'))).toBe(false);
  });
});
