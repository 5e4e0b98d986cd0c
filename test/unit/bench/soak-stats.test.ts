import { metricVerdict, procStats, roleVerdict, Sampler, slope, sumFamily, summariseHistories } from '../../../bench/faults/soak-stats';
import type { Sample } from '../../../bench/faults/soak-stats';

/** The soak's verdicts decide whether a memory curve is called a leak, so the arithmetic is pinned here. */
const sample = (minute: number, rssMiB: number, over: Partial<Sample> = {}): Sample => ({ minute, role: 'coordinator', pid: 1, rssMiB, rssAnonMiB: rssMiB, fds: 40, handles: 20, heapUsedMiB: null, ageSeconds: minute * 60, restarted: false, ...over });

describe('soak statistics', () => {
  it('fits a least-squares slope', () => {
    expect(slope([{ t: 0, v: 1 }, { t: 1, v: 3 }, { t: 2, v: 5 }])).toBeCloseTo(2);
    expect(slope([{ t: 0, v: 5 }])).toBe(0);
    expect(slope([{ t: 3, v: 1 }, { t: 3, v: 9 }])).toBe(0);
  });

  it('calls a rise growing only over both the absolute floor and 10 % of the median', () => {
    // 300 MiB rising 2 MiB a minute over 14 minutes: 28 MiB, under 10 % of 300 → bounded.
    expect(metricVerdict(Array.from({ length: 15 }, (_, t) => ({ t, v: 300 + 2 * t })), 16).growing).toBe(false);
    // The same process rising 5 MiB a minute: 70 MiB → growing.
    const leak = metricVerdict(Array.from({ length: 15 }, (_, t) => ({ t, v: 300 + 5 * t })), 16);
    expect(leak).toMatchObject({ growing: true, slopePerMinute: 5, rise: 70 });
    // A small process with a big relative rise that is still under the floor: noise.
    expect(metricVerdict(Array.from({ length: 15 }, (_, t) => ({ t, v: 20 + t })), 16).growing).toBe(false);
  });

  it('tests the second half on the longest stretch of one PID, and says restarted when none lived long enough', () => {
    const flat = Array.from({ length: 21 }, (_, m) => sample(m, 300 + (m % 2)));
    expect(roleVerdict('coordinator', flat, 0, 20)).toMatchObject({ verdict: 'bounded', window: 'minutes 10-20 (pid 1, 11 samples)' });
    const leaking = Array.from({ length: 21 }, (_, m) => sample(m, 300 + 10 * m, { handles: 20 + m }));
    expect(roleVerdict('coordinator', leaking, 0, 20)).toMatchObject({ verdict: 'growing', rss: { growing: true } });
    // A handle leak alone makes the role growing too.
    const handles = Array.from({ length: 21 }, (_, m) => sample(m, 300, { handles: 20 + 3 * m }));
    expect(roleVerdict('coordinator', handles, 0, 20)).toMatchObject({ verdict: 'growing', rss: { growing: false }, handles: { growing: true } });
    // A new PID every two minutes: a fit across them would measure restarts, not a leak.
    const killed = Array.from({ length: 21 }, (_, m) => sample(m, 100 + 10 * (m % 2), { pid: 100 + Math.floor(m / 2), restarted: m > 0 && m % 2 === 0 }));
    expect(roleVerdict('coordinator', killed, 0, 20)).toMatchObject({ verdict: 'restarted', peakRssMiB: 110, restarts: 10 });
    // Samples outside the loaded stretch (the idle settle after it) are not judged.
    const settled = [...Array.from({ length: 11 }, (_, m) => sample(m, 300)), ...Array.from({ length: 10 }, (_, k) => sample(11 + k, 600))];
    expect(roleVerdict('coordinator', settled, 0, 10)).toMatchObject({ verdict: 'bounded', window: 'minutes 5-10 (pid 1, 6 samples)' });
  });

  it('sums a Prometheus family over its label sets, not a longer family that shares its prefix', () => {
    const text = ['# HELP nodejs_active_handles x', 'nodejs_active_handles{type="Socket"} 7', 'nodejs_active_handles{type="Timeout"} 3', 'nodejs_active_handles_total 99', 'nodejs_heap_size_used_bytes 1048576'].join('\n');
    expect(sumFamily(text, 'nodejs_active_handles')).toBe(10);
    expect(sumFamily(text, 'nodejs_heap_size_used_bytes')).toBe(1048576);
    expect(sumFamily(text, 'absent')).toBeNull();
  });

  it('reads this process from /proc and flags a role whose PID changed since its last sample', async () => {
    const me = procStats(process.pid);
    expect(me?.rssMiB).toBeGreaterThan(10);
    expect(me?.rssAnonMiB).toBeGreaterThan(0);
    expect(me!.rssAnonMiB).toBeLessThanOrEqual(me!.rssMiB);
    expect(me?.fds).toBeGreaterThan(2);
    expect(me?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(procStats(2 ** 22 + 1)).toBeNull();
    let pid = process.pid;
    const sampler = new Sampler(() => [{ role: 'me', pid }]);
    expect((await sampler.sample(0))[0]?.restarted).toBe(false);
    pid = process.ppid;
    expect((await sampler.sample(1))[0]).toMatchObject({ pid: process.ppid, restarted: true });
  });

  it('summarises history sizes against Temporal’s warning thresholds', () => {
    const h = summariseHistories([
      { workflowId: 'a', events: 40, bytes: 20_000 },
      { workflowId: 'b', events: 60, bytes: 30_000 },
      { workflowId: 'c', events: 1024, bytes: 1_048_576 },
    ]);
    expect(h.largest?.workflowId).toBe('c');
    expect(h.median?.workflowId).toBe('b');
    expect(h.largestPctOfWarn).toEqual({ events: 10, bytes: 10 });
  });
});
