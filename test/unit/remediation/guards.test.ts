import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_GUARDS, guardsFromData, loadGuards } from '../../../activities/remediation/guards';
import { fromRoot } from '../../../lib/paths';

describe('remediation guards from policy data', () => {
  it("read the repo's policy data: always-escalate namespaces are protected, other keys default safely", () => {
    const g = loadGuards(fromRoot('policies'));
    expect(g.protectedNamespaces).toEqual(expect.arrayContaining(['kube-system', 'kube-public', 'kube-node-lease', 'vigil']));
    expect(g).toMatchObject({ minHealthyReplicas: 1, allowDnsEgress: false });
  });

  it('take remediation.* keys when present', () => {
    const g = guardsFromData(
      { vigil: { config: { always_escalate_namespaces: [], remediation: { protected_namespaces: ['payments'], min_healthy_replicas: 2, allow_dns_egress: true, containment_ttl_seconds: { high: 3600 } } } } },
      'x',
    );
    expect(g).toMatchObject({ minHealthyReplicas: 2, allowDnsEgress: true, containmentTtlSeconds: { high: 3600 } });
    expect(g.protectedNamespaces).toEqual(['kube-node-lease', 'kube-public', 'kube-system', 'payments']);
  });

  it('refuse data that cannot be trusted (wrong types, unreadable file) instead of guarding with defaults', () => {
    expect(() => guardsFromData({ vigil: { config: { remediation: { min_healthy_replicas: 'one' } } } }, 'data.json')).toThrow('data.json: vigil.config.remediation.min_healthy_replicas');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-guards-'));
    try {
      writeFileSync(join(dir, 'data.json'), '{ not json');
      expect(() => loadGuards(dir)).toThrow('no action runs on unknown guards');
      expect(() => loadGuards(join(dir, 'missing'))).toThrow('unreadable');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(loadGuards(undefined)).toBe(DEFAULT_GUARDS);
  });
});
