import { rowBroken, writesNotAudited } from '../../../bench/faults/count';
import type { Row } from '../../../bench/faults/count';
import type { AuditWrite } from '../../../bench/faults/kube';

/** An action the outcome calls executed must have reached the API server: the audit log is the judge. */
const audit = (resource: string, namespace: string, name: string, code = 200): AuditWrite => ({ verb: 'patch', resource, namespace, name, body: '{}', code });

describe('writes recorded as made against the audit log', () => {
  it('finds each claimed write by resource and object, whatever status the log holds', () => {
    const claimed = [
      { incident: 'i1', kind: 'Pod', namespace: 'default', name: 'web-1' },
      { incident: 'i1', kind: 'NetworkPolicy', namespace: 'default', name: 'vigil-isolate-web-1' },
      { incident: 'i2', kind: 'Node', namespace: '', name: 'node-a' },
    ];
    const log = [audit('pods', 'default', 'web-1'), audit('networkpolicies', 'default', 'vigil-isolate-web-1', 500), audit('nodes', '', 'node-a')];
    expect(writesNotAudited(claimed, log)).toEqual([]);
  });

  it('reports a claimed write whose object the API server never saw written', () => {
    const claimed = [
      { incident: 'i1', kind: 'Pod', namespace: 'default', name: 'web-1' },
      { incident: 'i2', kind: 'Pod', namespace: 'default', name: 'web-2' },
      { incident: 'i3', kind: 'Pod', namespace: 'prod', name: 'web-1' },
    ];
    // A subresource write names its pod; a policy of the same name is another object.
    const log = [audit('pods/ephemeralcontainers', 'default', 'web-1'), audit('networkpolicies', 'default', 'web-2')];
    expect(writesNotAudited(claimed, log).map((c) => c.incident)).toEqual(['i2', 'i3']);
  });

  it('breaks the row', () => {
    const row = { lost: 0, duplicates: 0, executedUnaudited: 0, notificationsLost: 0, notificationsDuplicated: 0, poisonDeadLettered: 0, poisonSent: 0 } as Row;
    expect(rowBroken(row)).toBe(false);
    expect(rowBroken({ ...row, executedUnaudited: 1 })).toBe(true);
  });
});
