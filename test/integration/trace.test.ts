import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import type { IncidentOutcome } from '../../contracts';
import { startIncident } from '../../lib/incidents';
import { WORKER_NAMES } from '../../lib/devstack/stack';
import { decideUpdate } from '../../workflows/definitions';
import type { DevStack } from '../helpers/dev-stack';
import { startDevStack, waitForStatus } from '../helpers/dev-stack';
import type { FakeLlm } from '../helpers/fake-llm';
import { helpfulAnalysis, startFakeLlm } from '../helpers/fake-llm';
import { anomalyOf, byRule, exampleAlert } from '../helpers/fixtures';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const API_KEY = 'sk-never-log-this-7f3a';

type Line = Record<string, unknown>;
const jsonLines = (text: string): Line[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

/** One alert, followed by its trace id through every place it must appear. */
describe('one trace id from alert to notification', () => {
  let llm: FakeLlm;
  let stack: DevStack;
  let incidentId: string;
  let outcome: IncidentOutcome;
  beforeAll(async () => {
    llm = await startFakeLlm();
    llm.script({ kind: 'reply', reply: helpfulAnalysis });
    stack = await startDevStack({ VIGIL_LLM_BASE_URL: llm.baseUrl, VIGIL_LLM_MODEL: 'fake-model', VIGIL_LLM_API_KEY: API_KEY });
    const anomaly = anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical')), { traceId: TRACE });
    ({ incidentId } = await startIncident(stack.client, anomaly));
    const handle = stack.client.workflow.getHandle(incidentId);
    await waitForStatus(handle, 'awaiting_decision');
    await handle.executeUpdate(decideUpdate, { args: [await stack.analysts.decision(handle, 'alice', 'approve', 'confirmed')] });
    outcome = await handle.result();
    // Log lines are flushed by the processes asynchronously; give the last ones a moment.
    await new Promise((r) => setTimeout(r, 500));
  });
  afterAll(async () => {
    await stack?.stop();
    await llm?.close();
  });

  const logOf = (name: string) => readFileSync(join(stack.logDir, `${name}.log`), 'utf8');

  it('is the incident search attribute and the outcome trace id', async () => {
    expect(outcome).toMatchObject({ traceId: TRACE, resolution: 'executed', decidedBy: 'alice' });
    const desc = await stack.client.workflow.getHandle(incidentId).describe();
    expect(desc.searchAttributes.VigilTraceId).toEqual([TRACE]);
  });

  it('is in the metadata of every A2A message in the history, both ways', async () => {
    const history = await stack.client.workflow.getHandle(incidentId).fetchHistory();
    const messages: Array<{ metadata: { trace_id: string; skill: string; from: string } }> = [];
    const decode = (payloads: Payload[] | null | undefined) => (payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p) as (typeof messages)[number]);
    for (const e of history.events ?? []) {
      messages.push(...decode(e.activityTaskScheduledEventAttributes?.input?.payloads as Payload[] | undefined));
      messages.push(...decode(e.activityTaskCompletedEventAttributes?.result?.payloads as Payload[] | undefined));
    }
    const skills = new Set(messages.map((m) => `${m.metadata.from}:${m.metadata.skill}`));
    expect(skills).toEqual(new Set(['coordinator:analyse', 'analysis:analyse', 'coordinator:review', 'review:review', 'coordinator:authorize-decision', 'review:authorize-decision', 'coordinator:remediate', 'remediation:remediate', 'coordinator:notify', 'notification:notify']));
    expect(messages.every((m) => m.metadata.trace_id === TRACE)).toBe(true);
  });

  it("is on every log line of every agent's activity, and no event content or secret reaches a line's top level", () => {
    for (const agent of ['analysis', 'review', 'remediation', 'notification']) {
      const lines = jsonLines(logOf(agent));
      const incidentLines = lines.filter((l) => l.incident_id === incidentId || JSON.stringify(l).includes(incidentId));
      expect(incidentLines.length).toBeGreaterThan(0);
      // Every line about this incident (skill lines, LLM lines, SDK activity lines) joins on the trace id.
      expect(incidentLines.filter((l) => l.trace_id !== TRACE)).toEqual([]);
    }
    const analysis = jsonLines(logOf('analysis'));
    expect(analysis.some((l) => l.trace_id === TRACE && l.msg === 'LLM analysis accepted')).toBe(true);
    for (const name of WORKER_NAMES) {
      const text = logOf(name);
      expect(text).not.toContain(API_KEY);
      for (const l of jsonLines(text)) expect(Object.keys(l).filter((k) => ['output', 'output_fields', 'rule', 'proc.cmdline', 'alert'].includes(k))).toEqual([]);
    }
    expect(jsonLines(logOf('coordinator')).some((l) => l.trace_id === TRACE && l.msg === 'escalation settled')).toBe(true);
  });

  it('is an exemplar on the metrics each agent recorded for this incident (OpenMetrics)', async () => {
    for (const name of WORKER_NAMES) {
      const res = await fetch(`http://127.0.0.1:${stack.workers.opsPorts.get(name)}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
      expect(res.headers.get('content-type')).toContain('application/openmetrics-text');
      const body = await res.text();
      const withExemplar = body.split('\n').filter((l) => l.includes(`# {trace_id="${TRACE}"}`));
      expect({ name, found: withExemplar.length > 0 }).toEqual({ name, found: true });
    }
  });

  it('is in the notification text people read', () => {
    const text = logOf('notification');
    expect(text).toContain(`trace_id \`${TRACE}\``);
    expect(text).toContain(incidentId);
  });

  it('reaches the audit: decisions are recorded in the history of the workflow found by VigilTraceId', async () => {
    const found: string[] = [];
    for await (const wf of stack.client.workflow.list({ query: `VigilTraceId = "${TRACE}"` })) found.push(wf.workflowId);
    expect(found).toEqual([incidentId]);
    const history = await stack.client.workflow.getHandle(incidentId).fetchHistory();
    expect((history.events ?? []).some((e) => e.workflowPropertiesModifiedEventAttributes?.upsertedMemo)).toBe(true);
  });
});
