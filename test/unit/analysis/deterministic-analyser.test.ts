import { analyseDeterministically } from '../../../activities/analysis/deterministic-analyser';
import { AnalysisSchema } from '../../../contracts';
import { anomalyOf, byRule, exampleAlert, exampleAlerts } from '../../helpers/fixtures';

describe('deterministic analyser', () => {
  it('returns a valid analysis for every example alert', () => {
    for (const alert of exampleAlerts()) expect(AnalysisSchema.safeParse(analyseDeterministically(anomalyOf(alert))).success).toBe(true);
  });

  it('maps severity from priority and MITRE from tags', () => {
    const a = analyseDeterministically(anomalyOf(exampleAlert(byRule('Terminal shell in container', (x) => x.priority === 'Critical'))));
    expect(a.severity).toBe('critical');
    expect(a.technique).toEqual({ id: 'T1059', name: 'Command and Scripting Interpreter', tactic: 'execution' });
    expect(a.actions.map((x) => x.actionner)).toEqual(['kubernetes:label', 'kubernetes:networkpolicy', 'kubernetes:terminate']);
  });

  it('fills tags from the rule catalogue for old alerts that carry none', () => {
    const old = exampleAlert(byRule('Terminal shell in container', (x) => x.tags === undefined));
    expect(analyseDeterministically(anomalyOf(old)).technique?.id).toBe('T1059');
  });

  it('is as confident as the evidence of compromise, not as the rule is well known', () => {
    const confidence = (pred: Parameters<typeof exampleAlert>[0]) => analyseDeterministically(anomalyOf(exampleAlert(pred))).confidence;
    // A GitOps controller, a monitoring agent: discovery is not compromise, however familiar the rule.
    const apiContact = confidence(byRule('Contact K8S API Server From Container'));
    const noticeShell = confidence(byRule('Terminal shell in container', (x) => x.priority === 'Notice'));
    const criticalShell = confidence(byRule('Terminal shell in container', (x) => x.priority === 'Critical'));
    const droppedBinary = confidence(byRule('Drop and execute new binary in container'));
    expect(apiContact).toBeLessThan(0.6);
    expect(apiContact).toBeLessThan(noticeShell);
    expect(noticeShell).toBeLessThan(criticalShell);
    expect(criticalShell).toBeLessThanOrEqual(droppedBinary);
    expect(droppedBinary).toBeLessThanOrEqual(0.95);
    // A barely anomalous score takes a little away.
    const shell = exampleAlert(byRule('Terminal shell in container', (x) => x.priority === 'Notice'));
    expect(analyseDeterministically({ ...anomalyOf(shell), score: 0.5 }).confidence).toBeLessThan(noticeShell);
  });

  it('is less confident about rules it does not know', () => {
    const custom = analyseDeterministically(anomalyOf(exampleAlert((x) => x.rule.startsWith('Custom:'))));
    expect(custom.confidence).toBeLessThan(0.6);
    expect(custom.technique).toBeNull();
  });

  it('proposes nothing for host-level and informational findings', () => {
    expect(analyseDeterministically(anomalyOf(exampleAlert((x) => x.rule.startsWith('Falco internal')))).actions).toEqual([]);
    expect(analyseDeterministically(anomalyOf(exampleAlert(byRule('Write below binary dir')))).actions).toEqual([]);
  });
});
