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
