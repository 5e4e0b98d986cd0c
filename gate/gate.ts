import type { Anomaly } from '../contracts';
import type { JoinResult } from '../lib/incidents';
import { permanentTemporalError } from '../lib/incidents';
import type { Logger } from '../lib/logger';
import type { ScoredBatch } from './core';
import { packEvents } from './core';
import type { ScoringEngine } from './engine/engine';
import { ScorerFailure } from './engine/engine';
import type { GateMetrics } from './metrics';
import { FollowUps } from './follow-ups';
import { sleepWithHeartbeat, withHeartbeat } from './sources/heartbeat';
import type { BatchContext, BatchOutcome, DeadLetter, EventSource, RawEvent } from './sources/source';

/** Hands an anomaly to Temporal: signal-with-start in production (lib/incidents.ts), a fake in unit tests. */
export interface IncidentOpener {
  open(anomaly: Anomaly): Promise<JoinResult>;
  /**
   * Whether a closed incident already holds this alert: then it is a redelivery (Kafka after a
   * restart, a replayed file), not news, and opens no follow-up (gate/follow-ups.ts). Without it
   * every alert for a closed incident counts as new.
   */
  holds?(incidentId: string, anomaly: Anomaly): Promise<boolean>;
}

export interface GateStats {
  consumed: number;
  deadLettered: number;
  scored: number;
  anomalies: number;
  started: number;
  joined: number;
  /** Anomalies whose incident had closed, handed to its follow-up incident. */
  followedUp: number;
  joinedClosed: number;
  /** Benign events dropped: incidents (and LLM calls) that never happened. */
  filtered: number;
  /** Alerts dropped because an unexpired suppression covered them. */
  suppressed: number;
  /** Anomalies that passed only by the priority floor. */
  floorPassed: number;
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
  readonly stats: GateStats = { consumed: 0, deadLettered: 0, scored: 0, anomalies: 0, started: 0, joined: 0, followedUp: 0, joinedClosed: 0, filtered: 0, suppressed: 0, floorPassed: 0 };

  private readonly followUps: FollowUps;

  constructor(private readonly deps: GateDeps) {
    this.followUps = new FollowUps(deps.opener);
  }

  run(): Promise<void> {
    return this.deps.source.run((events, context) => this.handle(events, context));
  }

  stop(): Promise<void> {
    return this.deps.source.stop();
  }

  async handle(events: readonly RawEvent[], context: BatchContext): Promise<BatchOutcome> {
    const { metrics: m, source } = this.deps;
    const scored = await this.score(events);
    const at = new Date().toISOString();
    const deadLetters: DeadLetter[] = scored.deadLetters.map((d) => ({ event: events[d.index]!, kind: d.kind, reason: d.reason, at }));
    const suppressed = Object.values(scored.suppressed).reduce((a, b) => a + b, 0);
    const filtered = scored.scored - scored.anomalies.length - suppressed;

    this.stats.consumed += events.length;
    this.stats.deadLettered += deadLetters.length;
    this.stats.scored += scored.scored;
    this.stats.anomalies += scored.anomalies.length;
    this.stats.filtered += filtered;
    this.stats.suppressed += suppressed;
    this.stats.floorPassed += scored.floorPassed;
    if (m) {
      m.consumed.inc({ source: source.name }, events.length);
      m.validated.inc(scored.scored);
      for (const d of deadLetters) m.deadLettered.inc({ kind: d.kind });
      m.scored.inc(scored.scored);
      m.scores.add(scored.scoreBuckets, scored.scored, scored.scoreSum);
      m.anomalies.inc({ reason: 'score' }, scored.anomalies.length - scored.floorPassed - scored.firstPassed);
      m.anomalies.inc({ reason: 'priority_floor' }, scored.floorPassed);
      m.anomalies.inc({ reason: 'first_for_workload' }, scored.firstPassed);
      for (const [id, n] of Object.entries(scored.suppressed)) m.suppressed.inc({ suppression: id }, n);
      m.implausibleTimes.inc(scored.implausibleTimes);
      m.llmCallsAvoided.inc(filtered);
      m.windowSubjects.set(scored.windowSubjects);
      if (scored.scored > 0) m.threshold.set({ source: scored.thresholdSource }, scored.threshold);
    }
    for (const d of deadLetters) this.deps.log.warn({ origin: describeOrigin(d.event), kind: d.kind, reason: d.reason }, 'dead-lettered');

    const refused = await this.openAll(scored.anomalies, context);
    for (const r of refused) {
      const d: DeadLetter = { event: events[r.index]!, kind: 'temporal_rejected', reason: r.reason, at };
      deadLetters.push(d);
      this.stats.deadLettered += 1;
      m?.deadLettered.inc({ kind: d.kind });
    }
    return { deadLetters };
  }

  /**
   * The engine's verdict on a batch. Should its scorer die or stall on the batch (it is replaced
   * meanwhile), the batch is retried one event at a time: the event that brings the scorer down
   * goes to the DLQ with the reason, every other event is scored as usual.
   */
  private async score(events: readonly RawEvent[]): Promise<ScoredBatch> {
    const { engine } = this.deps;
    try {
      return await engine.process(packEvents(events.map((e) => e.value), events.map((e) => e.receivedMs)));
    } catch (err) {
      if (!(err instanceof ScorerFailure)) throw err;
      this.deps.log.error({ err, events: events.length }, 'scorer failed on a batch; retrying it event by event');
    }
    const parts: ScoredBatch[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      try {
        const one = await engine.process(packEvents([e.value], [e.receivedMs]));
        parts.push(reindex(one, i));
      } catch (err) {
        if (!(err instanceof ScorerFailure)) throw err;
        this.deps.log.error({ origin: describeOrigin(e), err }, 'event brought the scorer down; dead-lettering it');
        parts.push({ ...emptyBatch(), count: 1, deadLetters: [{ index: i, kind: 'internal_error', reason: `scorer failed on this event: ${err.message}` }] });
      }
    }
    return merge(parts);
  }

  /** Hands each anomaly to Temporal; returns those Temporal refused for good (their index and why). */
  private async openAll(anomalies: ScoredBatch['anomalies'], context: BatchContext): Promise<Array<{ index: number; reason: string }>> {
    const refused: Array<{ index: number; reason: string }> = [];
    let next = 0;
    const worker = async () => {
      while (next < anomalies.length) {
        const { index, anomaly } = anomalies[next++]!;
        const result = await this.openWithRetry(anomaly, context);
        // A batch of slow opens must not outlast the consumer group's session.
        await context.heartbeat().catch(() => undefined);
        if ('refused' in result) {
          refused.push({ index, reason: result.refused });
          continue;
        }
        this.count(result);
        this.deps.log.info(
          { incidentId: result.incidentId, outcome: result.outcome, ...(result.followUpOf ? { followUpOf: result.followUpOf } : {}), trace_id: anomaly.traceId, score: Number(anomaly.score.toFixed(4)), rule: anomaly.alert.rule, correlationKey: anomaly.correlationKey },
          'anomaly',
        );
      }
    };
    const width = Math.min(this.deps.openConcurrency ?? 8, anomalies.length);
    await Promise.all(Array.from({ length: width }, worker));
    return refused;
  }

  /**
   * Retries while Temporal is unreachable (the batch waits uncommitted); an error that no retry
   * can cure (the anomaly itself is refused: too large a payload, an invalid argument) is
   * returned as `refused`, so the alert goes to the DLQ instead of blocking its partition forever.
   */
  private async openWithRetry(anomaly: Anomaly, context: BatchContext): Promise<JoinResult | { refused: string }> {
    const { initialMs, maxMs } = this.deps.retry ?? { initialMs: 500, maxMs: 30_000 };
    for (let attempt = 0, delay = initialMs; ; attempt++, delay = Math.min(maxMs, delay * 2)) {
      try {
        // One call can block for long while Temporal is down or slow (the client's own retries).
        return await withHeartbeat(this.followUps.openOrFollow(anomaly), context);
      } catch (err) {
        const permanent = permanentTemporalError(err);
        if (permanent) {
          this.deps.log.error({ err, trace_id: anomaly.traceId }, 'Temporal refused the anomaly for good; dead-lettering it');
          return { refused: `Temporal refused the incident: ${permanent}`.slice(0, 1000) };
        }
        if (!context.isRunning()) throw new Error(`stopping with anomaly ${anomaly.traceId} not yet in Temporal (its batch stays uncommitted)`, { cause: err });
        this.deps.log.error({ err, attempt, retryInMs: delay, trace_id: anomaly.traceId }, 'Temporal did not take the anomaly; retrying (batch held uncommitted)');
        await sleepWithHeartbeat(delay, context);
      }
    }
  }

  private count(result: JoinResult): void {
    if (result.outcome === 'started') this.stats.started += 1;
    else if (result.outcome === 'joined') this.stats.joined += 1;
    else if (result.outcome === 'follow_up') this.stats.followedUp += 1;
    else this.stats.joinedClosed += 1;
    this.deps.metrics?.incidents.inc({ outcome: result.outcome });
  }
}

function emptyBatch(): ScoredBatch {
  return { count: 0, deadLetters: [], anomalies: [], scored: 0, scoreBuckets: [], scoreSum: 0, windowSubjects: 0, floorPassed: 0, firstPassed: 0, suppressed: {}, implausibleTimes: 0, threshold: 1, thresholdSource: 'default' };
}

function reindex(b: ScoredBatch, index: number): ScoredBatch {
  return { ...b, deadLetters: b.deadLetters.map((d) => ({ ...d, index })), anomalies: b.anomalies.map((a) => ({ ...a, index })) };
}

function merge(parts: ScoredBatch[]): ScoredBatch {
  const out = emptyBatch();
  for (const p of parts) {
    out.count += p.count;
    out.deadLetters.push(...p.deadLetters);
    out.anomalies.push(...p.anomalies);
    out.scored += p.scored;
    p.scoreBuckets.forEach((n, i) => (out.scoreBuckets[i] = (out.scoreBuckets[i] ?? 0) + n));
    out.scoreSum += p.scoreSum;
    out.windowSubjects = Math.max(out.windowSubjects, p.windowSubjects);
    out.floorPassed += p.floorPassed;
    out.firstPassed += p.firstPassed;
    for (const [id, n] of Object.entries(p.suppressed)) out.suppressed[id] = (out.suppressed[id] ?? 0) + n;
    out.implausibleTimes += p.implausibleTimes;
    if (p.scored > 0) {
      out.threshold = p.threshold;
      out.thresholdSource = p.thresholdSource;
    }
  }
  return out;
}

function describeOrigin(e: RawEvent): string {
  const o = e.origin;
  return o.kind === 'kafka' ? `${o.topic}/${o.partition}@${o.offset}` : `${o.path}:${o.line}`;
}
