import { readdirSync, readFileSync } from 'node:fs';

/**
 * The soak's measurements and verdicts, with no stack in them (so the verdict is unit-tested):
 * per process, RSS and open file descriptors from /proc, and for the Node processes the
 * event-loop handle count and heap from their own /metrics (prom-client's default metrics).
 */

/** One process the soak follows, by role: a killed and restarted worker keeps its role, not its PID. */
export interface Watched {
  role: string;
  pid: number;
  /** The process's ops port (Node processes): its /metrics gives handles and heap. */
  opsPort?: number;
}

export interface Sample {
  minute: number;
  role: string;
  pid: number;
  rssMiB: number;
  /** The anonymous part of RSS (heaps, malloc arenas, thread stacks), apart from mapped files such as the binary and its libraries. */
  rssAnonMiB: number;
  fds: number;
  /** Event-loop handles (sockets, timers, servers, child pipes) the process holds, from `nodejs_active_handles`; null: not a Node process or /metrics did not answer. */
  handles: number | null;
  heapUsedMiB: number | null;
  /** Seconds since this PID started. */
  ageSeconds: number;
  /** The role has a new PID since its previous sample: this sample is just after a restart. */
  restarted: boolean;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Clock ticks per second for /proc/<pid>/stat's start time; Linux reports in USER_HZ, 100 on every architecture Node runs on. */
const USER_HZ = 100;

/** RSS, open fds and age of a PID from /proc; null when the process is gone. */
export function procStats(pid: number): { rssMiB: number; rssAnonMiB: number; fds: number; ageSeconds: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    // Field 22 of stat is the start time in ticks since boot; the command name (field 2) may hold spaces, so split after its ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]);
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return { rssMiB: round1(kib('VmRSS') / 1024), rssAnonMiB: round1(kib('RssAnon') / 1024), fds, ageSeconds: Math.round(uptime - startTicks / USER_HZ) };
  } catch {
    return null;
  }
}

/** Sums a Prometheus text family's samples (all label sets), or null when the family is absent. */
export function sumFamily(text: string, family: string): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(family)) continue;
    const rest = line.slice(family.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue; // another family with this one as a prefix
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** Handles and heap from a Node process's /metrics; nulls when it does not answer within 3 s. */
export async function nodeStats(port: number): Promise<{ handles: number | null; heapUsedMiB: number | null }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3_000) });
    if (!res.ok) return { handles: null, heapUsedMiB: null };
    const text = await res.text();
    const heap = sumFamily(text, 'nodejs_heap_size_used_bytes');
    return { handles: sumFamily(text, 'nodejs_active_handles'), heapUsedMiB: heap === null ? null : round1(heap / 1024 / 1024) };
  } catch {
    return { handles: null, heapUsedMiB: null };
  }
}

/** Follows roles across restarts: remembers each role's last PID so a new one is flagged. */
export class Sampler {
  readonly samples: Sample[] = [];
  private readonly lastPid = new Map<string, number>();

  constructor(private readonly watched: () => Watched[]) {}

  async sample(minute: number): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const w of this.watched()) {
      const proc = procStats(w.pid);
      if (!proc) continue; // between a kill and its restart: no process holds the role this instant
      const node = w.opsPort === undefined ? { handles: null, heapUsedMiB: null } : await nodeStats(w.opsPort);
      const prev = this.lastPid.get(w.role);
      this.lastPid.set(w.role, w.pid);
      out.push({ minute, role: w.role, pid: w.pid, ...proc, ...node, restarted: prev !== undefined && prev !== w.pid });
    }
    this.samples.push(...out);
    return out;
  }
}

/** Least-squares slope of v over t (units per t-unit); 0 with fewer than two distinct t. */
export function slope(points: ReadonlyArray<{ t: number; v: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mv = points.reduce((s, p) => s + p.v, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  if (sxx === 0) return 0;
  return points.reduce((s, p) => s + (p.t - mt) * (p.v - mv), 0) / sxx;
}

export interface MetricVerdict {
  /** Fitted growth per minute over the window. */
  slopePerMinute: number;
  /** The fitted line's rise across the window (slope × its span in minutes). */
  rise: number;
  /** Growing: the rise is over both the absolute floor and `relative` of the window's median. */
  growing: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The slope test: fit a line to the window, and call it growing when the fitted rise across the
 * window exceeds both an absolute floor (noise: GC timing moves RSS by tens of MiB) and a share of
 * the window's median (so a big process is not flagged for the same absolute wobble).
 */
export function metricVerdict(points: ReadonlyArray<{ t: number; v: number }>, floor: number, relative = 0.1): MetricVerdict {
  const s = slope(points);
  const span = points.length > 1 ? Math.max(...points.map((p) => p.t)) - Math.min(...points.map((p) => p.t)) : 0;
  const rise = s * span;
  return { slopePerMinute: round2(s), rise: round1(rise), growing: rise > floor && rise > relative * median(points.map((p) => p.v)) };
}

/** Absolute floors of the slope test, per metric. */
export const FLOORS = { rssMiB: 16, fds: 8, handles: 8 } as const;

export interface RoleVerdict {
  role: string;
  verdict: 'bounded' | 'growing' | 'restarted';
  /** What the verdict was computed on. */
  window: string;
  rss?: MetricVerdict;
  fds?: MetricVerdict;
  handles?: MetricVerdict;
  peakRssMiB: number;
  restarts: number;
}

/**
 * A role's verdict over the second half of [fromMinute, toMinute] (the loaded stretch): the test runs on the longest stretch of that
 * half that one PID lived through (a restart resets memory, so a fit across PIDs says nothing about
 * a leak). With fewer than `minPoints` samples in that stretch the role is `restarted`: it was
 * killed too often in the window for a slope to mean anything, and its peak RSS is what bounds it.
 */
export function roleVerdict(role: string, samples: readonly Sample[], fromMinute: number, toMinute: number, minPoints = 4): RoleVerdict {
  const mine = samples.filter((s) => s.role === role && s.minute >= fromMinute && s.minute <= toMinute);
  const half = mine.filter((s) => s.minute >= (fromMinute + toMinute) / 2);
  const restarts = mine.filter((s) => s.restarted).length;
  const peakRssMiB = Math.max(0, ...mine.map((s) => s.rssMiB));
  const runs: Sample[][] = [];
  for (const s of half) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.pid === s.pid) last.push(s);
    else runs.push([s]);
  }
  const longest = runs.reduce<Sample[]>((a, b) => (b.length > a.length ? b : a), []);
  if (longest.length < minPoints) {
    return { role, verdict: 'restarted', window: `second half: longest run of one PID ${longest.length} sample(s), under ${minPoints}`, peakRssMiB, restarts };
  }
  const pts = (pick: (s: Sample) => number | null) => longest.flatMap((s) => (pick(s) === null ? [] : [{ t: s.minute, v: pick(s)! }]));
  const rss = metricVerdict(pts((s) => s.rssMiB), FLOORS.rssMiB);
  const fds = metricVerdict(pts((s) => s.fds), FLOORS.fds);
  const handlePts = pts((s) => s.handles);
  const handles = handlePts.length >= minPoints ? metricVerdict(handlePts, FLOORS.handles) : undefined;
  const growing = rss.growing || fds.growing || (handles?.growing ?? false);
  return {
    role,
    verdict: growing ? 'growing' : 'bounded',
    window: `minutes ${longest[0]!.minute}-${longest[longest.length - 1]!.minute} (pid ${longest[0]!.pid}, ${longest.length} samples)`,
    rss,
    fds,
    ...(handles ? { handles } : {}),
    peakRssMiB,
    restarts,
  };
}

/** Temporal's per-workflow history limits (the server's defaults): it warns at the first pair and terminates the run at the second. */
export const HISTORY_LIMITS = { warnEvents: 10 * 1024, warnBytes: 10 * 1024 * 1024, maxEvents: 50 * 1024, maxBytes: 50 * 1024 * 1024 } as const;

export interface HistoryStat {
  workflowId: string;
  events: number;
  bytes: number;
}

export interface HistorySummary {
  incidents: number;
  largest: HistoryStat | null;
  median: HistoryStat | null;
  /** Largest history in per cent of Temporal's warning thresholds (events, bytes). */
  largestPctOfWarn: { events: number; bytes: number } | null;
  limits: typeof HISTORY_LIMITS;
}

export function summariseHistories(stats: readonly HistoryStat[]): HistorySummary {
  const byEvents = [...stats].sort((a, b) => a.events - b.events || a.bytes - b.bytes);
  const largest = [...stats].sort((a, b) => b.bytes - a.bytes || b.events - a.events)[0] ?? null;
  const mid = byEvents.length === 0 ? null : byEvents[Math.floor((byEvents.length - 1) / 2)]!;
  return {
    incidents: stats.length,
    largest,
    median: mid,
    largestPctOfWarn: largest ? { events: round2((largest.events / HISTORY_LIMITS.warnEvents) * 100), bytes: round2((largest.bytes / HISTORY_LIMITS.warnBytes) * 100) } : null,
    limits: HISTORY_LIMITS,
  };
}
