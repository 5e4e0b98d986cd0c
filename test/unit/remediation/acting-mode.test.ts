import { remediationMode } from '../../../activities/remediation/acting-mode';

describe('remediation acting mode', () => {
  it('dry-runs unless VIGIL_DRY_RUN is exactly "false"', () => {
    expect(remediationMode({})).toEqual({ dryRun: true });
    expect(remediationMode({ VIGIL_DRY_RUN: 'no' })).toEqual({ dryRun: true });
  });

  it('refuses to start acting without a Kubernetes applier, saying how to fix it', () => {
    expect(() => remediationMode({ VIGIL_DRY_RUN: 'false' })).toThrow(/VIGIL_DRY_RUN=false .* no Kubernetes applier/);
  });

  it('acts through the applier it is given', () => {
    const apply = async () => undefined;
    expect(remediationMode({ VIGIL_DRY_RUN: 'false' }, () => apply)).toEqual({ dryRun: false, apply });
  });
});
