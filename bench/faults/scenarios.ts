import type { FalcoAlert } from '../../contracts';
import type { Child } from '../../lib/devstack/children';
import { WORKER_NAMES } from '../../lib/devstack/stack';
import { createTopic, testKafka } from '../../test/helpers/kafka-broker';
import type { Row } from './count';
import { countDeadLetters, countRow, pace, settle } from './count';
import type { FaultStack } from './stack';
import type { Sent } from './stream';
import { buildStream, podPrefix } from './stream';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ScenarioOptions {
  alerts: number;
  /** Alerts per second. */
  rate: number;
  /** How long a sustained fault (worker kills, webhook outage) lasts, in seconds. */
  faultSeconds: number;
  /** How long to wait for the last incident once the stream is sent. */
  settleSeconds: number;
  /** How long the Temporal dev server stays down (longer than the gate's Kafka session timeout: the gate is dropped from its group while it retries). */
  serverDownSeconds?: number;
  /** Workers the worker-kill scenario never kills (the soak spares one so a long-lived process shows whether memory settles). */
  spare?: readonly string[];
  /** Seconds between two worker kills (default 3). */
  killEverySeconds?: number;
}

interface Context {
  stack: FaultStack;
  opts: ScenarioOptions;
  gate: { child: Child };
  topic: string;
  /** The audit log's length when the scenario began (acting mode). */
  auditMark: number;
}

interface Scenario {
  name: string;
  what: string;
  /** One poison message after every this many alerts (given the stream's length). */
  poisonEvery?: (alerts: number) => number;
  /** Runs alongside the stream; resolves with the time the fault ended (null: no fault). */
  inject(ctx: Context): Promise<number | null>;
}

/** Waits a fraction of the stream's duration, so a one-off fault lands mid-stream. */
const intoStream = (ctx: Context, fraction: number) => sleep((ctx.opts.alerts / ctx.opts.rate) * 1000 * fraction);

export const SCENARIOS: Scenario[] = [
  { name: 'baseline', what: 'no fault (control)', inject: async () => null },
  {
    name: 'worker-kill',
    what: 'kill -9 of a random worker every 3 s for the fault period, each restarted',
    inject: async ({ stack, opts }) => {
      const end = Date.now() + opts.faultSeconds * 1000;
      const victims = WORKER_NAMES.filter((n) => !(opts.spare ?? []).includes(n));
      if (victims.length === 0) throw new Error('worker-kill: every worker is spared, nothing to kill');
      while (Date.now() < end) {
        const name = victims[Math.floor(Math.random() * victims.length)]!;
        await stack.workers.workers.get(name)!.kill9();
        await stack.workers.start(name);
        await sleep((opts.killEverySeconds ?? 3) * 1000);
      }
      return Date.now();
    },
  },
  {
    name: 'server-restart',
    what: 'Temporal dev server stopped mid-stream and started again on the same SQLite file',
    inject: async (ctx) => {
      await intoStream(ctx, 0.3);
      await ctx.stack.restartServer((ctx.opts.serverDownSeconds ?? 3) * 1000);
      return Date.now();
    },
  },
  {
    name: 'broker-restart',
    what: 'Kafka broker stopped mid-stream and started again on the same data dir',
    inject: async (ctx) => {
      await intoStream(ctx, 0.3);
      await ctx.stack.restartBroker(3_000);
      return Date.now();
    },
  },
  {
    name: 'kube-api-down',
    what: 'kube-apiserver stopped once containment writes have begun (etcd stays up), started again on the same port 15 s later',
    inject: async (ctx) => {
      const kube = ctx.stack.kube;
      if (!kube) throw new Error('kube-api-down needs the acting stack (a local kube-apiserver)');
      // During containment: once this scenario's first write is in the audit log.
      const deadline = Date.now() + 120_000;
      while (!kube.writesSince(ctx.auditMark).some((w) => w.code < 300)) {
        if (Date.now() > deadline) throw new Error('no containment write within 120 s: nothing to interrupt');
        await sleep(200);
      }
      await kube.restartApiServer(15_000);
      return Date.now();
    },
  },
  {
    name: 'webhook-outage',
    what: 'webhook answers 500 for half the fault period, then holds requests unanswered (timeouts) for the other half',
    inject: async ({ stack, opts }) => {
      stack.sink.setMode('fail');
      await sleep((opts.faultSeconds * 1000) / 2);
      stack.sink.setMode('hang');
      await sleep((opts.faultSeconds * 1000) / 2);
      stack.sink.setMode('ok');
      return Date.now();
    },
  },
  {
    name: 'gate-kill',
    what: 'gate killed -9 mid-stream (between Temporal\'s acknowledgement and the Kafka commit), restarted',
    inject: async (ctx) => {
      await intoStream(ctx, 0.5);
      await ctx.gate.child.kill9();
      ctx.gate.child = await ctx.stack.startGate(ctx.topic);
      return Date.now();
    },
  },
  { name: 'poison', what: '1 % poison events (malformed, oversized, hostile keys, deep nesting); at least one of each kind in a short stream',
    // 1 %, but a short stream still gets one of each of the four kinds.
    poisonEvery: (alerts) => Math.max(1, Math.min(100, Math.floor(alerts / 4))),
    inject: async () => null },
];

async function retried(fn: () => Promise<void>, attempts = 10): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await sleep(1_000);
    }
  }
}

/** How the stream is paced: `perTick` alerts every `tickMs`, `perTick / tickMs` being the rate asked for (to the nearest alert). */
export function sendPlan(rate: number): { tickMs: number; perTick: number } {
  if (!(rate > 0)) throw new Error(`the send rate must be positive, got ${rate}`);
  const tickMs = Math.max(200, Math.round(1000 / rate));
  return { tickMs, perTick: Math.max(1, Math.round((rate * tickMs) / 1000)) };
}

/** Sends the stream at a steady rate; a send that fails (broker down) is retried until it lands. */
async function produce(stack: FaultStack, topic: string, sent: Sent[], rate: number): Promise<void> {
  // A tick long enough to carry one whole alert: with a fixed 200 ms tick and at least one alert
  // per tick, any rate under 5/s was sent at 5/s (the earlier "2/s" soaks ran at 5/s).
  const { tickMs, perTick } = sendPlan(rate);
  // The broker's address is stable across its restarts, so one producer can ride them out.
  const producer = testKafka(stack.kafka.brokers, 'vigil-faults-producer').producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < sent.length; i += perTick) {
      const batch = sent.slice(i, i + perTick);
      const started = Date.now();
      for (;;) {
        try {
          await producer.send({ topic, acks: -1, messages: batch.map((s, k) => ({ value: s.value, partition: (i + k) % 2 })) });
          break;
        } catch {
          await sleep(500);
        }
      }
      await sleep(Math.max(0, tickMs - (Date.now() - started)));
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Called as a scenario runs (the soak marks its load window and reads histories before the stack stops). */
export interface ScenarioHooks {
  /** The stream and the fault start (the pods are seeded and the gate is ready). */
  onLoad?: () => void;
  /** The stream is sent and the fault is over. */
  onLoadEnd?: () => void;
  /** The row is counted; the stack is still up. */
  onSettled?: (expected: ReadonlySet<string>) => Promise<void>;
}

export async function runScenario(stack: FaultStack, scenario: Scenario, template: FalcoAlert, runId: string, opts: ScenarioOptions, hooks: ScenarioHooks = {}): Promise<Row> {
  const topic = `faults.${scenario.name}.${runId}`;
  // A broker that has just (re)started may still answer "does not host this topic-partition" for a while.
  await retried(() => createTopic(stack.kafka.brokers, topic, 2));
  await retried(() => createTopic(stack.kafka.brokers, `${topic}.dlq`, 1));
  const sent = buildStream(template, scenario.name, runId, opts.alerts, scenario.poisonEvery?.(opts.alerts) ?? 0);
  await stack.kube?.seedPods(sent);
  const auditMark = stack.kube?.auditMark() ?? 0;
  const ctx: Context = { stack, opts, topic, auditMark, gate: { child: await stack.startGate(topic) } };
  try {
    hooks.onLoad?.();
    const loadStart = Date.now();
    const [faultEnd] = await Promise.all([scenario.inject(ctx), produce(stack, topic, sent, opts.rate)]);
    const loadEnd = Date.now();
    hooks.onLoadEnd?.();
    const expected = new Set(sent.flatMap((s) => (s.incidentId ? [s.incidentId] : [])));
    const { executions, openAtDeadline } = await settle(stack.client, expected, opts.settleSeconds * 1000);
    const poison = sent.filter((s) => s.poison).length;
    const poisonDeadLettered = poison === 0 ? 0 : await countDeadLetters(testKafka(stack.kafka.brokers, 'vigil-faults-dlq'), `${topic}.dlq`, poison);
    await stack.kube?.auditQuiet();
    const writes = stack.kube ? stack.kube.writesSince(auditMark) : null;
    const row = await countRow({ scenario: scenario.name, prefix: podPrefix(scenario.name, runId), client: stack.client, sent, executions, sink: stack.sink, poisonDeadLettered, faultEnd, writes });
    // A backlog still closing at the deadline was waited out, not counted lost: say so, with the pace.
    if (openAtDeadline !== null) row.notes.push(`${openAtDeadline} still open at the ${opts.settleSeconds} s settle deadline; waited while they kept closing`);
    const paced = pace(executions, expected, loadStart, loadEnd);
    if (paced) row.notes.push(paced);
    const reviews = stack.kube?.accessReviewsSince(auditMark) ?? 0;
    if (reviews > 0) row.notes.push(`${reviews} access review(s): 403s checked against a SelfSubjectAccessReview`);
    if (ctx.gate.child.process.exitCode !== null) row.notes.push(`gate exited with ${ctx.gate.child.process.exitCode}`);
    await hooks.onSettled?.(expected);
    return row;
  } finally {
    await ctx.gate.child.stop();
  }
}
