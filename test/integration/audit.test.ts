import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry, AuditTrail } from '../../cli/audit';
import type { FalcoAlert, IncidentOutcome } from '../../contracts';
import { startIncident } from '../../lib/incidents';
import type { DevStack } from '../helpers/dev-stack';
import { startDevStack, waitForStatus } from '../helpers/dev-stack';
import { anomalyOf, byRule, exampleAlert, ROOT } from '../helpers/fixtures';
import { runCommand, runVigil } from '../helpers/run-command';
import { temporalCliPath } from '../helpers/tools';

/**
 * `vigil audit` on real incidents (dev server + five worker processes): every verdict and every
 * analyst decision, with policy version, input digest, reasons, mutated steps, analyst and time,
 * read back from the workflow history alone.
 */
describe('vigil audit (dev server + five worker processes)', () => {
  let stack: DevStack;
  beforeAll(async () => {
    stack = await startDevStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const vigil = (...args: string[]) => runVigil(args, { env: { TEMPORAL_ADDRESS: stack.server.address, ...stack.analysts.env } });
  const audit = async (id: string): Promise<AuditTrail> => {
    const r = await vigil('audit', id, '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(r.stdout) as AuditTrail;
  };
  const policyVersion = () => (JSON.parse(readFileSync(join(ROOT, 'policies', 'build', 'manifest.json'), 'utf8')) as { version: string }).version;
  const criticalShell = () => exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical'));
  const ofKind = <K extends AuditEntry['kind']>(t: AuditTrail, kind: K) => t.entries.filter((e): e is Extract<AuditEntry, { kind: K }> => e.kind === kind);

  it('tells who was refused and why, who allowed it, under which policy, and what ran', async () => {
    const { incidentId } = await startIncident(stack.client, anomalyOf(criticalShell()));
    const handle = stack.client.workflow.getHandle(incidentId);
    await waitForStatus(handle, 'awaiting_decision');
    expect((await vigil('approve', incidentId, '--analyst', 'bob', '--reason', 'looks fine')).code).toBe(2);
    const signal = (payload: string) =>
      runCommand(temporalCliPath(), ['workflow', 'signal', '--address', stack.server.address, '--workflow-id', incidentId, '--name', 'analystDecision', '--input', payload]);
    expect((await signal('{"decision":"maybe","analyst":"alice"}')).code).toBe(0);
    expect((await signal('{"decision":"approve","analyst":"alice","reason":"forged: nothing signs this"}')).code).toBe(0);
    const printed = await vigil('approve', incidentId, '--analyst', 'alice', '--reason', 'confirmed intrusion', '--print');
    expect(printed.code).toBe(0);
    expect((await signal(printed.stdout.trim())).code).toBe(0);
    const outcome: IncidentOutcome = await handle.result();
    expect(outcome).toMatchObject({ resolution: 'executed', decidedBy: 'alice' });

    const trail = await audit(incidentId);
    expect(trail).toMatchObject({ incidentId, status: 'completed', rule: 'Terminal shell in container', asset: 'default/kubecon' });
    expect(trail.entries.map((e) => e.kind)).toEqual(['verdict', 'decision', 'decision', 'decision', 'decision', 'remediation', 'resolution']);
    const [verdict] = ofKind(trail, 'verdict');
    expect(verdict).toMatchObject({ outcome: 'escalate', policyVersion: policyVersion(), escalation: { requiredRole: 'senior', timeoutSeconds: 900, repage: true } });
    expect(verdict?.inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // A Critical shell alone is not evidence enough to contain unattended, and terminate always needs a human.
    expect(verdict?.reasons.map((r) => r.code)).toEqual(['evidence_inconclusive', 'human_only_action']);
    expect(verdict?.flagged).toEqual([{ actionId: 'terminate-pod', codes: ['human_only_action'], disposition: 'passed' }]);

    const [bob, malformed, forged, alice] = ofKind(trail, 'decision');
    expect(bob).toMatchObject({ accepted: false, signed: true, via: 'update', analyst: 'bob', policyVersion: policyVersion(), requiredRoles: ['senior'], reasons: [{ code: 'missing_role' }] });
    expect(bob?.inputDigest).toMatch(/^sha256:/);
    expect(malformed).toMatchObject({ accepted: false, via: 'signal', analyst: null, policyVersion: null, refusal: expect.stringContaining('malformed decision') });
    // The forged plain signal: refused, kept as a digest of what was sent, never believed.
    expect(forged).toMatchObject({ accepted: false, signed: false, via: 'signal', reasons: [{ code: 'unsigned' }], payloadDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(JSON.stringify(forged)).not.toContain('nothing signs this');
    expect(alice).toMatchObject({ accepted: true, signed: true, via: 'signal', analyst: 'alice', policyVersion: policyVersion(), reasons: [], decision: { decision: 'approve', reason: 'confirmed intrusion' } });
    for (const d of [bob, malformed, forged, alice]) expect(Date.parse(d?.at ?? '')).toBeGreaterThan(Date.parse(verdict?.at ?? ''));

    const [ran] = ofKind(trail, 'remediation');
    expect(ran?.results.map((r) => `${r.actionner}=${r.status}`)).toEqual(['kubernetes:label=dry_run', 'kubernetes:networkpolicy=dry_run', 'kubernetes:terminate=dry_run']);
    expect(ofKind(trail, 'resolution')).toEqual([expect.objectContaining({ resolution: 'executed', decidedBy: 'alice' })]);

    const human = await vigil('audit', incidentId);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`escalate under policy ${policyVersion()}`);
    expect(human.stdout).toMatch(/REFUSED signed approve by bob \("looks fine"\) via update under policy [0-9a-f]{16}/);
    expect(human.stdout).toContain('missing_role: bob lacks the senior role this incident requires');
    expect(human.stdout).toMatch(/accepted signed approve by alice \("confirmed intrusion"\) via signal under policy/);
    expect(human.stdout).toContain('executed, decided by alice');
  });

  it('shows a mutated step: the workflow ran the rewrite, not the drastic original, and the review worker counted it', async () => {
    const base = criticalShell();
    // The shell's peer is an outside address (a reverse shell): evidence enough to contain unattended.
    const deploymentPod: FalcoAlert = { ...base, output_fields: { ...base.output_fields, 'k8s.pod.name': 'web-7d9f8c6b5-x2x9q', 'fd.rip': '203.0.113.50' } };
    const metrics = async () => {
      const res = await fetch(`http://127.0.0.1:${stack.workers.opsPorts.get('review')}/metrics`);
      return Number(/vigil_review_flagged_actions_total\{disposition="mutated"\} (\d+)/.exec(await res.text())?.[1] ?? NaN);
    };
    const before = await metrics();
    const { incidentId } = await startIncident(stack.client, anomalyOf(deploymentPod));
    const outcome: IncidentOutcome = await stack.client.workflow.getHandle(incidentId).result();
    expect(outcome).toMatchObject({ resolution: 'executed', verdict: 'auto_execute' });
    expect(outcome.actionResults.map((r) => `${r.actionId}:${r.actionner}`)).toEqual(['quarantine-label:kubernetes:label', 'isolate-pod:kubernetes:networkpolicy']);
    expect(await metrics()).toBe(before + 1);

    const trail = await audit(incidentId);
    const [verdict] = ofKind(trail, 'verdict');
    expect(verdict?.mutations).toEqual([
      expect.objectContaining({ actionId: 'restart-workload', code: 'contain_instead_of_terminate', from: expect.objectContaining({ actionner: 'kubernetes:terminate' }), to: expect.objectContaining({ id: 'isolate-pod' }) }),
    ]);
    const human = await vigil('audit', incidentId);
    expect(human.stdout).toContain('mutated    kubernetes:terminate (workload, restart-workload) -> kubernetes:networkpolicy (pod, isolate-pod) [contain_instead_of_terminate]');
  });

  it('reads a closed incident from history with no coordinator running, and names an unknown incident clearly', async () => {
    const { incidentId } = await startIncident(stack.client, anomalyOf(exampleAlert(byRule('K8s Serviceaccount Created'))));
    await stack.client.workflow.getHandle(incidentId).result();
    await stack.workers.workers.get('coordinator')!.stop();
    const trail = await audit(incidentId);
    expect(trail.entries.map((e) => e.kind)).toEqual(['verdict', 'resolution']);
    expect(ofKind(trail, 'verdict')[0]?.outcome).toBe('auto_reject');
    expect(ofKind(trail, 'verdict')[0]?.reasons.map((r) => r.code)).toContain('notify_only');
    const missing = await vigil('audit', 'incident-does-not-exist');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/incident-does-not-exist|not found/i);
  });
});
