import type { FalcoAlert } from '../../../contracts';
import { workloadOf } from '../../../contracts';
import { ActivityWindows } from '../../../gate/correlation';
import { alertFingerprint, correlationKeyFor, incidentIdFor, traceIdFor } from '../../../lib/identity';
import { exampleAlerts } from '../../helpers/fixtures';

const find = (pred: (a: FalcoAlert) => boolean) => structuredClone(exampleAlerts().find(pred)!);
const MIN = 60_000;
const T0 = Date.parse('2026-11-20T09:00:00Z');

describe('trace id (lib/identity)', () => {
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
});

describe('correlation key and incident id: one incident per workload and activity window', () => {
  const shell = find((x) => x.rule === 'Attach/Exec Pod');

  it('keys on the workload and the window start, not the pod or the rule', () => {
    const w = workloadOf(shell);
    expect(correlationKeyFor(w, T0)).toBe('hello-app/Deployment/nginx@2026-11-20T09:00:00.000Z');
    const otherPod = { ...shell, rule: 'Another rule', output_fields: { ...shell.output_fields, 'ka.target.name': 'nginx-5c4b7fd89-q8wpl' } };
    expect(correlationKeyFor(workloadOf(otherPod), T0)).toBe(correlationKeyFor(w, T0));
  });

  it('starts workflow ids with the namespace and workload, bounded and safe, still derived from content', () => {
    const a = { alert: shell, correlationKey: correlationKeyFor(workloadOf(shell), T0) };
    expect(incidentIdFor(a)).toMatch(/^incident-hello-app-nginx-[0-9a-f]{24}$/);
    expect(incidentIdFor(a)).toBe(incidentIdFor({ ...a }));
    expect(incidentIdFor({ ...a, correlationKey: correlationKeyFor(workloadOf(shell), T0 + 10 * MIN) })).not.toBe(incidentIdFor(a));
    const hostile = {
      ...shell,
      output_fields: { ...shell.output_fields, 'ka.target.namespace': 'NS/../\u202e<script>', 'ka.target.name': `${'Ω'.repeat(300)}-x` },
    };
    const id = incidentIdFor({ alert: hostile, correlationKey: correlationKeyFor(workloadOf(hostile), T0) });
    expect(id).toMatch(/^incident-[a-z0-9.-]+-[0-9a-f]{24}$/);
    expect(id.length).toBeLessThanOrEqual(120);
    const host = find((x) => x.rule === 'Write below binary dir');
    expect(incidentIdFor({ alert: host, correlationKey: 'k' })).toMatch(/^incident-host-localhost-[0-9a-f]{24}$/);
  });

  it('keeps keys within the contract bound, distinct for distinct workloads', () => {
    const long = (name: string) => correlationKeyFor({ namespace: 'n'.repeat(253), kind: 'Deployment', name }, T0);
    expect(long('a'.repeat(253)).length).toBeLessThanOrEqual(512);
    expect(long('a'.repeat(253))).not.toBe(long(`${'a'.repeat(252)}b`));
  });
});

describe('ActivityWindows: the window extends while anomalies keep coming, up to a bound', () => {
  const windows = () => new ActivityWindows({ idleMs: 10 * MIN, maxMs: 60 * MIN, maxKeys: 100 });

  it('joins anomalies less than the idle time apart, across an hour-long chain', () => {
    const w = windows();
    const start = w.windowFor('ns/Deployment/a', T0 + 3 * MIN);
    expect(start).toBe(T0);
    for (let m = 9; m <= 57; m += 8) expect(w.windowFor('ns/Deployment/a', T0 + m * MIN)).toBe(T0);
    expect(w.windowFor('ns/Deployment/b', T0 + 5 * MIN)).toBe(T0);
  });

  it('opens a new window after an idle gap, and after the bound however busy', () => {
    const w = windows();
    expect(w.windowFor('a', T0)).toBe(T0);
    expect(w.windowFor('a', T0 + 25 * MIN)).toBe(T0 + 20 * MIN);
    const busy = windows();
    let last = T0;
    for (let m = 0; m <= 60; m += 5) last = busy.windowFor('a', T0 + m * MIN);
    expect(last).toBe(T0);
    const next = busy.windowFor('a', T0 + 65 * MIN);
    expect(next).toBeGreaterThan(T0 + 60 * MIN);
    expect(busy.windowFor('a', T0 + 70 * MIN)).toBe(next);
  });

  it('puts a late anomaly in the current window when close, in its own slot when not, without moving the current one', () => {
    const w = windows();
    w.windowFor('a', T0 + 30 * MIN);
    expect(w.windowFor('a', T0 + 25 * MIN)).toBe(T0 + 30 * MIN);
    expect(w.windowFor('a', T0)).toBe(T0);
    expect(w.windowFor('a', T0 + 35 * MIN)).toBe(T0 + 30 * MIN);
  });

  it('names the same window after a restart when the redelivered anomaly falls in the first one’s slot', () => {
    const first = windows();
    const before = first.windowFor('a', T0 + 2 * MIN);
    first.windowFor('a', T0 + 4 * MIN);
    expect(windows().windowFor('a', T0 + 4 * MIN)).toBe(before);
  });

  it('refuses nonsense bounds', () => {
    expect(() => new ActivityWindows({ idleMs: 0, maxMs: 1, maxKeys: 1 })).toThrow(/idle/);
    expect(() => new ActivityWindows({ idleMs: 10, maxMs: 5, maxKeys: 1 })).toThrow(/max/);
  });
});
