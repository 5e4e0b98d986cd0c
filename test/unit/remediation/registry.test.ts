import { DEFAULT_GUARDS } from '../../../activities/remediation/guards';
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
    expect(registry.list().map((a) => a.name)).toEqual([
      'kubernetes:label',
      'kubernetes:networkpolicy',
      'kubernetes:terminate',
      'kubernetes:scale',
      'kubernetes:cordon',
      'kubernetes:evidence',
    ]);
    for (const a of registry.list()) {
      expect(a.description.length).toBeGreaterThan(10);
      expect(a.rbac.length).toBeGreaterThan(0);
      expect(registry.validate(action({ actionner: a.name, params: a.example }))).toBeNull();
    }
  });

  const local = (a: ProposedAction, incidentId = 'incident-1') => registry.planLocally(a, { incidentId, guards: DEFAULT_GUARDS });

  it('records the exact patch in local dry-run, with an idempotency key per incident and action', () => {
    const r = local(action());
    expect(r).toMatchObject({ status: 'dry_run', idempotencyKey: 'incident-1/a1' });
    expect(r.objects[0]).toMatchObject({ verb: 'patch', kind: 'Pod', namespace: 'default', name: 'web-1' });
    expect(local(action()).objects).toEqual(r.objects);
  });

  it('plans a deny-all NetworkPolicy whose name is stable for the same incident and action', () => {
    const plan = (id: string) => local(action({ actionner: 'kubernetes:networkpolicy', params: {} }), id);
    const [a, b, c] = [plan('i-1'), plan('i-1'), plan('i-2')];
    const np = a.objects.find((o) => o.kind === 'NetworkPolicy') as { name: string; body: { spec: { policyTypes: string[]; egress: unknown[] } } };
    expect(np.body.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.body.spec.egress).toEqual([]);
    expect(b.objects).toEqual(a.objects);
    expect(c.objects).not.toEqual(a.objects);
  });

  it('skips unknown actionners, bad params and impossible targets with the reason', async () => {
    expect(local(action({ actionner: 'kubernetes:explode' })).message).toContain('unknown actionner');
    expect(registry.validate(action({ params: { labels: { 'bad key!': 'x' } } }))).toContain('invalid params');
    expect(registry.validate(action({ target: { namespace: 'default' } }))).toContain('needs a pod target');
  });

  it('merges RBAC per resource, pre-flight reads included', () => {
    expect(registry.rbac(['kubernetes:label', 'kubernetes:networkpolicy'])).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'patch'] },
      { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get'] },
      { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'delete', 'get', 'patch'] },
    ]);
  });
});

describe('enabled actionners', () => {
  it('keeps only the named actionners, all when none are named', () => {
    expect(enabledRegistry('kubernetes:label, kubernetes:networkpolicy').list().map((a) => a.name)).toEqual(['kubernetes:label', 'kubernetes:networkpolicy']);
    expect(enabledRegistry('').list()).toHaveLength(6);
  });

  it('refuses an unknown name at start', () => {
    expect(() => enabledRegistry('kubernetes:label,kubernetes:explode')).toThrow('unknown actionner(s) in VIGIL_ACTIONNERS: kubernetes:explode');
  });
});
