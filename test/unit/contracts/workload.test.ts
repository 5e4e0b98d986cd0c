import type { FalcoAlert } from '../../../contracts';
import { workloadKey, workloadOf } from '../../../contracts';
import { exampleAlerts } from '../../helpers/fixtures';

const base: FalcoAlert = { output: 'x', priority: 'Notice', rule: 'Terminal shell in container', time: '2026-12-01T10:00:00Z', output_fields: {} };
const pod = (name: string, extra: FalcoAlert['output_fields'] = {}, ns = 'shop') =>
  workloadOf({ ...base, output_fields: { 'k8s.ns.name': ns, 'k8s.pod.name': name, 'container.id': 'abc123', ...extra } });

describe('workloadOf: the owner behind a pod name', () => {
  it('strips a Deployment pod’s ReplicaSet and pod hashes, so a rollout names the same workload', () => {
    expect(pod('checkout-7d9f8b6c5d-x2x4z')).toEqual({ namespace: 'shop', kind: 'Deployment', name: 'checkout' });
    expect(pod('checkout-5c4b7fd89-q8wpl')).toEqual(pod('checkout-7d9f8b6c5d-x2x4z'));
    expect(pod('argocd-application-controller-6f8b9c7d44-2lz9k', {}, 'argocd').name).toBe('argocd-application-controller');
    expect(pod('nginx-676b6c5bbc-4xc6t', {}, 'hello-app')).toEqual({ namespace: 'hello-app', kind: 'Deployment', name: 'nginx' });
  });

  it('reads a StatefulSet ordinal, a CronJob’s scheduled minute and a DaemonSet/Job suffix', () => {
    expect(pod('prometheus-k8s-0', {}, 'monitoring')).toEqual({ namespace: 'monitoring', kind: 'StatefulSet', name: 'prometheus-k8s' });
    expect(pod('postgres-12')).toEqual({ namespace: 'shop', kind: 'StatefulSet', name: 'postgres' });
    expect(pod('db-backup-29412345-7hq2m')).toEqual({ namespace: 'shop', kind: 'CronJob', name: 'db-backup' });
    expect(pod('node-exporter-x7k2p', {}, 'monitoring')).toEqual({ namespace: 'monitoring', kind: 'DaemonSet', name: 'node-exporter' });
    expect(pod('node-exporter-x7k2p', { 'k8s.pod.labels': 'app:node-exporter, controller-revision-hash:6d5f8, pod-template-generation:3' }, 'monitoring').kind).toBe('DaemonSet');
    expect(pod('node-exporter-9bzrt', {}, 'monitoring')).toEqual(pod('node-exporter-x7k2p', {}, 'monitoring'));
  });

  it('prefers what Falco says of the owner (k8smeta fields, labels) over the name’s shape', () => {
    expect(pod('weird-name', { 'k8smeta.deployment.name': 'api' })).toEqual({ namespace: 'shop', kind: 'Deployment', name: 'api' });
    expect(pod('runner-abc-7d9f8b6c5d-x2x4z', { 'k8s.pod.labels': '[app:runner, pod-template-hash:7d9f8b6c5d]' }).name).toBe('runner-abc');
    expect(pod('build-42-xk2lp', { 'k8s.pod.labels': ['job-name:build-42', 'controller-uid:1'] })).toEqual({ namespace: 'shop', kind: 'Job', name: 'build-42' });
    expect(pod('nightly-29412345-abcde', { 'k8s.pod.label[job-name]': 'nightly-29412345' })).toEqual({ namespace: 'shop', kind: 'CronJob', name: 'nightly' });
    expect(pod('web-3', { 'k8s.pod.labels': 'statefulset.kubernetes.io/pod-name:web-3' })).toEqual({ namespace: 'shop', kind: 'StatefulSet', name: 'web' });
  });

  it('keeps a bare pod by name, or its app label when it has one', () => {
    expect(pod('kubecon', {}, 'default')).toEqual({ namespace: 'default', kind: 'Pod', name: 'kubecon' });
    expect(pod('toolbox', { 'k8s.pod.label.app': 'devbox' })).toEqual({ namespace: 'shop', kind: 'App', name: 'devbox' });
  });

  it('names containers without a pod by app label or image, hosts by hostname, audit alerts by the audited object', () => {
    const c = (f: FalcoAlert['output_fields']) => workloadOf({ ...base, output_fields: { 'container.id': 'f00d', ...f } });
    expect(c({ 'container.image.repository': 'docker.io/library/redis' })).toEqual({ namespace: '-', kind: 'Image', name: 'docker.io/library/redis' });
    expect(c({})).toEqual({ namespace: '-', kind: 'Container', name: 'f00d' });
    expect(workloadOf({ ...base, hostname: 'node-1', output_fields: { 'container.id': 'host' } })).toEqual({ namespace: '-', kind: 'Host', name: 'node-1' });
    const audit = (f: FalcoAlert['output_fields']) => workloadOf({ ...base, source: 'k8s_audit', output_fields: { 'ka.user.name': 'u', ...f } });
    expect(audit({ 'ka.target.resource': 'pods', 'ka.target.name': 'checkout-7d9f8b6c5d-x2x4z', 'ka.target.namespace': 'shop' })).toEqual(pod('checkout-7d9f8b6c5d-x2x4z'));
    expect(audit({ 'ka.target.resource': 'secrets', 'ka.target.name': 'db-creds', 'ka.target.namespace': 'shop' })).toEqual({ namespace: 'shop', kind: 'secrets', name: 'db-creds' });
    expect(audit({ 'ka.target.resource': 'replicasets', 'ka.target.name': 'checkout-7d9f8b6c5d', 'ka.target.namespace': 'shop' })).toEqual({ namespace: 'shop', kind: 'Deployment', name: 'checkout' });
    expect(audit({ 'ka.target.resource': 'jobs', 'ka.target.name': 'nightly-29412345', 'ka.target.namespace': 'shop' })).toEqual({ namespace: 'shop', kind: 'CronJob', name: 'nightly' });
    // The same DaemonSet from its pod's name and from an audit alert about it: one workload.
    expect(audit({ 'ka.target.resource': 'daemonsets', 'ka.target.name': 'node-exporter', 'ka.target.namespace': 'monitoring' })).toEqual(pod('node-exporter-x7k2p', {}, 'monitoring'));
    expect(audit({ 'ka.target.resource': 'nodes' })).toEqual({ namespace: '-', kind: 'nodes', name: '*' });
    expect(workloadOf({ ...base, output_fields: {} })).toEqual({ namespace: '-', kind: 'Unknown', name: '-' });
  });

  it('clips hostile lengths and gives one key per workload', () => {
    const w = pod(`${'a'.repeat(5000)}-7d9f8b6c5d-x2x4z`);
    expect(w.name.length).toBeLessThanOrEqual(253);
    expect(workloadKey(pod('checkout-7d9f8b6c5d-x2x4z'))).toBe('shop/Deployment/checkout');
    expect(workloadKey({ namespace: '-', kind: 'Host', name: 'node-1' })).toBe('host/node-1');
  });

  it('names a workload for every real Falco sample', () => {
    const got = exampleAlerts().map((a) => workloadKey(workloadOf(a)));
    expect(got).toContain('hello-app/Deployment/nginx');
    expect(got).toContain('default/Pod/kubecon');
    for (const k of got) expect(k).toMatch(/^[^/]+\/[^/]+(\/.+)?$/);
  });
});

describe('workloadOf: hex-style generated suffixes (older controllers, other tools)', () => {
  it('strips them when they carry a digit, and leaves words alone', () => {
    expect(pod('payments-api-bca222db3d-e1371')).toEqual({ namespace: 'shop', kind: 'Deployment', name: 'payments-api' });
    expect(pod('agent-a1b2c')).toEqual({ namespace: 'shop', kind: 'DaemonSet', name: 'agent' });
    expect(pod('debug-shell')).toEqual({ namespace: 'shop', kind: 'Pod', name: 'debug-shell' });
    expect(pod('web-server-canary')).toEqual({ namespace: 'shop', kind: 'Pod', name: 'web-server-canary' });
  });
});
