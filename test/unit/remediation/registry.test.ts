import { defaultRegistry, enabledRegistry } from '../../../activities/remediation/registry';
import type { ProposedAction } from '../../../contracts';

const action = (over: Partial<ProposedAction> = {}): ProposedAction => ({
  id: 'a1',
  actionner: 'kubernetes:label',
  target: { namespace: 'default', pod: 'web-1' },
  params: { labels: { 'vigil.dev/quarantine': 'true' } },
  blastRadius: { scope: 'pod', pods: 1 },
  rationale: '',
  ...over,
});

describe('actionner registry', () => {
  const registry = defaultRegistry();

  it('registers the built-in actionners, each self-described with an example that validates', () => {
    expect(registry.list().map((a) => a.name)).toEqual(['kubernetes:label', 'kubernetes:networkpolicy', 'kubernetes:terminate']);
    for (const a of registry.list()) {
      expect(a.description.length).toBeGreaterThan(10);
      expect(a.rbac.length).toBeGreaterThan(0);
      expect(registry.validate(action({ actionner: a.name, params: a.example }))).toBeNull();
    }
  });

  it('records the exact patch in dry-run, with an idempotency key per incident and action', async () => {
    const r = await registry.execute(action(), { incidentId: 'incident-1', dryRun: true });
    expect(r).toMatchObject({ status: 'dry_run', idempotencyKey: 'incident-1/a1' });
    expect(r.objects[0]).toMatchObject({ verb: 'patch', kind: 'Pod', namespace: 'default', name: 'web-1' });
    const again = await registry.execute(action(), { incidentId: 'incident-1', dryRun: true });
    expect(again.objects).toEqual(r.objects);
  });

  it('plans a deny-all NetworkPolicy whose name is stable for the same incident and action', async () => {
    const plan = (id: string) => registry.execute(action({ actionner: 'kubernetes:networkpolicy', params: {} }), { incidentId: id, dryRun: true });
    const [a, b, c] = await Promise.all([plan('i-1'), plan('i-1'), plan('i-2')]);
    const np = a.objects.find((o) => o.kind === 'NetworkPolicy') as { name: string; body: { spec: { policyTypes: string[]; egress: unknown[] } } };
    expect(np.body.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.body.spec.egress).toEqual([]);
    expect(b.objects).toEqual(a.objects);
    expect(c.objects).not.toEqual(a.objects);
  });

  it('skips unknown actionners, bad params and impossible targets with the reason', async () => {
    expect((await registry.execute(action({ actionner: 'kubernetes:explode' }), { incidentId: 'i', dryRun: true })).message).toContain('unknown actionner');
    expect(registry.validate(action({ params: { labels: { 'bad key!': 'x' } } }))).toContain('invalid params');
    expect(registry.validate(action({ target: { namespace: 'default' } }))).toContain('needs a pod target');
  });

  it('reports an apply failure as failed, not as an exception', async () => {
    const r = await registry.execute(action(), { incidentId: 'i', dryRun: false, apply: async () => { throw new Error('forbidden'); } });
    expect(r).toMatchObject({ status: 'failed', message: 'forbidden' });
  });

  it('merges RBAC per resource', () => {
    expect(registry.rbac()).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['delete', 'get', 'patch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'get', 'patch'] },
    ]);
  });
});

describe('enabled actionners', () => {
  it('keeps only the named actionners, all when none are named', () => {
    expect(enabledRegistry('kubernetes:label, kubernetes:networkpolicy').list().map((a) => a.name)).toEqual(['kubernetes:label', 'kubernetes:networkpolicy']);
    expect(enabledRegistry('').list()).toHaveLength(3);
  });

  it('refuses an unknown name at start', () => {
    expect(() => enabledRegistry('kubernetes:label,kubernetes:explode')).toThrow('unknown actionner(s) in VIGIL_ACTIONNERS: kubernetes:explode');
  });
});
