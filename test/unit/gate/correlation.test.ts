import type { FalcoAlert } from '../../../contracts';
import { assetOf } from '../../../contracts';
import { alertFingerprint, correlationKeyFor, correlationSubject, incidentIdFor, traceIdFor } from '../../../lib/identity';
import { exampleAlerts } from '../../helpers/fixtures';
import { background } from './helpers';

const find = (pred: (a: FalcoAlert) => boolean) => structuredClone(exampleAlerts().find(pred)!);
const TEN_MIN = 10 * 60 * 1000;

describe('trace id and correlation key (lib/identity)', () => {
  it('derives the trace id from the content, so a redelivered alert keeps it', () => {
    const a = find((x) => x.rule === 'Terminal shell in container');
    const redelivered = { ...a, uuid: 'regenerated-by-falcosidekick' };
    expect(traceIdFor(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIdFor(redelivered)).toBe(traceIdFor(a));
    expect(traceIdFor({ ...a, time: '2030-01-01T00:00:00Z' })).not.toBe(traceIdFor(a));
    expect(traceIdFor(a, alertFingerprint(a))).toBe(traceIdFor(a));
  });

  it('keeps a carried W3C trace id, but not an invalid or all-zero one', () => {
    const a = find((x) => x.rule === 'Terminal shell in container');
    const carried = '0af7651916cd43dd8448eb211c80319c';
    expect(traceIdFor({ ...a, trace_id: carried } as FalcoAlert)).toBe(carried);
    expect(traceIdFor({ ...a, output_fields: { ...a.output_fields, trace_id: '0'.repeat(32) } })).not.toBe('0'.repeat(32));
    expect(traceIdFor({ ...a, output_fields: { ...a.output_fields, trace_id: 'not-hex' } })).toMatch(/^[0-9a-f]{32}$/);
  });

  it('names the subject: the pod, the audited object, the host', () => {
    expect(correlationSubject(find((x) => x.rule === 'Terminal shell in container' && x.priority === 'Critical'))).toBe('default/kubecon');
    expect(correlationSubject(find((x) => x.rule === 'Attach/Exec Pod'))).toBe('hello-app/nginx-676b6c5bbc-4xc6t');
    expect(correlationSubject(find((x) => x.rule === 'Disallowed K8s User'))).toMatch(/^k8s\/-\/volumeattachments\//);
    expect(correlationSubject(find((x) => x.rule === 'Write below binary dir'))).toBe('host/localhost');
    expect(correlationSubject(find((x) => x.rule === 'Falco internal: syscall event drop'))).toBe('host/host');
  });

  it('buckets by the alert own time, so alerts of one window share a key and redelivery keeps it', () => {
    const a = find((x) => x.rule === 'Terminal shell in container' && x.priority === 'Critical');
    const t = (iso: string) => correlationKeyFor({ ...a, time: iso });
    expect(t('2026-11-20T09:00:00Z')).toBe('default/kubecon/Terminal shell in container/2026-11-20T09:00:00.000Z');
    expect(t('2026-11-20T09:09:59.999Z')).toBe(t('2026-11-20T09:00:00Z'));
    expect(t('2026-11-20T09:10:00Z')).not.toBe(t('2026-11-20T09:00:00Z'));
    expect(correlationKeyFor({ ...a, rule: 'Another rule' })).not.toBe(correlationKeyFor(a));
    expect(correlationKeyFor({ ...a, uuid: 'x' }, TEN_MIN)).toBe(correlationKeyFor(a, TEN_MIN));
    expect(correlationKeyFor({ ...a, time: '2026-11-20T09:00:00Z' }, 60 * 60 * 1000)).toMatch(/09:00:00.000Z$/);
    expect(() => correlationKeyFor(a, 0)).toThrow('positive');
  });

  it('keeps keys within the contract bound, distinct for distinct subjects', () => {
    const a = find((x) => x.rule === 'Terminal shell in container' && x.priority === 'Critical');
    const long = (pod: string) => correlationKeyFor({ ...a, rule: 'r'.repeat(500), output_fields: { ...a.output_fields, 'k8s.pod.name': pod } });
    expect(long('p1').length).toBeLessThanOrEqual(512);
    expect(long('p1')).not.toBe(long('p2'));
    expect(incidentIdFor(long('p1'))).not.toBe(incidentIdFor(long('p2')));
  });
});

describe('correlationSubject reads the asset the way contracts/asset.ts does', () => {
  it('agrees with assetLabel-style subjects on every example and background alert', () => {
    // Independent reference: the asset as the rest of Vigil sees it.
    const reference = (a: FalcoAlert) => {
      const s = assetOf(a);
      if (s.pod) return `${s.namespace ?? '-'}/${s.pod}`;
      if (s.resource) return `k8s/${s.namespace ?? '-'}/${s.resource}/${s.name ?? '-'}`;
      if (s.container) return `container/${s.container}`;
      if (s.node) return `host/${s.node}`;
      return 'unknown';
    };
    const alerts = [...exampleAlerts(), ...background()];
    for (const a of alerts) expect(correlationSubject(a)).toBe(reference(a));
    const bare = { ...alerts[0]!, hostname: undefined, output_fields: {} };
    expect(correlationSubject(bare)).toBe('unknown');
    expect(correlationSubject({ ...bare, output_fields: { 'container.id': 'host' } })).toBe('unknown');
    expect(correlationSubject({ ...bare, output_fields: { 'container.id': 'abc', 'k8s.pod.name': '' } })).toBe('container/abc');
  });
});
