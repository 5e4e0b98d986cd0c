import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parsePrompt } from '../../activities/analysis/prompt';
import type { RbacRule } from '../../activities/remediation/actionner';
import { defaultRegistry } from '../../activities/remediation/registry';
import { loadPolicyBundle } from '../../activities/review/policy-bundle';
import { TASK_QUEUES } from '../../contracts';
import { fromRoot } from '../../lib/paths';
import { toolPath } from '../../lib/tools';
import { CHART_DIR } from '../../scripts/chart/chart-files';
import type { CommandResult } from '../helpers/run-command';
import { runCommand } from '../helpers/run-command';
import { TESTED_VALUE_SETS } from '../helpers/helm-render';

/**
 * The Helm chart, rendered by the pinned helm for several value sets and checked offline: helm lint
 * --strict, every object against the Kubernetes/CRD schemas (scripts/chart/check-manifests.mts),
 * and what the chart promises (pod security, least-agency RBAC from the actionner registry,
 * one identity per agent, who may talk to whom, the policy bundle and prompt the agents load).
 */

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

const HELM = toolPath('helm', 'HELM_BIN');
const KUBE_VERSION = '1.31.0';
const NS = 'vigil';
const FULL = 'rel-vigil';
const COMPONENTS = ['coordinator', 'analysis', 'review', 'remediation', 'notification', 'gate'] as const;
const AGENTS = ['analysis', 'review', 'remediation', 'notification'];
const VALIDATOR = fromRoot('dist', 'scripts', 'chart', 'check-manifests.mjs');

let work: string;
let chart: string;

const example = (name: string) => join(chart, 'examples', name);

const VALUE_SETS: Record<string, () => string[]> = Object.fromEntries(Object.entries(TESTED_VALUE_SETS).map(([name, args]) => [name, () => args(chart)]));

function template(args: string[], chartDir = chart): Promise<CommandResult> {
  return runCommand(HELM, ['template', 'rel', chartDir, '--namespace', NS, '--kube-version', KUBE_VERSION, '--include-crds', ...args], { timeoutMs: 60_000 });
}

async function render(args: string[]): Promise<Obj[]> {
  const r = await template(args);
  if (r.code !== 0) throw new Error(`helm template ${args.join(' ')} failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

async function validate(objects: Obj[]): Promise<{ code: number | null; report: { objects: number; invalid: { kind: string; name: string; problems: string[] }[] }; stderr: string }> {
  const file = join(work, `manifests-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, objects.map((o) => `---\n${JSON.stringify(o)}\n`).join(''));
  const r = await runCommand(process.execPath, [VALIDATOR, '--crd', join(chart, 'crds', 'agentprompts.vigil.dev.yaml'), file], { timeoutMs: 120_000 });
  return { code: r.code, report: JSON.parse(r.stdout || '{"objects":0,"invalid":[]}') as never, stderr: r.stderr };
}

const ofKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: Obj[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} rendered`);
  return o;
};
const container = (d: Obj) => d.spec.template.spec.containers[0];
const envOf = (d: Obj): Record<string, string> => Object.fromEntries((container(d).env as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? '<from>']));

/** Rules as sorted "group/resource:verb" triples: RBAC is a union, so this is what a rule set grants. */
const grants = (rules: RbacRule[]) => rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)))).sort();

beforeAll(async () => {
  if (!existsSync(VALIDATOR)) throw new Error(`${VALIDATOR} is missing: run \`npm run build\` first`);
  work = mkdtempSync(join(tmpdir(), 'vigil-helm-'));
  chart = join(work, 'vigil');
  // A private copy: the policy bundle is built into it, never into the shared checkout.
  cpSync(CHART_DIR, chart, { recursive: true, filter: (src) => !src.includes(join('files', 'policy')) });
  const built = await runCommand('bash', [fromRoot('scripts', 'chart', 'gen-chart-policy.sh'), chart], { timeoutMs: 120_000 });
  if (built.code !== 0) throw new Error(`gen-chart-policy.sh failed: ${built.stderr}`);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(Object.entries(VALUE_SETS))('chart with %s values', (_name, args) => {
  let objects: Obj[];
  beforeAll(async () => {
    objects = await render(args());
  });

  it('passes helm lint --strict', async () => {
    const r = await runCommand(HELM, ['lint', '--strict', chart, '--namespace', NS, ...args()]);
    expect(r.stderr + r.stdout).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it('renders only objects valid against their Kubernetes and CRD schemas, unknown fields included', async () => {
    const { code, report, stderr } = await validate(objects);
    expect(report.invalid).toEqual([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report.objects).toBe(objects.length);
  });

  it('runs each process as its own Deployment, ServiceAccount and queue, locked down and limited', () => {
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(COMPONENTS.map((c) => `${FULL}-${c}`).sort());
    const accounts = new Set(ofKind(objects, 'ServiceAccount').map((s) => s.metadata.name));
    for (const d of deployments) {
      const name = d.metadata.labels?.['app.kubernetes.io/component'] as (typeof COMPONENTS)[number];
      const pod = d.spec.template.spec;
      const c = container(d);
      expect(pod.serviceAccountName).toBe(d.metadata.name);
      expect(accounts.has(pod.serviceAccountName)).toBe(true);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } });
      expect(c.resources.limits).toEqual({ cpu: expect.anything(), memory: expect.anything() });
      expect(c.resources.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
      expect(pod.restartPolicy).toBe('Always');
      expect(Number(envOf(d).VIGIL_SHUTDOWN_GRACE_MS)).toBeLessThan(pod.terminationGracePeriodSeconds * 1000);
      expect(c.command).toEqual(['node', name === 'gate' ? '/app/dist/gate/main.js' : `/app/dist/workers/${name}.js`]);
      if (name !== 'gate') expect(envOf(d).VIGIL_TASK_QUEUE).toBe(TASK_QUEUES[name]);
      // Only a remediation agent that applies changes carries a Kubernetes token.
      const acting = name === 'remediation' && envOf(d).VIGIL_DRY_RUN === 'false';
      expect(pod.automountServiceAccountToken).toBe(acting);
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      // The coordinator's Node is told its size (docs/RELIABILITY.md, soak); the others keep Node's defaults.
      const memory = name === 'coordinator' ? { NODE_OPTIONS: '--max-old-space-size=256', MALLOC_ARENA_MAX: '2' } : { NODE_OPTIONS: undefined, MALLOC_ARENA_MAX: undefined };
      expect({ NODE_OPTIONS: envOf(d).NODE_OPTIONS, MALLOC_ARENA_MAX: envOf(d).MALLOC_ARENA_MAX }).toEqual(memory);
    }
    for (const sa of ofKind(objects, 'ServiceAccount')) expect(sa.automountServiceAccountToken).toBe(false);
  });

  it('spreads and protects every Deployment that asks for it', () => {
    const values = parseYaml(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Record<string, { pdb: { enabled: boolean } }>;
    const pdbs = ofKind(objects, 'PodDisruptionBudget');
    for (const d of ofKind(objects, 'Deployment')) {
      expect(d.spec.template.spec.topologySpreadConstraints?.[0]?.labelSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
      const pdb = pdbs.find((p) => p.metadata.name === d.metadata.name);
      if (pdb) expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
    }
    const pdbsExpected = args().includes(example('values-minimal.yaml')) ? 0 : COMPONENTS.filter((c) => values[c]?.pdb.enabled).length;
    expect(pdbs).toHaveLength(pdbsExpected);
  });

  it('grants Kubernetes permissions to the remediation ServiceAccount only', () => {
    for (const b of [...ofKind(objects, 'RoleBinding'), ...ofKind(objects, 'ClusterRoleBinding')]) {
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: `${FULL}-remediation`, namespace: NS }]);
    }
  });
});

describe('search attributes', () => {
  it('are registered by a locked-down post-install/upgrade Job with the coordinator identity, except on Temporal Cloud', async () => {
    const objects = await render(['-f', example('values-kyverno-provided-certs.yaml')]);
    const job = named(objects, 'Job', `${FULL}-setup-search-attributes`);
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install,post-upgrade' });
    const pod = job.spec.template.spec;
    const c = pod.containers[0];
    expect(c.command).toEqual(['node', '/app/dist/scripts/chart/register-search-attributes.js']);
    expect(existsSync(fromRoot('scripts', 'chart', 'register-search-attributes.ts'))).toBe(true);
    expect(pod).toMatchObject({ serviceAccountName: `${FULL}-coordinator`, automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.resources.limits).toEqual({ cpu: expect.anything(), memory: expect.anything() });
    expect(c.image).toBe(`registry.example.com/security/vigil@sha256:0f3c6a1e2b4d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8`);
    const env = Object.fromEntries((c.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ TEMPORAL_ADDRESS: 'temporal-frontend.temporal.svc:7233', TEMPORAL_TLS_CERT: '/etc/vigil/temporal-tls/tls.crt', TEMPORAL_TLS_CA: '/etc/vigil/temporal-tls/ca.crt' });
    const cloud = await render(['-f', example('values-cilium-temporal-cloud.yaml')]);
    expect(ofKind(cloud, 'Job')).toHaveLength(0);
    expect(cloud.find((o) => o.metadata.name === `${FULL}-setup`)).toBeUndefined();
  });
});

describe('least agency: the remediation Role is the union of its enabled actionners', () => {
  const registry = defaultRegistry();
  const subsets = [registry.list().map((a) => a.name), ['kubernetes:label'], ['kubernetes:networkpolicy', 'kubernetes:terminate'], ['kubernetes:terminate']];

  it.each(subsets.map((s) => [s.join(', '), s]))('%s (cluster-wide)', async (_label, names) => {
    const objects = await render(['--set-json', `remediation.actionners=${JSON.stringify(names)}`]);
    const roles = ofKind(objects, 'ClusterRole');
    expect(roles).toHaveLength(1);
    expect(ofKind(objects, 'Role')).toHaveLength(0);
    expect(grants(roles[0]!.rules)).toEqual(grants(registry.rbac(names)));
    // Exactly the registry's merged rules, one per group/resource, not merely the same grants.
    const sortRules = (rs: RbacRule[]) => [...rs].sort((a, b) => `${a.apiGroups[0]}/${a.resources[0]}`.localeCompare(`${b.apiGroups[0]}/${b.resources[0]}`));
    expect(sortRules(roles[0]!.rules)).toEqual(sortRules(registry.rbac(names)));
    expect(roles[0]!.metadata.annotations?.['vigil.dev/actionners']).toBe(names.join(','));
    expect(named(objects, 'ClusterRoleBinding', `${FULL}-remediation`).roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${FULL}-remediation` });
  });

  it('becomes one Role per listed namespace, with the same rules', async () => {
    const names = ['kubernetes:label', 'kubernetes:networkpolicy'];
    const objects = await render(['--set-json', `remediation.actionners=${JSON.stringify(names)}`, '--set-json', 'remediation.rbac.namespaces=["shop","payments"]']);
    expect(ofKind(objects, 'ClusterRole')).toHaveLength(0);
    const roles = ofKind(objects, 'Role');
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['payments', 'shop']);
    for (const r of roles) expect(grants(r.rules)).toEqual(grants(registry.rbac(names)));
    expect(ofKind(objects, 'RoleBinding').map((b) => b.metadata.namespace).sort()).toEqual(['payments', 'shop']);
  });

  it('grants nothing at all when no actionner is enabled', async () => {
    const objects = await render(['--set-json', 'remediation.actionners=[]']);
    for (const kind of ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']) expect(ofKind(objects, kind)).toHaveLength(0);
  });

  it('is refused for an actionner the registry does not know', async () => {
    const r = await template(['--set-json', 'remediation.actionners=["kubernetes:drain-node"]']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("at '/remediation/actionners/0': value must be one of 'kubernetes:cordon', 'kubernetes:evidence', 'kubernetes:label', 'kubernetes:networkpolicy', 'kubernetes:scale', 'kubernetes:terminate'");
  });
});

describe('identity: one certificate per component, mounted where the workers read TLS', () => {
  it('issues each component a cert-manager Certificate from the chart CA, and agents allow-list each other', async () => {
    const objects = await render([]);
    const issuers = ofKind(objects, 'Issuer');
    expect(issuers.map((i) => Object.keys(i.spec)[0]).sort()).toEqual(['ca', 'selfSigned']);
    const ca = named(objects, 'Issuer', `${FULL}-ca`);
    const identities = COMPONENTS.map((c) => `${FULL}-${c}.${NS}`);
    for (const c of COMPONENTS) {
      const cert = named(objects, 'Certificate', `${FULL}-${c}`);
      expect(cert.spec).toMatchObject({ secretName: `${FULL}-${c}-tls`, commonName: `${FULL}-${c}.${NS}`, issuerRef: { name: ca.metadata.name, kind: 'Issuer' } });
      expect(cert.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
      expect(cert.spec.uris).toEqual([`spiffe://cluster.local/ns/${NS}/sa/${FULL}-${c}`]);
      const d = named(objects, 'Deployment', `${FULL}-${c}`);
      const vol = d.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'tls');
      expect(vol.secret.secretName).toBe(`${FULL}-${c}-tls`);
      expect(container(d).volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/vigil/tls', readOnly: true });
      const env = envOf(d);
      if (AGENTS.includes(c)) {
        expect(env).toMatchObject({ VIGIL_A2A_PORT: '8443', VIGIL_A2A_TLS_CA: '/etc/vigil/tls/ca.crt', VIGIL_A2A_TLS_CERT: '/etc/vigil/tls/tls.crt', VIGIL_A2A_TLS_KEY: '/etc/vigil/tls/tls.key' });
        expect(env.VIGIL_A2A_ALLOWED_IDENTITIES!.split(',')).toEqual(identities);
        expect(env.VIGIL_A2A_PUBLIC_URL).toBe(`https://${FULL}-${c}.${NS}.svc:8443`);
        expect(named(objects, 'Service', `${FULL}-${c}`).spec.ports.map((p: { name: string }) => p.name)).toEqual(['ops', 'a2a']);
      } else {
        expect(env.VIGIL_A2A_PORT).toBeUndefined();
        expect(named(objects, 'Service', `${FULL}-${c}`).spec.ports.map((p: { name: string }) => p.name)).toEqual(['ops']);
      }
    }
  });

  it('closes A2A entirely when it is turned off: no port, no Service port, no network path', async () => {
    const objects = await render(['--set', 'a2a.enabled=false']);
    for (const c of AGENTS) {
      const d = named(objects, 'Deployment', `${FULL}-${c}`);
      expect(envOf(d).VIGIL_A2A_ENABLED).toBe('false');
      expect(container(d).ports.map((p: { name: string }) => p.name)).toEqual(['ops']);
      expect(named(objects, 'Service', `${FULL}-${c}`).spec.ports.map((p: { name: string }) => p.name)).toEqual(['ops']);
      const np = named(objects, 'NetworkPolicy', `${FULL}-${c}`);
      expect(JSON.stringify(np.spec)).not.toContain('8443');
    }
  });

  it('uses the operator ClusterIssuer, and the component certificate as Temporal client certificate, when asked', async () => {
    const objects = await render(['-f', example('values-acting-remediation.yaml')]);
    expect(ofKind(objects, 'Issuer')).toHaveLength(0);
    for (const cert of ofKind(objects, 'Certificate')) expect(cert.spec.issuerRef).toEqual({ name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    const env = envOf(named(objects, 'Deployment', `${FULL}-gate`));
    expect(env).toMatchObject({ TEMPORAL_TLS_CERT: '/etc/vigil/tls/tls.crt', TEMPORAL_TLS_KEY: '/etc/vigil/tls/tls.key', TEMPORAL_TLS_CA: '/etc/vigil/temporal-tls/ca.crt' });
  });

  it('mounts the operator-provided Secrets instead of issuing certificates, and the Temporal client Secret', async () => {
    const objects = await render(['-f', example('values-kyverno-provided-certs.yaml')]);
    expect(ofKind(objects, 'Certificate')).toHaveLength(0);
    for (const c of COMPONENTS) {
      const d = named(objects, 'Deployment', `${FULL}-${c}`);
      const vols = d.spec.template.spec.volumes as { name: string; secret?: { secretName: string } }[];
      expect(vols.find((v) => v.name === 'tls')?.secret?.secretName).toBe(`vigil-${c}-pki`);
      expect(vols.find((v) => v.name === 'temporal-tls')?.secret?.secretName).toBe('vigil-temporal-client');
      expect(envOf(d)).toMatchObject({ TEMPORAL_TLS_CERT: '/etc/vigil/temporal-tls/tls.crt', TEMPORAL_TLS_KEY: '/etc/vigil/temporal-tls/tls.key', TEMPORAL_TLS_CA: '/etc/vigil/temporal-tls/ca.crt', TEMPORAL_TLS_SERVER_NAME: 'temporal-frontend.temporal.svc' });
    }
    expect(envOf(named(objects, 'Deployment', `${FULL}-review`)).VIGIL_A2A_ALLOWED_IDENTITIES).toContain('soc-console.security');
  });

  it('gives the gate Kafka over TLS with its SASL password as a file, and its model from a ConfigMap directory', async () => {
    const objects = await render(['-f', example('values-kyverno-provided-certs.yaml')]);
    const gate = named(objects, 'Deployment', `${FULL}-gate`);
    expect(envOf(gate)).toMatchObject({
      KAFKA_BROKERS: 'kafka-0.kafka.svc:9093,kafka-1.kafka.svc:9093',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'vigil-gate',
      KAFKA_SASL_PASSWORD_FILE: '/etc/vigil/kafka-sasl/password',
      VIGIL_KAFKA_TOPIC: 'falco.events',
      VIGIL_KAFKA_DLQ_TOPIC: 'falco.events.dlq',
      VIGIL_MODEL_PATH: '/etc/vigil/model/model.json',
      VIGIL_POLICY_DIR: '/etc/vigil/policy',
    });
    const volumes = gate.spec.template.spec.volumes as { name: string; [k: string]: unknown }[];
    expect(volumes).toContainEqual({ name: 'kafka-sasl', secret: { secretName: 'vigil-kafka-credentials', defaultMode: 0o440, items: [{ key: 'password', path: 'password' }] } });
    expect(volumes).toContainEqual({ name: 'model', configMap: { name: 'vigil-gate-model' } });
    expect(JSON.stringify(gate)).not.toContain('subPath');
    for (const c of COMPONENTS.filter((x) => x !== 'gate')) expect(envOf(named(objects, 'Deployment', `${FULL}-${c}`)).KAFKA_BROKERS).toBeUndefined();
  });

  it('reads the Temporal Cloud API key from a Secret file', async () => {
    const objects = await render(['-f', example('values-cilium-temporal-cloud.yaml')]);
    const d = named(objects, 'Deployment', `${FULL}-coordinator`);
    expect(envOf(d)).toMatchObject({ TEMPORAL_ADDRESS: 'vigil-prod.a1b2c.tmprl.cloud:7233', TEMPORAL_API_KEY_FILE: '/etc/vigil/temporal-api-key/api-key' });
    expect(d.spec.template.spec.volumes).toContainEqual(expect.objectContaining({ name: 'temporal-api-key', secret: expect.objectContaining({ secretName: 'temporal-cloud-api-key' }) }));
  });
});

describe('network: who may talk to whom', () => {
  const portsOf = (rules: any[]) => rules.flatMap((r) => (r.ports ?? []).map((p: { port: number; protocol: string }) => `${p.protocol}/${p.port}`)).sort();

  it('plain NetworkPolicy: default deny, then DNS and Temporal for all, Kafka for the gate only, /metrics from Prometheus, A2A between agents', async () => {
    const objects = await render([]);
    for (const c of COMPONENTS) {
      const np = named(objects, 'NetworkPolicy', `${FULL}-${c}`);
      expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(np.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe(c);
      const egress = portsOf(np.spec.egress);
      const ingress = portsOf(np.spec.ingress);
      expect(egress).toEqual(expect.arrayContaining(['TCP/53', 'UDP/53', 'TCP/7233']));
      expect(egress.includes('TCP/9092')).toBe(c === 'gate');
      expect(egress.includes('TCP/443')).toBe(false);
      expect(np.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }]);
      expect(ingress).toEqual(AGENTS.includes(c) ? ['TCP/8443', 'TCP/9464'] : ['TCP/9464']);
      const temporal = np.spec.egress.find((r: any) => r.ports.some((p: any) => p.port === 7233));
      expect(temporal.to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'temporal' } }, podSelector: { matchLabels: { 'app.kubernetes.io/component': 'frontend' } } }]);
    }
  });

  it('lets the search-attribute Job reach DNS and Temporal only, and nothing reach it', async () => {
    const objects = await render([]);
    const np = named(objects, 'NetworkPolicy', `${FULL}-setup`);
    expect(np.spec.ingress).toEqual([]);
    expect(portsOf(np.spec.egress)).toEqual(['TCP/53', 'TCP/7233', 'UDP/53']);
    const cnp = named(await render(['--set', 'networkPolicy.provider=cilium']), 'CiliumNetworkPolicy', `${FULL}-setup`);
    expect(cnp.spec.ingress).toBeUndefined();
    expect(cnp.spec.ingressDeny).toEqual([{ fromEntities: ['all'] }]);
  });

  it('gives only an acting remediation agent a path to the Kubernetes API', async () => {
    const objects = await render(['-f', example('values-acting-remediation.yaml')]);
    for (const c of COMPONENTS) {
      const np = named(objects, 'NetworkPolicy', `${FULL}-${c}`);
      const api = np.spec.egress.filter((r: any) => r.to.some((p: any) => p.ipBlock?.cidr === '172.20.0.1/32'));
      expect(api.length).toBe(c === 'remediation' ? 1 : 0);
    }
  });

  it('Cilium: L7 rules let Prometheus GET /metrics and the kubelet probe, egress by DNS name to Temporal Cloud, the LLM and the webhook', async () => {
    const objects = await render(['-f', example('values-cilium-temporal-cloud.yaml')]);
    expect(ofKind(objects, 'NetworkPolicy')).toHaveLength(0);
    for (const c of COMPONENTS) {
      const cnp = named(objects, 'CiliumNetworkPolicy', `${FULL}-${c}`);
      const [prom, probes] = cnp.spec.ingress;
      expect(prom.fromEndpoints).toEqual([{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'monitoring', 'app.kubernetes.io/name': 'prometheus' } }]);
      expect(prom.toPorts).toEqual([{ ports: [{ port: '9464', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/metrics' }] } }]);
      expect(probes.fromEntities).toEqual(['host']);
      expect(probes.toPorts[0].rules.http.map((h: { path: string }) => h.path)).toEqual(['/healthz', '/readyz']);
      const dns = cnp.spec.egress[0];
      expect(dns.toPorts[0].rules.dns).toEqual([{ matchPattern: '*' }]);
      const fqdns = cnp.spec.egress.flatMap((r: any) => (r.toFQDNs ?? []).map((f: any) => f.matchName ?? f.matchPattern)).sort();
      const expected = ['*.tmprl.cloud', ...(c === 'analysis' ? ['api.openai.com'] : []), ...(c === 'notification' ? ['mattermost.example.com'] : [])].sort();
      expect(fqdns).toEqual(expected);
      // Cilium refuses rules mixing endpoint, CIDR, entity and FQDN selectors: one kind per rule.
      for (const r of [...cnp.spec.ingress, ...cnp.spec.egress]) {
        expect(Object.keys(r).filter((k) => /^(from|to)(Endpoints|CIDRSet|Entities|FQDNs)$/.test(k))).toHaveLength(1);
      }
    }
  });

  it('refuses, with the reason, peers a plain NetworkPolicy cannot express', async () => {
    const r = await template(['--set-json', 'temporal.network.peers=[{"fqdn":"*.tmprl.cloud"}]']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('networkPolicy.provider=kubernetes cannot express temporal.network.peers[0].fqdn=*.tmprl.cloud');
    const acting = await template(['--set', 'remediation.dryRun=false']);
    expect(acting.stderr).toContain('networkPolicy.kubernetesApi.peers[0].entity=kube-apiserver');
  });
});

describe('policy and prompt, as the agents will load them', () => {
  it('ships the Rego bundle as a ConfigMap that, mounted, is a policy bundle the review agent loads', async () => {
    const objects = await render([]);
    const cm = named(objects, 'ConfigMap', `${FULL}-policy`);
    const dir = join(work, 'mounted-policy');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'policy.wasm'), Buffer.from(cm.binaryData['policy.wasm'], 'base64'));
    writeFileSync(join(dir, 'data.json'), cm.data['data.json']);
    writeFileSync(join(dir, 'manifest.json'), cm.data['manifest.json']);
    const bundle = await loadPolicyBundle(dir, { isolation: 'inline' });
    try {
      expect(bundle.version).toBe(JSON.parse(cm.data['manifest.json']).version);
      expect(cm.metadata.annotations?.['vigil.dev/policy-version']).toBe(bundle.version);
      // The chart ships what policies/ builds to right now.
      expect(cm.data['data.json']).toBe(readFileSync(fromRoot('policies', 'data.json'), 'utf8'));
    } finally {
      bundle.retire();
    }
    const review = named(objects, 'Deployment', `${FULL}-review`);
    expect(envOf(review).VIGIL_POLICY_DIR).toBe('/etc/vigil/policy');
    expect(container(review).volumeMounts).toContainEqual({ name: 'policy', mountPath: '/etc/vigil/policy', readOnly: true });
    // Hot reload: a directory mount (subPath mounts never update) and no checksum that would restart pods.
    expect(container(review).volumeMounts.every((m: { subPath?: string }) => m.subPath === undefined)).toBe(true);
    expect(review.spec.template.metadata.annotations ?? {}).toEqual({});
  });

  it('mounts an operator-managed policy ConfigMap instead when named', async () => {
    const objects = await render(['--set', 'review.policy.existingConfigMap=soc-policy']);
    expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `${FULL}-policy`)).toBeUndefined();
    const vol = named(objects, 'Deployment', `${FULL}-review`).spec.template.spec.volumes.find((v: { name: string }) => v.name === 'policy');
    expect(vol.configMap.name).toBe('soc-policy');
  });

  it('fails clearly when the chart was packaged without its policy bundle', async () => {
    const bare = join(work, 'bare');
    cpSync(chart, bare, { recursive: true, filter: (src) => !src.includes(join('files', 'policy')) });
    const r = await template([], bare);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('the review policy bundle is not in the chart');
    expect(r.stderr).toContain('scripts/chart/gen-chart-policy.sh');
  });

  it('refuses a policy bundle too large for a ConfigMap', async () => {
    const big = join(work, 'big');
    cpSync(chart, big, { recursive: true });
    writeFileSync(join(big, 'files', 'policy', 'policy.wasm'), Buffer.alloc(800_000, 1));
    const r = await template([], big);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/the policy bundle \(\d+ bytes\) is too large for a ConfigMap/);
  });

  it('renders the analysis prompt as an AgentPrompt and mounts the same document where the agent reads it', async () => {
    const objects = await render([]);
    const cr = named(objects, 'AgentPrompt', `${FULL}-analysis`);
    const cm = named(objects, 'ConfigMap', `${FULL}-analysis-prompt`);
    const mounted = parsePrompt(cm.data['analysis.yaml'], 'configmap');
    expect(parseYaml(cm.data['analysis.yaml'])).toEqual(cr);
    const repo = parsePrompt(readFileSync(fromRoot('prompts', 'analysis.yaml'), 'utf8'), 'repo');
    expect(mounted.spec).toEqual(repo.spec);
    const analysis = named(objects, 'Deployment', `${FULL}-analysis`);
    expect(envOf(analysis).VIGIL_PROMPT_FILE).toBe('/etc/vigil/prompts/analysis.yaml');
    expect(container(analysis).volumeMounts).toContainEqual({ name: 'prompts', mountPath: '/etc/vigil/prompts', readOnly: true });
    expect(analysis.spec.template.spec.volumes).toContainEqual({ name: 'prompts', configMap: { name: `${FULL}-analysis-prompt` } });
  });

  it('takes a new prompt version from values, and rolls the analysis pods for it', async () => {
    const before = named(await render([]), 'Deployment', `${FULL}-analysis`).spec.template.metadata.annotations['checksum/prompt'];
    const objects = await render(['--set', 'prompt.version=2026-02-01', '--set', 'prompt.system=Be terse.']);
    const cm = named(objects, 'ConfigMap', `${FULL}-analysis-prompt`);
    const prompt = parsePrompt(cm.data['analysis.yaml'], 'configmap');
    expect(prompt.spec).toMatchObject({ version: '2026-02-01', system: 'Be terse.' });
    expect(named(objects, 'AgentPrompt', `${FULL}-analysis`).spec.version).toBe('2026-02-01');
    expect(cm.metadata.annotations?.['vigil.dev/prompt-version']).toBe('2026-02-01');
    expect(named(objects, 'Deployment', `${FULL}-analysis`).spec.template.metadata.annotations['checksum/prompt']).not.toBe(before);
  });
});

describe('values.schema.json and the chart refuse bad values with a clear message', () => {
  const cases: [string, string[], string][] = [
    ['a negative replica count', ['--set', 'analysis.replicas=-1'], "at '/analysis/replicas': minimum: got -1, want 0"],
    ['a misspelt key', ['--set', 'review.replica=2'], "at '/review': additional properties 'replica' not allowed"],
    ['a container without limits', ['--set', 'gate.resources.limits=null'], "at '/gate/resources': missing property 'limits'"],
    ['a malformed quantity', ['--set', 'review.resources.limits.memory=lots'], "at '/review/resources/limits/memory'"],
    ['an unknown network policy provider', ['--set', 'networkPolicy.provider=calico'], "at '/networkPolicy/provider': value must be one of 'cilium', 'kubernetes', 'none'"],
    ['a malformed image digest', ['--set', 'image.digest=sha256:abc'], "at '/image/digest'"],
    ['a Temporal address without a port', ['--set', 'temporal.address=temporal'], "at '/temporal/address'"],
    ['a peer that is two things at once', ['--set-json', 'kafka.network.peers=[{"namespace":"kafka","cidr":"10.0.0.0/8"}]'], "at '/kafka/network/peers/0': 'oneOf' failed"],
    ['a prompt version that is not semver or a date', ['--set', 'prompt.version=v2'], "at '/prompt/version'"],
    ['a prompt without the alert placeholder', ['--set', 'prompt.user=Analyse this.'], "at '/prompt/user'"],
    ['an unknown TLS mode', ['--set', 'tls.mode=spiffe'], "at '/tls/mode'"],
    ['a restart policy a Deployment cannot have', ['--set', 'analysis.restartPolicy=OnFailure'], "at '/analysis/restartPolicy'"],
    ['a task queue the workflow does not route to', ['--set', 'analysis.taskQueue=vigil-analysis-2'], 'the incident workflow routes analysis work to vigil-analysis'],
    ['a drain longer than the grace period', ['--set', 'review.shutdownGraceSeconds=60'], 'review.shutdownGraceSeconds (60) must be below terminationGracePeriodSeconds (45)'],
    ['provided TLS without the Secrets', ['--set', 'tls.mode=provided'], 'tls.mode=provided needs tls.provided.secrets.coordinator'],
    ['a user issuer without a name', ['--set', 'tls.certManager.issuer.create=false'], 'tls.certManager.issuer.create=false needs tls.certManager.issuer.name'],
    ['Kyverno digest enforcement with a tag-only image', ['--set', 'kyverno.enabled=true'], 'kyverno.requireImageDigest would block Vigil\'s own pods: set image.digest'],
    ['Temporal mTLS without a Secret', ['--set', 'temporal.tls.enabled=true'], 'temporal.tls.enabled needs temporal.tls.existingSecret'],
    ['an A2A allow-list that would admit nobody', ['--set', 'a2a.allowVigilComponents=false'], 'a2a: nobody would be allowed to call the agents'],
    ['a gate without a model', ['--set', 'gate.model.configMap='], 'the gate needs its Isolation Forest model'],
    ['Kafka SASL without credentials', ['--set', 'kafka.sasl.mechanism=plain'], 'kafka.sasl.mechanism=plain needs kafka.sasl.username and kafka.sasl.password.existingSecret'],
    ['a heap cap at or over the memory limit', ['--set', 'coordinator.node.maxOldSpaceMiB=1024'], 'coordinator.node.maxOldSpaceMiB (1024) must be below resources.limits.memory (1Gi)'],
    ['an unknown Node memory setting', ['--set', 'review.node.heap=1'], "at '/review/node': additional properties 'heap' not allowed"],
    ['an LLM endpoint without a model', ['--set', 'analysis.llm.baseUrl=https://llm.example.com/v1'], 'analysis.llm.model is required when analysis.llm.baseUrl is set'],
  ];

  it.each(cases)('%s', async (_what, args, message) => {
    const r = await template(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});

describe('the Argo CD Application example', () => {
  it('is a valid Application that deploys the chart from a registry with values from Git', async () => {
    const app = parseAllDocuments(readFileSync(example('argocd-application.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
    const { code, report } = await validate(app);
    expect(report.invalid).toEqual([]);
    expect(code).toBe(0);
    expect(app[0]!.spec.sources[0]).toMatchObject({ chart: 'vigil', helm: { releaseName: 'vigil' } });
  });
});

describe('the offline validator itself', () => {
  it('reports unknown fields, wrong types, missing required fields and invalid custom resources, by object', async () => {
    const objects = await render([]);
    const deployment = structuredClone(named(objects, 'Deployment', `${FULL}-analysis`));
    const sc = container(deployment).securityContext;
    sc.readOnlyRootFileSystem = sc.readOnlyRootFilesystem;
    delete sc.readOnlyRootFilesystem;
    const service = structuredClone(named(objects, 'Service', `${FULL}-gate`));
    service.spec.ports[0].port = 'nine';
    const cert = structuredClone(named(objects, 'Certificate', `${FULL}-review`));
    delete cert.spec.issuerRef;
    const prompt = structuredClone(named(objects, 'AgentPrompt', `${FULL}-analysis`));
    prompt.spec.user = 'no placeholder';
    prompt.spec.temperature = 0.2;
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    const crd = named(objects, 'CustomResourceDefinition', 'agentprompts.vigil.dev');
    const { code, report } = await validate([crd, deployment, service, cert, prompt, unknown, named(objects, 'ConfigMap', `${FULL}-policy`)]);
    expect(code).toBe(1);
    const problems = Object.fromEntries(report.invalid.map((i) => [`${i.kind}/${i.name}`, i.problems.join(' | ')]));
    expect(Object.keys(problems).sort()).toEqual([`AgentPrompt/${FULL}-analysis`, `Certificate/${FULL}-review`, `Deployment/${FULL}-analysis`, `Service/${FULL}-gate`, 'Widget/w']);
    expect(problems[`Deployment/${FULL}-analysis`]).toContain('readOnlyRootFileSystem');
    expect(problems[`Service/${FULL}-gate`]).toMatch(/port/);
    expect(problems[`Certificate/${FULL}-review`]).toContain('issuerRef');
    expect(problems[`AgentPrompt/${FULL}-analysis`]).toContain('spec.user');
    expect(problems[`AgentPrompt/${FULL}-analysis`]).toContain('temperature');
    expect(problems['Widget/w']).toContain('no schema known for example.com/v1 Widget');
  });
});

describe('NOTES.txt', () => {
  it('tells the operator how to reach the Temporal UI and decide an escalation', async () => {
    // helm prints NOTES only from install/upgrade, which need a cluster even with --dry-run=client;
    // so a copy of the chart renders NOTES.txt through `tpl` into a probe ConfigMap.
    const copy = join(work, 'notes');
    cpSync(chart, copy, { recursive: true });
    cpSync(join(copy, 'templates', 'NOTES.txt'), join(copy, 'files', 'notes-probe.txt'));
    writeFileSync(
      join(copy, 'templates', 'notes-probe.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-probe\ndata:\n  notes: {{ tpl (.Files.Get "files/notes-probe.txt") . | quote }}\n',
    );
    const r = await template(['--set', 'remediation.actionners={kubernetes:label}'], copy);
    expect(r.code).toBe(0);
    const probe = parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as Obj | null)
      .find((o) => o?.metadata.name === 'notes-probe');
    const notes = String(probe?.data.notes);
    expect(notes).toContain('kubectl -n temporal port-forward svc/temporal-web 8233:8080');
    expect(notes).toContain(`kubectl -n ${NS} exec deploy/${FULL}-coordinator -- node /app/bin/vigil.js approve <incident> --analyst <you>`);
    expect(notes).toContain('--name analystDecision');
    expect(notes).toContain('Remediation is in DRY-RUN');
    expect(notes).toContain('the Role allows only: kubernetes:label');
  });
});
