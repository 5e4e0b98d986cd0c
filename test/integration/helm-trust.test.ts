import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fromRoot } from '../../lib/paths';
import { APPROVALS_ISSUER, approvalsIssuer, issuerKeyFromPem } from '../../lib/trust/decision-keys';
import { signDecision, verifyDecisionToken } from '../../lib/trust/decision-token';
import { SIGNATURE_PURPOSES, signerFromPem, verifierFromKeys, publicKeysFromPem } from '../../lib/trust/signing';
import { toolPath } from '../../lib/tools';
import { CHART_DIR } from '../../scripts/chart/chart-files';
import { runCommand } from '../helpers/run-command';

/**
 * The chart's side of the trust boundary, rendered by the pinned helm: the signing keys it
 * generates work with Vigil's verifier, each pod mounts only its half of a key, and the approvals
 * service is its own locked-down Deployment reachable only as configured.
 */
type Obj = { kind: string; metadata: { name: string }; [k: string]: any };

const HELM = toolPath('helm', 'HELM_BIN');
const NS = 'vigil';
const FULL = 'rel-vigil';
const VALIDATOR = fromRoot('dist', 'scripts', 'chart', 'check-manifests.mjs');
let work: string;
let chart: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vigil-helm-trust-'));
  chart = join(work, 'vigil');
  cpSync(CHART_DIR, chart, { recursive: true, filter: (src) => !src.includes(join('files', 'policy')) });
  const built = await runCommand('bash', [fromRoot('scripts', 'chart', 'gen-chart-policy.sh'), chart], { timeoutMs: 120_000 });
  if (built.code !== 0) throw new Error(`gen-chart-policy.sh failed: ${built.stderr}`);
});
afterAll(() => work && rmSync(work, { recursive: true, force: true }));

const template = (args: string[]) => runCommand(HELM, ['template', 'rel', chart, '--namespace', NS, '--kube-version', '1.31.0', ...args], { timeoutMs: 60_000 });
async function render(args: string[]): Promise<Obj[]> {
  const r = await template(args);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null);
}
const named = (objs: Obj[], kind: string, name: string): Obj => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};
const pod = (objs: Obj[], c: string) => named(objs, 'Deployment', `${FULL}-${c}`).spec.template.spec;
const envOf = (objs: Obj[], c: string): Record<string, string> => Object.fromEntries((pod(objs, c).containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? '<from>']));
/** Which Secret items a component mounts, as "secret:item". */
const secretItems = (objs: Obj[], c: string) =>
  (pod(objs, c).volumes as { secret?: { secretName: string; items?: { key: string }[] } }[])
    .filter((v) => v.secret && !v.secret.secretName.endsWith('-tls'))
    .flatMap((v) => (v.secret!.items ?? [{ key: '*' }]).map((i) => `${v.secret!.secretName}:${i.key}`))
    .sort();

describe('signing keys the chart generates', () => {
  let objects: Obj[];
  beforeAll(async () => {
    objects = await render([]);
  });

  it('are Ed25519 key pairs Vigil signs and verifies with (private key, and a certificate for the public half)', () => {
    for (const name of [`${FULL}-verdict-key`, `${FULL}-gate-key`]) {
      const data = named(objects, 'Secret', name).data as Record<string, string>;
      const signer = signerFromPem(Buffer.from(data['signing.key']!, 'base64'));
      const verifier = verifierFromKeys(publicKeysFromPem(Buffer.from(data['signing.crt']!, 'base64').toString('utf8')));
      expect(verifier.check(SIGNATURE_PURPOSES.verdict, { name }, signer.sign(SIGNATURE_PURPOSES.verdict, { name }))).toBeNull();
    }
  });

  it('mount only the half each pod needs: signers the key, verifiers the certificate', () => {
    expect(secretItems(objects, 'review')).toEqual([`${FULL}-gate-key:signing.crt`, `${FULL}-verdict-key:signing.key`]);
    expect(secretItems(objects, 'remediation')).toEqual([`${FULL}-verdict-key:signing.crt`]);
    expect(secretItems(objects, 'gate')).toEqual([`${FULL}-gate-key:signing.key`]);
    for (const c of ['coordinator', 'analysis', 'notification']) expect(secretItems(objects, c)).toEqual([]);
    expect(envOf(objects, 'review')).toMatchObject({ VIGIL_VERDICT_SIGNING_KEY_FILE: '/etc/vigil/verdict-key/signing.key', VIGIL_GATE_PUBLIC_KEY_FILE: '/etc/vigil/gate-key/signing.crt' });
    expect(envOf(objects, 'remediation')).toMatchObject({ VIGIL_VERDICT_PUBLIC_KEY_FILE: '/etc/vigil/verdict-key/signing.crt' });
    expect(envOf(objects, 'gate')).toMatchObject({ VIGIL_GATE_SIGNING_KEY_FILE: '/etc/vigil/gate-key/signing.key' });
  });

  it('tells every agent that remediate and notify answer the coordinator only', () => {
    for (const c of ['analysis', 'review', 'remediation', 'notification']) expect(envOf(objects, c).VIGIL_A2A_COORDINATOR_IDENTITY).toBe(`${FULL}-coordinator.${NS}`);
  });

  it('use the operator\'s Secrets instead when named, generating none', async () => {
    const own = await render(['--set', 'trust.verdictKey.existingSecret=my-verdicts', '--set', 'trust.gateKey.existingSecret=my-gate']);
    expect(own.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
    expect(secretItems(own, 'review')).toEqual(['my-gate:signing.crt', 'my-verdicts:signing.key']);
  });
});

describe('the approvals service in the chart', () => {
  const values = [
    '--set', 'approvals.enabled=true',
    '--set', 'approvals.publicUrl=https://approvals.example.com',
    '--set', 'approvals.flavor=slack',
    '--set', 'approvals.slack.signingSecret.existingSecret=slack-app',
    '--set', 'approvals.ingress.enabled=true',
    '--set', 'approvals.ingress.host=approvals.example.com',
    '--set', 'approvals.network.peers[0].namespace=ingress-nginx',
    '--set', 'notification.webhook.existingSecret=chat-webhook',
  ];
  let objects: Obj[];
  beforeAll(async () => {
    objects = await render(values);
  });

  it('is its own Deployment: node dist/approvals/main.js, its own ServiceAccount without a token, no task queue, probes on the ops port', () => {
    const spec = pod(objects, 'approvals');
    const c = spec.containers[0];
    expect(c.command).toEqual(['node', '/app/dist/approvals/main.js']);
    expect(spec.serviceAccountName).toBe(`${FULL}-approvals`);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(named(objects, 'ServiceAccount', `${FULL}-approvals`).automountServiceAccountToken).toBe(false);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
    expect(c.ports.map((p: { name: string }) => p.name)).toEqual(['ops', 'http']);
    const env = envOf(objects, 'approvals');
    expect(env.VIGIL_TASK_QUEUE).toBeUndefined();
    expect(env).toMatchObject({ VIGIL_APPROVALS_BUTTON_KEY_FILE: '/etc/vigil/button-key/button.key', VIGIL_SLACK_SIGNING_SECRET_FILE: '/etc/vigil/slack/signing-secret', VIGIL_SLACK_RESPONSE_URL_PREFIX: 'https://hooks.slack.com/', VIGIL_POLICY_DIR: '/etc/vigil/policy' });
    expect(secretItems(objects, 'approvals')).toEqual([`${FULL}-approvals-button-key:button.key`, `${FULL}-approvals-key:signing.key`, 'slack-app:signing-secret']);
  });

  it('signs decisions with its own generated key, whose certificate alone the review agent mounts and trusts as an issuer', () => {
    expect(envOf(objects, 'approvals')).toMatchObject({ VIGIL_APPROVALS_DECISION_KEY_FILE: '/etc/vigil/approvals-key/signing.key' });
    expect(envOf(objects, 'review')).toMatchObject({ VIGIL_DECISION_APPROVALS_KEY_FILE: '/etc/vigil/approvals-key/signing.crt', VIGIL_DECISION_LOCAL_KEYS: 'off' });
    expect(secretItems(objects, 'review')).toContain(`${FULL}-approvals-key:signing.crt`);
  });

  it("generates a key pair a decision signed by the service verifies with, through the review agent's issuer", async () => {
    const data = named(objects, 'Secret', `${FULL}-approvals-key`).data as Record<string, string>;
    const issuer = issuerKeyFromPem(Buffer.from(data['signing.key']!, 'base64').toString('utf8'));
    const verdictDigest = `sha256:${'a'.repeat(64)}`;
    const token = await signDecision(issuer.key, { analyst: 'alice', decision: 'approve', reason: '', incidentId: 'incident-1', verdictDigest, issuer: APPROVALS_ISSUER, kid: issuer.kid, alg: 'EdDSA', ttlSeconds: 60 });
    const trusted = approvalsIssuer(Buffer.from(data['signing.crt']!, 'base64').toString('utf8'));
    expect(await verifyDecisionToken(token, [trusted], { incidentId: 'incident-1', verdictDigest })).toMatchObject({ ok: true, decision: { analyst: 'alice', decision: 'approve' }, issuer: APPROVALS_ISSUER });
  });

  it('shares the button key with the notification agent, which attaches Slack buttons pointing at the public URL', () => {
    expect(envOf(objects, 'notification')).toMatchObject({ VIGIL_APPROVALS_URL: 'https://approvals.example.com', VIGIL_WEBHOOK_FLAVOR: 'slack', VIGIL_APPROVALS_BUTTON_KEY_FILE: '/etc/vigil/button-key/button.key' });
    expect(secretItems(objects, 'notification')).toEqual([`${FULL}-approvals-button-key:button.key`]);
    expect(Buffer.from(named(objects, 'Secret', `${FULL}-approvals-button-key`).data['button.key'] as string, 'base64').length).toBeGreaterThanOrEqual(32);
  });

  it('is reachable only on its two callback paths, only from the configured peers, and is never an A2A caller', () => {
    const ing = named(objects, 'Ingress', `${FULL}-approvals`);
    expect(ing.spec.rules[0].http.paths.map((p: { path: string; pathType: string }) => `${p.pathType} ${p.path}`)).toEqual(['Exact /mattermost/actions', 'Exact /slack/interactivity']);
    const np = named(objects, 'NetworkPolicy', `${FULL}-approvals`);
    const http = np.spec.ingress.filter((r: { ports: { port: number }[] }) => r.ports.some((p) => p.port === 8080));
    expect(http).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: {} }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
    expect(np.spec.egress.some((r: { ports: { port: number }[] }) => r.ports.some((p) => p.port === 8443))).toBe(false);
    expect(envOf(objects, 'analysis').VIGIL_A2A_ALLOWED_IDENTITIES).not.toContain('approvals');
  });

  it('renders objects valid against the Kubernetes schemas', async () => {
    const file = join(work, 'approvals.yaml');
    writeFileSync(file, objects.map((o) => `---\n${JSON.stringify(o)}\n`).join(''));
    const r = await runCommand(process.execPath, [VALIDATOR, '--crd', join(chart, 'crds', 'agentprompts.vigil.dev.yaml'), file], { timeoutMs: 120_000 });
    expect(JSON.parse(r.stdout).invalid).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('refuses approvals without a public URL, and HTTPS on the pod without certificates', async () => {
    expect((await template(['--set', 'approvals.enabled=true'])).stderr).toContain('approvals.enabled needs approvals.publicUrl');
    const r = await template(['--set', 'approvals.enabled=true', '--set', 'approvals.publicUrl=https://a.example.com', '--set', 'approvals.tls.enabled=true', '--set', 'tls.mode=none']);
    expect(r.stderr).toContain('approvals.tls.enabled serves HTTPS with the component certificate');
  });
});
