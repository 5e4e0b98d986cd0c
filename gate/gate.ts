import type { Anomaly } from '../contracts';
import type { JoinResult } from '../lib/incidents';
import type { Logger } from '../lib/logger';
import { packEvents } from './core';
import type { ScoringEngine } from './engine/engine';
import type { GateMetrics } from './metrics';
import type { BatchContext, BatchOutcome, DeadLetter, EventSource, RawEvent } from './sources/source';

/** Hands an anomaly to Temporal: signal-with-start in production (lib/incidents.ts), a fake in unit tests. */
export interface IncidentOpener {
  open(anomaly: Anomaly): Promise<JoinResult>;
}

export interface GateStats {
  consumed: number;
  deadLettered: number;
  scored: number;
  anomalies: number;
  started: number;
  joined: number;
  joinedClosed: number;
  /** Benign events dropped: incidents (and LLM calls) that never happened. */
  filtered: number;
}

export interface GateDeps {
  source: EventSource;
  engine: ScoringEngine;
  opener: IncidentOpener;
  metrics?: GateMetrics;
  log: Logger;
  /** Anomalies of one batch handed to Temporal at once. */
  openConcurrency?: number;
  /** Backoff while Temporal is unreachable: the batch waits (uncommitted) rather than being dropped. */
  retry?: { initialMs: number; maxMs: number };
}

/**
 * The gate: events from a source, scored by the engine; anomalies go to Temporal, dead letters
 * back to the source's DLQ, benign events are counted and dropped. A batch is reported handled
 * only when all of its anomalies are durable in Temporal, so the source never commits past an
 * anomaly that could still be lost.
 */
export class Gate {
  readonly stats: GateStats = { consumed: 0, deadLettered: 0, scored: 0, anomalies: 0, started: 0, joined: 0, joinedClosed: 0, filtered: 0 };

  constructor(private readonly deps: GateDeps) {}

  run(): Promise<void> {
    return this.deps.source.run((events, context) => this.handle(events, context));
  }

  stop(): Promise<void> {
    return this.deps.source.stop();
  }

  async handle(events: readonly RawEvent[], context: BatchContext): Promise<BatchOutcome> {
    const { engine, metrics: m, source } = this.deps;
    const scored = await engine.process(packEvents(events.map((e) => e.value)));
    const at = new Date().toISOString();
    const deadLetters: DeadLetter[] = scored.deadLetters.map((d) => ({ event: events[d.index]!, kind: d.kind, reason: d.reason, at }));
    const filtered = scored.scored - scored.anomalies.length;

    this.stats.consumed += events.length;
    this.stats.deadLettered += deadLetters.length;
    this.stats.scored += scored.scored;
    this.stats.anomalies += scored.anomalies.length;
    this.stats.filtered += filtered;
    if (m) {
      m.consumed.inc({ source: source.name }, events.length);
      m.validated.inc(scored.scored);
      for (const d of deadLetters) m.deadLettered.inc({ kind: d.kind });
      m.scored.inc(scored.scored);
      m.scores.add(scored.scoreBuckets, scored.scored, scored.scoreSum);
      m.anomalies.inc(scored.anomalies.length);
      m.llmCallsAvoided.inc(filtered);
      m.windowSubjects.set(scored.windowSubjects);
    }
    for (const d of deadLetters) this.deps.log.warn({ origin: describeOrigin(d.event), kind: d.kind, reason: d.reason }, 'dead-lettered');

    await this.openAll(
      scored.anomalies.map((a) => a.anomaly),
      context,
    );
    return { deadLetters };
  }

  private async openAll(anomalies: Anomaly[], context: BatchContext): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < anomalies.length) {
        const anomaly = anomalies[next++]!;
        const result = await this.openWithRetry(anomaly, context);
        this.count(result);
        this.deps.log.info(
          { incidentId: result.incidentId, outcome: result.outcome, trace_id: anomaly.traceId, score: Number(anomaly.score.toFixed(4)), rule: anomaly.alert.rule, correlationKey: anomaly.correlationKey },
          'anomaly',
        );
      }
    };
    const width = Math.min(this.deps.openConcurrency ?? 8, anomalies.length);
    await Promise.all(Array.from({ length: width }, worker));
  }

  private async openWithRetry(anomaly: Anomaly, context: BatchContext): Promise<JoinResult> {
    const { initialMs, maxMs } = this.deps.retry ?? { initialMs: 500, maxMs: 30_000 };
    for (let attempt = 0, delay = initialMs; ; attempt++, delay = Math.min(maxMs, delay * 2)) {
      try {
        return await this.deps.opener.open(anomaly);
      } catch (err) {
        if (!context.isRunning()) throw new Error(`stopping with anomaly ${anomaly.traceId} not yet in Temporal (its batch stays uncommitted)`, { cause: err });
        this.deps.log.error({ err, attempt, retryInMs: delay, trace_id: anomaly.traceId }, 'Temporal did not take the anomaly; retrying (batch held uncommitted)');
        await sleepWithHeartbeat(delay, context);
      }
    }
  }

  private count(result: JoinResult): void {
    if (result.outcome === 'started') this.stats.started += 1;
    else if (result.outcome === 'joined') this.stats.joined += 1;
    else this.stats.joinedClosed += 1;
    this.deps.metrics?.incidents.inc({ outcome: result.outcome });
  }
}

async function sleepWithHeartbeat(ms: number, context: BatchContext): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && context.isRunning()) {
    await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
    await context.heartbeat().catch(() => undefined);
  }
}

function describeOrigin(e: RawEvent): string {
  const o = e.origin;
  return o.kind === 'kafka' ? `${o.topic}/${o.partition}@${o.offset}` : `${o.path}:${o.line}`;
}
