import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Row } from './count';
import { runScenario, SCENARIOS } from './scenarios';
import type { FaultStackOptions } from './stack';
import { startFaultStack } from './stack';
import type { HistoryStat, HistorySummary, RoleVerdict, Sample } from './soak-stats';
import { FLOORS, roleVerdict, Sampler, summariseHistories } from './soak-stats';
import { reverseShellTemplate } from './stream';

/**
 * The soak: the worker-kill scenario for N minutes at a steady rate on the whole stack, every
 * process sampled each minute (RSS, fds, and for Node processes event-loop handles and heap), the
 * incidents' history sizes read at the end, and a verdict per role.
 */
export interface SoakOptions {
  minutes: number;
  /** Alerts per second. */
  rate: number;
  /** Workers never killed (a long-lived one shows whether its memory settles; killed ones restart every few seconds). */
  spare: string[];
  killEverySeconds: number;
  settleSeconds: number;
  sampleEveryMs: number;
}

export interface SoakReport {
  command: string;
  startedAt: string;
  endedAt: string;
  options: SoakOptions;
  row: Row;
  /** How the verdicts are computed (the report says it, so a reader need not open the code). */
  method: string;
  /** When the stream ran (minutes from the start); samples after it are the idle settle. */
  load: { startMinute: number; endMinute: number };
  verdicts: RoleVerdict[];
  history: HistorySummary;
  samples: Sample[];
}

const METHOD =
  `Per role, the samples from the second half of the loaded stretch (while the stream ran: minute >= (start + end) / 2, up to its end); within it the longest stretch one PID lived through ` +
  `(a restart resets memory). A least-squares line is fitted to RSS, fds and handles over that stretch; a metric is growing when the fitted ` +
  `rise across the stretch exceeds both an absolute floor (RSS ${FLOORS.rssMiB} MiB, ${FLOORS.fds} fds, ${FLOORS.handles} handles) and 10 % of the ` +
  `stretch's median. A role is growing when any metric is; "restarted" when no PID lived through 4 samples of the second half (then only its peak RSS bounds it).`;

/** historyLength and historySizeBytes of each incident (DescribeWorkflowExecution), a few at a time. */
async function histories(client: Client, ids: readonly string[], concurrency = 4): Promise<HistoryStat[]> {
  const out: HistoryStat[] = [];
  let next = 0;
  const work = async () => {
    while (next < ids.length) {
      const workflowId = ids[next++]!;
      const d = await client.workflow.getHandle(workflowId).describe().catch(() => undefined);
      if (d) out.push({ workflowId, events: d.historyLength, bytes: d.historySize ?? 0 });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, work));
  return out;
}

export async function runSoak(opts: SoakOptions, stackOpts: FaultStackOptions = { acting: true, containmentTtlSeconds: 15 }, command = ''): Promise<SoakReport> {
  const scenario = SCENARIOS.find((s) => s.name === 'worker-kill');
  if (!scenario) throw new Error('the worker-kill scenario is missing');
  const startedAt = new Date();
  const stack = await startFaultStack(stackOpts);
  const sampler = new Sampler(() => stack.watched());
  const t0 = Date.now();
  const minuteNow = () => Math.round((Date.now() - t0) / 60_000);
  const progress = (samples: Sample[]) =>
    console.error(JSON.stringify({ minute: samples[0]?.minute, at: new Date().toISOString(), procs: Object.fromEntries(samples.map((s) => [s.role, { rss: s.rssMiB, anon: s.rssAnonMiB, fds: s.fds, handles: s.handles, ...(s.restarted ? { restarted: true } : {}) }])) }));
  let stopped = false;
  // One sample at a time, each a period after the previous one was due (a chained timer, so a slow /metrics cannot pile samples up).
  let timer: NodeJS.Timeout | undefined;
  const loop = (due: number) => {
    timer = setTimeout(() => {
      void sampler.sample(minuteNow()).then(progress, (err: unknown) => console.error(`sample failed: ${(err as Error).message}`)).finally(() => !stopped && loop(due + opts.sampleEveryMs));
    }, Math.max(0, due - Date.now()));
  };
  let history: HistoryStat[] = [];
  // Minutes from the start at which the stream began and ended: the verdict is about the loaded stretch, not the idle settle after it.
  const load = { start: 0, end: 0 };
  try {
    progress(await sampler.sample(0));
    loop(t0 + opts.sampleEveryMs);
    const row = await runScenario(
      stack,
      scenario,
      reverseShellTemplate(),
      randomUUID().slice(0, 8),
      { alerts: Math.round(opts.rate * opts.minutes * 60), rate: opts.rate, faultSeconds: opts.minutes * 60, settleSeconds: opts.settleSeconds, spare: opts.spare, killEverySeconds: opts.killEverySeconds },
      {
        onLoad: () => (load.start = (Date.now() - t0) / 60_000),
        onLoadEnd: () => (load.end = (Date.now() - t0) / 60_000),
        onSettled: async (expected) => {
          stopped = true;
          clearTimeout(timer);
          progress(await sampler.sample(minuteNow()));
          history = await histories(stack.client, [...expected]);
        },
      },
    );
    const roles = [...new Set(sampler.samples.map((s) => s.role))];
    const loaded = sampler.samples.filter((s) => s.minute >= Math.floor(load.start) && s.minute <= Math.ceil(load.end));
    return {
      command,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      options: opts,
      row,
      method: METHOD,
      load: { startMinute: Math.round(load.start * 10) / 10, endMinute: Math.round(load.end * 10) / 10 },
      verdicts: roles.map((r) => roleVerdict(r, loaded, Math.floor(load.start), Math.ceil(load.end))),
      history: summariseHistories(history),
      samples: sampler.samples,
    };
  } finally {
    stopped = true;
    clearTimeout(timer);
    await stack.stop();
  }
}

const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '-' : String(n));

export function soakMarkdown(r: SoakReport): string {
  const out: string[] = [];
  out.push(`# Soak: ${r.options.minutes} min at ${r.options.rate} alerts/s, a worker killed every ${r.options.killEverySeconds} s${r.options.spare.length ? ` (never: ${r.options.spare.join(', ')})` : ''}`);
  out.push('', `\`${r.command}\`, ${r.startedAt} to ${r.endedAt}.`, '');
  const w = r.row;
  out.push('| sent | opened | completed | lost | duplicate | not contained | k8s writes applied twice | notifications lost | repeated (same key) | sent twice (new key) | notes |', '|---|---|---|---|---|---|---|---|---|---|---|');
  out.push(`| ${w.alertsSent} | ${w.opened} | ${w.completed} | ${w.lost} | ${w.duplicates} | ${w.uncontained} | ${w.doubleWrites} | ${w.notificationsLost} | ${w.notificationsRepeated} | ${w.notificationsDuplicated} | ${w.notes.join('; ')} |`);
  out.push('', '## Verdicts', '', `The stream ran from minute ${r.load.startMinute} to ${r.load.endMinute}. ${r.method}`, '');
  out.push('| role | verdict | window | RSS rise MiB (per min) | fds rise | handles rise | peak RSS MiB | restarts seen |', '|---|---|---|---|---|---|---|---|');
  for (const v of r.verdicts) {
    const m = (x?: { rise: number; slopePerMinute: number }) => (x ? `${x.rise} (${x.slopePerMinute})` : '-');
    out.push(`| ${v.role} | ${v.verdict} | ${v.window} | ${m(v.rss)} | ${m(v.fds)} | ${m(v.handles)} | ${v.peakRssMiB} | ${v.restarts} |`);
  }
  const h = r.history;
  out.push('', '## History sizes', '');
  out.push(`${h.incidents} incidents described. Largest: ${h.largest ? `${h.largest.events} events, ${h.largest.bytes} bytes (${h.largest.workflowId})` : '-'}; median: ${h.median ? `${h.median.events} events, ${h.median.bytes} bytes` : '-'}.`);
  out.push(`Temporal warns at ${h.limits.warnEvents} events / ${h.limits.warnBytes} bytes and terminates at ${h.limits.maxEvents} / ${h.limits.maxBytes}; the largest is ${h.largestPctOfWarn ? `${h.largestPctOfWarn.events} % / ${h.largestPctOfWarn.bytes} %` : '-'} of the warning thresholds.`);
  out.push('', '## Per role, every minute', '', 'A sample marked `restarted` is the first of a new PID (the role was killed and started again since the previous sample); `age` is how long that PID had lived.');
  for (const role of [...new Set(r.samples.map((s) => s.role))]) {
    out.push('', `### ${role}`, '', '| minute | pid | RSS MiB | of it anonymous | fds | handles | heap used MiB | age s | note |', '|---|---|---|---|---|---|---|---|---|');
    for (const s of r.samples.filter((x) => x.role === role)) out.push(`| ${s.minute} | ${s.pid} | ${s.rssMiB} | ${s.rssAnonMiB} | ${s.fds} | ${fmt(s.handles)} | ${fmt(s.heapUsedMiB)} | ${s.ageSeconds} | ${s.restarted ? 'restarted' : ''} |`);
  }
  return `${out.join('\n')}\n`;
}

/** Writes `<base>.json` and `<base>.md` (a given .json or .md extension is the base's). */
export function writeSoakReport(file: string, r: SoakReport): string[] {
  const base = file.replace(/\.(json|md)$/, '');
  writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(`${base}.md`, soakMarkdown(r));
  return [`${base}.json`, `${base}.md`];
}
