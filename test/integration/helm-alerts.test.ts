import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { toolPath } from '../../lib/tools';
import { CHART_DIR } from '../../scripts/chart/chart-files';
import { runCommand } from '../helpers/run-command';

/**
 * The chart's PrometheusRule, as Prometheus evaluates it: `promtool check rules` on the rendered
 * groups (PromQL and annotation templates), then `promtool test rules` feeding synthetic series of
 * the metrics Vigil exports and asserting which alerts fire, with which labels, and which do not.
 * Annotations are left out of the unit tests only because their $value text depends on the
 * promtool version's range extrapolation.
 */

const HELM = toolPath('helm', 'HELM_BIN');
const PROMTOOL = toolPath('promtool', 'PROMTOOL_BIN');
let work: string;
let groups: { name: string; rules: { alert: string; annotations?: unknown }[] }[];

const ns = 'namespace="vigil"';
const svc = (c: string) => `service="rel-vigil-${c}"`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
  const chart = join(work, 'vigil');
  cpSync(CHART_DIR, chart, { recursive: true });
  // The rule does not depend on the policy bundle; an operator ConfigMap name skips it.
  const r = await runCommand(HELM, ['template', 'rel', chart, '-n', 'vigil', '--kube-version', '1.31.0', '--set', 'monitoring.prometheusRule.enabled=true', '--set', 'review.policy.existingConfigMap=p', '--show-only', 'templates/prometheusrule.yaml']);
  if (r.code !== 0) throw new Error(r.stderr);
  const rule = parseAllDocuments(r.stdout)[0]!.toJS() as { spec: { groups: typeof groups } };
  groups = rule.spec.groups;
  writeFileSync(join(work, 'rules.yaml'), stringify({ groups }));
  const bare = groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _drop, ...rest }) => rest) }));
  writeFileSync(join(work, 'rules-bare.yaml'), stringify({ groups: bare }));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

it('ships the five alerts the issue asks for, component down, and the gate pass-rate drift (with its hourly pass-rate record)', () => {
  expect(groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : []))).sort()).toEqual(
    ['VigilActivityFailureRate', 'VigilComponentDown', 'VigilDeadLetterGrowing', 'VigilEscalationExpired', 'VigilEscalationStuck', 'VigilGateLagging', 'VigilGatePassRateDrift'].sort(),
  );
  expect(groups.flatMap((g) => g.rules.flatMap((r) => ((r as { record?: string }).record ? [(r as { record?: string }).record] : [])))).toEqual(['vigil:gate_pass_rate:1h']);
});

it('passes promtool check rules (PromQL and annotation templates)', async () => {
  const r = await runCommand(PROMTOOL, ['check', 'rules', join(work, 'rules.yaml')]);
  expect(r.stdout + r.stderr).toContain('SUCCESS');
  expect(r.code).toBe(0);
});

it('fires each alert on the metrics that mean trouble, and stays quiet otherwise', async () => {
  const tests = {
    rule_files: ['rules-bare.yaml'],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          // review is down for 8 minutes; another release's target is down too and must not alert.
          { series: `up{${ns}, ${svc('review')}, component="review", pod="review-0"}`, values: '1 1 0x10' },
          { series: `up{${ns}, service="other-app", pod="other-0"}`, values: '0x12' },
          { series: `up{${ns}, ${svc('gate')}, component="gate", pod="gate-0"}`, values: '1x12' },
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'VigilComponentDown', exp_alerts: [{ exp_labels: { severity: 'critical', namespace: 'vigil', service: 'rel-vigil-review', component: 'review', pod: 'review-0' } }] },
          { eval_time: '5m', alertname: 'VigilComponentDown', exp_alerts: [] },
        ],
      },
      {
        interval: '1m',
        input_series: [
          // One escalation settled by timeout at minute 30; escalations keep coming, no analyst answers.
          { series: `vigil_analyst_decisions_total{${ns}, ${svc('coordinator')}, outcome="timeout"}`, values: '0x30 1x60' },
          { series: `vigil_verdicts_total{${ns}, ${svc('review')}, outcome="escalate"}`, values: '0+1x90' },
        ],
        alert_rule_test: [
          { eval_time: '20m', alertname: 'VigilEscalationExpired', exp_alerts: [] },
          { eval_time: '45m', alertname: 'VigilEscalationExpired', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'vigil' } }] },
          { eval_time: '5m', alertname: 'VigilEscalationStuck', exp_alerts: [] },
          { eval_time: '30m', alertname: 'VigilEscalationStuck', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'vigil' } }] },
        ],
      },
      {
        interval: '1m',
        input_series: [
          // The same escalations, but analysts decide some: not stuck.
          { series: `vigil_verdicts_total{${ns}, ${svc('review')}, outcome="escalate"}`, values: '0+1x90' },
          { series: `vigil_analyst_decisions_total{${ns}, ${svc('coordinator')}, outcome="approve"}`, values: '0+1x90' },
        ],
        alert_rule_test: [{ eval_time: '60m', alertname: 'VigilEscalationStuck', exp_alerts: [] }],
      },
      {
        interval: '1m',
        input_series: [
          // 5 malformed events a minute go to the DLQ; 10% of analysis activities fail... review is healthy.
          { series: `vigil_gate_events_dead_lettered_total{${ns}, ${svc('gate')}, reason="schema"}`, values: '0+5x30' },
          { series: `vigil_agent_activities_total{${ns}, ${svc('analysis')}, agent="analysis", skill="analyse", transport="temporal", outcome="ok"}`, values: '0+10x30' },
          { series: `vigil_agent_activities_total{${ns}, ${svc('analysis')}, agent="analysis", skill="analyse", transport="temporal", outcome="error"}`, values: '0+5x30' },
          { series: `vigil_agent_activities_total{${ns}, ${svc('review')}, agent="review", skill="review", transport="temporal", outcome="ok"}`, values: '0+10x30' },
          { series: `vigil_agent_activities_total{${ns}, ${svc('review')}, agent="review", skill="review", transport="temporal", outcome="error"}`, values: '0x30' },
        ],
        alert_rule_test: [
          { eval_time: '25m', alertname: 'VigilDeadLetterGrowing', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'vigil' } }] },
          { eval_time: '25m', alertname: 'VigilActivityFailureRate', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'vigil', agent: 'analysis' } }] },
        ],
      },
      {
        interval: '1m',
        input_series: [
          { series: `vigil_gate_events_dead_lettered_total{${ns}, ${svc('gate')}, reason="schema"}`, values: '0x30' },
          { series: `vigil_agent_activities_total{${ns}, ${svc('analysis')}, agent="analysis", skill="analyse", transport="temporal", outcome="ok"}`, values: '0+10x30' },
        ],
        alert_rule_test: [
          { eval_time: '25m', alertname: 'VigilDeadLetterGrowing', exp_alerts: [] },
          { eval_time: '25m', alertname: 'VigilActivityFailureRate', exp_alerts: [] },
        ],
      },
      {
        interval: '1m',
        input_series: [
          // falco.events is 12k behind over two partitions (partition 0 also still reported by a pod
          // that lost it in a rebalance: counted once); another topic is only 5k behind.
          { series: `vigil_gate_consumer_lag{${ns}, ${svc('gate')}, pod="gate-0", topic="falco.events", partition="0"}`, values: '6000x30' },
          { series: `vigil_gate_consumer_lag{${ns}, ${svc('gate')}, pod="gate-1", topic="falco.events", partition="0"}`, values: '6000x30' },
          { series: `vigil_gate_consumer_lag{${ns}, ${svc('gate')}, pod="gate-1", topic="falco.events", partition="1"}`, values: '6000x30' },
          { series: `vigil_gate_consumer_lag{${ns}, ${svc('gate')}, pod="gate-0", topic="falco.audit", partition="0"}`, values: '5000x30' },
        ],
        alert_rule_test: [
          { eval_time: '5m', alertname: 'VigilGateLagging', exp_alerts: [] },
          { eval_time: '15m', alertname: 'VigilGateLagging', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'vigil', topic: 'falco.events' } }] },
        ],
      },
      {
        interval: '1m',
        // Calibrated for 0.2 %; 5,000 alerts a minute scored, 1 % of them passing: 5x the target.
        input_series: [
          { series: `vigil_gate_target_pass_rate{${ns}, ${svc('gate')}, pod="gate-0"}`, values: '0.002x120' },
          { series: `vigil_gate_events_scored_total{${ns}, ${svc('gate')}, pod="gate-0"}`, values: '0+5000x120' },
          { series: `vigil_gate_anomalies_total{${ns}, ${svc('gate')}, pod="gate-0", reason="score"}`, values: '0+50x120' },
        ],
        promql_expr_test: [{ expr: 'round(vigil:gate_pass_rate:1h * 1000)', eval_time: '90m', exp_samples: [{ labels: '{namespace="vigil"}', value: 10 }] }],
        alert_rule_test: [
          { eval_time: '5m', alertname: 'VigilGatePassRateDrift', exp_alerts: [] },
          { eval_time: '90m', alertname: 'VigilGatePassRateDrift', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'vigil' } }] },
        ],
      },
      {
        interval: '1m',
        // Within budget: 0.2 % passing.
        input_series: [
          { series: `vigil_gate_target_pass_rate{${ns}, ${svc('gate')}, pod="gate-0"}`, values: '0.002x120' },
          { series: `vigil_gate_events_scored_total{${ns}, ${svc('gate')}, pod="gate-0"}`, values: '0+5000x120' },
          { series: `vigil_gate_anomalies_total{${ns}, ${svc('gate')}, pod="gate-0", reason="score"}`, values: '0+10x120' },
        ],
        alert_rule_test: [{ eval_time: '90m', alertname: 'VigilGatePassRateDrift', exp_alerts: [] }],
      },
      {
        interval: '1m',
        // Everything passing, but five alerts a minute is too little traffic to judge a rate by.
        input_series: [
          { series: `vigil_gate_target_pass_rate{${ns}, ${svc('gate')}, pod="gate-0"}`, values: '0.002x120' },
          { series: `vigil_gate_events_scored_total{${ns}, ${svc('gate')}, pod="gate-0"}`, values: '0+5x120' },
          { series: `vigil_gate_anomalies_total{${ns}, ${svc('gate')}, pod="gate-0", reason="score"}`, values: '0+5x120' },
        ],
        alert_rule_test: [{ eval_time: '90m', alertname: 'VigilGatePassRateDrift', exp_alerts: [] }],
      },
    ],
  };
  writeFileSync(join(work, 'tests.yaml'), stringify(tests));
  const r = await runCommand(PROMTOOL, ['test', 'rules', join(work, 'tests.yaml')]);
  expect(r.stdout + r.stderr).toContain('SUCCESS');
  expect(r.code).toBe(0);
});
