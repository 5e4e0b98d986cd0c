import { AnalystDecisionSchema } from '../../../contracts';

describe('AnalystDecisionSchema', () => {
  it('accepts the documented payload and defaults the reason', () => {
    expect(AnalystDecisionSchema.parse({ decision: 'approve', analyst: 'alice' })).toEqual({ decision: 'approve', analyst: 'alice', reason: '' });
  });

  it.each([
    [{ decision: 'maybe', analyst: 'alice' }, 'decision'],
    [{ decision: 'approve' }, 'analyst'],
    [{ decision: 'approve', analyst: 'al ice' }, 'plain identity'],
    [{ decision: 'approve', analyst: 'alice', extra: 1 }, 'extra'],
    ['approve', 'object'],
  ])('refuses %j', (payload, fragment) => {
    const r = AnalystDecisionSchema.safeParse(payload);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(fragment);
  });
});
