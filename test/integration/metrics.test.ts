import { spawn } from 'node:child_process';
import type { FlaggedAction, IncidentOutcome } from '../../contracts';
import { startIncident } from '../../lib/incidents';
import { fromRoot } from '../../lib/paths';
import { WORKER_NAMES } from '../../lib/devstack/stack';
import type { WorkerName } from '../../lib/devstack/stack';
import { toolPath } from '../../lib/tools';
import { decideUpdate, stateQuery } from '../../workflows/definitions';
import type { DevStack } from '../helpers/dev-stack';
import { startDevStack, waitForStatus } from '../helpers/dev-stack';
import type { FakeLlm } from '../helpers/fake-llm';
import { helpfulAnalysis, startFakeLlm } from '../helpers/fake-llm';
import { anomalyOf, byRule, evidentAlert, exampleAlert } from '../helpers/fixtures';

/** Feeds text to a command on stdin; resolves with its exit code and output. */
function pipe(command: string, args: string[], input: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
    child.stdin.end(input);
  });
}

// A strict OpenMetrics parser (prometheus_client, pinned by scripts/setup.sh a2a): prints the exemplars' trace ids.
const OPENMETRICS_CHECK = `
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
ids = set()
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        if s.exemplar is not None:
            ids.add(s.exemplar.labels.get("trace_id", ""))
print(json.dumps(sorted(ids)))
`;

/** Every process's /metrics: valid exposition (promtool), valid OpenMetrics, and the compliance figures. */
describe('metrics on every process', () => {
  let llm: FakeLlm;
  let stack: DevStack;
  let flagged: FlaggedAction[] = [];
  const scrape = async (name: WorkerName, openMetrics = false) =>
    (await fetch(`http://127.0.0.1:${stack.workers.opsPorts.get(name)}/metrics`, { headers: openMetrics ? { accept: 'application/openmetrics-text' } : {} })).text();
  const sample = (body: string, name: string, labels = ''): number | undefined => {
    const line = body.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `) || (!labels && l.startsWith(`${name}{`)));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  beforeAll(async () => {
    llm = await startFakeLlm();
    llm.script({ kind: 'reply', reply: helpfulAnalysis });
    stack = await startDevStack({ VIGIL_LLM_BASE_URL: llm.baseUrl, VIGIL_LLM_MODEL: 'fake-model' });
    // One escalated incident an analyst approves (every agent and skill speaks), one auto-executed.
    const critical = await startIncident(stack.client, anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical'))));
    const handle = stack.client.workflow.getHandle(critical.incidentId);
    await waitForStatus(handle, 'awaiting_decision');
    await handle.executeUpdate(decideUpdate, { args: [await stack.analysts.decision(handle, 'alice', 'approve', 'confirmed')] });
    const outcomes: IncidentOutcome[] = [await handle.result()];
    const low = await startIncident(stack.client, anomalyOf(evidentAlert()));
    const lowHandle = stack.client.workflow.getHandle(low.incidentId);
    outcomes.push(await lowHandle.result());
    // What policy flagged in these two verdicts, read from the incidents themselves: the rate's known value.
    flagged = (await Promise.all([handle, lowHandle].map((h) => h.query(stateQuery)))).flatMap((s) => s.verdict?.flagged ?? []);
    expect(outcomes.map((o) => o.resolution)).toEqual(['executed', 'executed']);
  });
  afterAll(async () => {
    await stack?.stop();
    await llm?.close();
  });

  it.each(WORKER_NAMES)('%s: `promtool check metrics` passes on /metrics', async (name) => {
    const body = await scrape(name);
    expect(body).toContain('process_cpu_user_seconds_total');
    const check = await pipe(toolPath('promtool', 'PROMTOOL_BIN'), ['check', 'metrics'], body);
    expect({ code: check.code, out: check.out }).toEqual({ code: 0, out: '' });
  });

  it.each(WORKER_NAMES)('%s: the OpenMetrics form parses strictly and carries trace_id exemplars', async (name) => {
    const check = await pipe(fromRoot('.tools', 'venv', 'bin', 'python'), ['-c', OPENMETRICS_CHECK], await scrape(name, true));
    expect({ code: check.code, out: check.code === 0 ? '' : check.out }).toEqual({ code: 0, out: '' });
    const ids = JSON.parse(check.out) as string[];
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
  });

  it('counts agent activities, verdicts, escalation waits, decisions, actions and LLM calls where they happen', async () => {
    const [analysis, review, remediation, coordinator] = await Promise.all([scrape('analysis'), scrape('review'), scrape('remediation'), scrape('coordinator')]);
    expect(sample(analysis, 'vigil_agent_activities_total', 'agent="analysis",skill="analyse",transport="temporal",outcome="ok"')).toBe(2);
    expect(sample(analysis, 'vigil_llm_requests_total', 'model="fake-model",outcome="ok"')).toBe(2);
    expect(sample(analysis, 'vigil_llm_tokens_total', 'model="fake-model",kind="prompt"')).toBe(642);
    expect(sample(analysis, 'vigil_analyses_total', 'analyser="llm",fallback="false"')).toBe(2);
    expect(sample(review, 'vigil_verdicts_total', 'outcome="escalate"')).toBe(1);
    expect(sample(review, 'vigil_verdicts_total', 'outcome="auto_execute"')).toBe(1);
    expect(sample(remediation, 'vigil_actions_total', 'actionner="kubernetes:terminate",status="dry_run"')).toBe(1);
    expect(sample(coordinator, 'vigil_analyst_decisions_total', 'outcome="approve"')).toBe(1);
    expect(sample(coordinator, 'vigil_escalation_wait_seconds_count', 'outcome="approve"')).toBe(1);
  });

  it('exports the compliance figures: least agency per agent, five-signal coverage, step-mutation rate', async () => {
    const [remediation, analysis, coordinator, review] = await Promise.all([scrape('remediation'), scrape('analysis'), scrape('coordinator'), scrape('review')]);
    // Granted: its skill and the six built-in actionners. Used: four: the skill, label and terminate the model
    // proposed, and the rule analyser's floor (the pod isolation the model left out) added by policy.
    expect(sample(remediation, 'vigil_least_agency_ratio', 'agent="remediation"')).toBeCloseTo(4 / 7, 6);
    expect(sample(remediation, 'vigil_agent_capability_used', 'agent="remediation",capability="actionner:kubernetes:terminate"')).toBe(1);
    expect(sample(remediation, 'vigil_agent_capability_used', 'agent="remediation",capability="actionner:kubernetes:networkpolicy"')).toBe(1);
    expect(sample(analysis, 'vigil_least_agency_ratio', 'agent="analysis"')).toBe(1);
    // The review agent was granted two skills and used both (review, authorize-decision).
    expect(sample(review, 'vigil_least_agency_ratio', 'agent="review"')).toBe(1);
    // Every agent's latest exchange carried metrics, logs, trace, A2A envelope and a policy decision.
    expect(sample(coordinator, 'vigil_five_signal_coverage')).toBe(1);
    expect(coordinator).toContain('vigil_agent_signal_observed{agent="notification",signal="policy"} 1');
    expect(review).toContain('# TYPE vigil_step_mutation_intervention_rate gauge');
    // Known from the verdicts: mutated over everything flagged. Something must have been flagged, or the rate is not defined.
    const mutated = flagged.filter((f) => f.disposition === 'mutated').length;
    expect(flagged.length).toBeGreaterThan(0);
    expect(sample(review, 'vigil_review_flagged_actions_total', 'disposition="mutated"')).toBe(mutated);
    expect(sample(review, 'vigil_step_mutation_intervention_rate')).toBeCloseTo(mutated / flagged.length, 10);
  });
});
