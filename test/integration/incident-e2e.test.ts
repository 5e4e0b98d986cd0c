import type { IncidentOutcome } from '../../contracts';
import { startIncident } from '../../lib/incidents';
import { stateQuery } from '../../workflows/definitions';
import type { DevStack } from '../helpers/dev-stack';
import { startDevStack, waitForStatus } from '../helpers/dev-stack';
import { anomalyOf, byRule, evidentAlert, exampleAlert } from '../helpers/fixtures';
import { runCommand, runVigil } from '../helpers/run-command';
import { temporalCliPath } from '../helpers/tools';

/** One incident end to end on a real dev server, each agent its own OS process. */
describe('incident end to end (dev server + five worker processes)', () => {
  let stack: DevStack;
  beforeAll(async () => {
    stack = await startDevStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const vigil = (...args: string[]) => runVigil(args, { env: { TEMPORAL_ADDRESS: stack.server.address, ...stack.analysts.env } });
  const signal = (workflowId: string, payload: string) =>
    runCommand(temporalCliPath(), ['workflow', 'signal', '--address', stack.server.address, '--workflow-id', workflowId, '--name', 'analystDecision', '--input', payload]);
  const open = async (pred: Parameters<typeof exampleAlert>[0]) => {
    const { incidentId } = await startIncident(stack.client, anomalyOf(exampleAlert(pred)));
    return stack.client.workflow.getHandle(incidentId);
  };
  const criticalShell = byRule('Terminal shell in container', (a) => a.priority === 'Critical');

  it('auto-executes an allowed action on evidence of compromise (dry-run records the exact patch)', async () => {
    const { incidentId } = await startIncident(stack.client, anomalyOf(evidentAlert()));
    const handle = stack.client.workflow.getHandle(incidentId);
    const outcome: IncidentOutcome = await handle.result();
    expect(outcome).toMatchObject({ resolution: 'executed', verdict: 'auto_execute', decidedBy: null });
    expect(outcome.actionResults).toEqual([expect.objectContaining({ actionner: 'kubernetes:label', status: 'dry_run' })]);
    const desc = await handle.describe();
    expect(desc.searchAttributes).toMatchObject({ VigilStatus: ['closed'], VigilVerdict: ['auto_execute'], VigilSeverity: ['low'] });
    expect(await desc.staticSummary()).toContain(evidentAlert().rule);
  });

  it('auto-rejects a notify-only finding and runs nothing', async () => {
    const outcome: IncidentOutcome = await (await open(byRule('K8s Serviceaccount Created'))).result();
    expect(outcome).toMatchObject({ resolution: 'rejected', verdict: 'auto_reject', actionResults: [] });
  });

  it('never opens a second incident for the same alert', async () => {
    const anomaly = anomalyOf(exampleAlert(byRule('K8s Serviceaccount Created')), { key: `dup-${Date.now()}` });
    const first = await startIncident(stack.client, anomaly);
    const second = await startIncident(stack.client, { ...anomaly, alert: { ...anomaly.alert, uuid: 'regenerated-by-sidekick' } });
    expect(first.started).toBe(true);
    expect(second).toEqual({ incidentId: first.incidentId, started: false });
  });

  /** Polls the state until `n` decision records exist (signals are fire-and-forget). */
  const decisionsRecorded = async (handle: Awaited<ReturnType<typeof open>>, n: number) => {
    const deadline = Date.now() + 20_000;
    let state = await handle.query(stateQuery);
    while (state.decisions.length < n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      state = await handle.query(stateQuery);
    }
    return state;
  };

  it('refuses a forged plain `temporal workflow signal` approval, then executes one signed by `vigil approve --print`', async () => {
    const handle = await open(criticalShell);
    const waiting = await waitForStatus(handle, 'awaiting_decision');
    expect(waiting.verdict?.escalation).toMatchObject({ requiredRole: 'senior', timeoutSeconds: 900 });
    // Anyone who reaches the frontend can send this, naming any analyst: it proves nothing.
    expect((await signal(handle.workflowId, '{"decision":"approve","analyst":"alice","reason":"confirmed intrusion"}')).code).toBe(0);
    const refused = await decisionsRecorded(handle, 1);
    expect(refused.status).toBe('awaiting_decision');
    expect(refused.decisions).toEqual([expect.objectContaining({ accepted: false, signed: false, via: 'signal', decision: null, refusal: expect.stringContaining('not signed') })]);

    const printed = await vigil('approve', handle.workflowId, '--analyst', 'alice', '--reason', 'confirmed intrusion', '--print');
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(printed.stdout)).toEqual({ token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
    expect((await signal(handle.workflowId, printed.stdout.trim())).code).toBe(0);
    const outcome: IncidentOutcome = await handle.result();
    expect(outcome).toMatchObject({ resolution: 'executed', decidedBy: 'alice' });
    expect(outcome.actionResults.map((r) => r.actionner)).toEqual(['kubernetes:label', 'kubernetes:networkpolicy', 'kubernetes:terminate']);
  });

  it('rejects an escalation through `vigil reject`', async () => {
    const handle = await open(criticalShell);
    await waitForStatus(handle, 'awaiting_decision');
    const pending = await vigil('pending');
    expect(pending.stdout).toContain(handle.workflowId);
    const r = await vigil('reject', handle.workflowId, '--analyst', 'alice', '--reason', 'false positive');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('reject accepted');
    expect(await handle.result()).toMatchObject({ resolution: 'rejected', decidedBy: 'alice', actionResults: [] });
  });

  it('refuses malformed and unauthorized decisions with the reason, and keeps waiting', async () => {
    const handle = await open(criticalShell);
    await waitForStatus(handle, 'awaiting_decision');
    const nameless = await vigil('approve', handle.workflowId, '--analyst', 'not a name');
    expect(nameless.code).toBe(1);
    expect(nameless.stderr).toContain('not an analyst name');
    const junior = await vigil('approve', handle.workflowId, '--analyst', 'bob');
    expect(junior.code).toBe(2);
    expect(junior.stderr).toContain('lacks the senior role');
    expect((await signal(handle.workflowId, '{"decision":"yes","analyst":"alice"}')).code).toBe(0);
    const deadline = Date.now() + 20_000;
    let state = await handle.query(stateQuery);
    while (state.decisions.filter((d) => d.via === 'signal').length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      state = await handle.query(stateQuery);
    }
    expect(state.status).toBe('awaiting_decision');
    expect(state.decisions).toEqual([
      expect.objectContaining({ accepted: false, via: 'update', refusal: expect.stringContaining('lacks the senior role') }),
      expect.objectContaining({ accepted: false, via: 'signal', refusal: expect.stringContaining('malformed decision') }),
    ]);
    await vigil('reject', handle.workflowId, '--analyst', 'alice');
    expect(await handle.result()).toMatchObject({ resolution: 'rejected' });
  });

  it('completes an incident whose coordinator and remediation workers were killed while it waited', async () => {
    const handle = await open(criticalShell);
    await waitForStatus(handle, 'awaiting_decision');
    const { verdict } = await handle.query(stateQuery);
    await stack.workers.workers.get('coordinator')!.kill9();
    await stack.workers.workers.get('remediation')!.kill9();
    // Signals need no worker: Temporal holds the decision until the coordinator is back. With the
    // coordinator down nothing answers a query, so the verdict answered is named explicitly.
    const printed = await vigil('approve', handle.workflowId, '--analyst', 'alice', '--reason', 'go', '--print', '--verdict', verdict!.inputDigest);
    expect(printed.code).toBe(0);
    expect((await signal(handle.workflowId, printed.stdout.trim())).code).toBe(0);
    await stack.workers.start('coordinator');
    await stack.workers.start('remediation');
    const outcome: IncidentOutcome = await handle.result();
    expect(outcome).toMatchObject({ resolution: 'executed', decidedBy: 'alice' });
    expect(outcome.actionResults).toHaveLength(3);
  });
});
