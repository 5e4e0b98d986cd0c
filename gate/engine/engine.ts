import type { CoreOptions, CoreSettings, PackedEvents, ScoredBatch } from '../core';

/** What the engine needs to build a GateCore; the model comes from a file so a thread can load it itself. */
export interface EngineOptions extends Omit<CoreOptions, 'model'> {
  modelPath: string;
  /**
   * Fault injection for the hardening tests only: the scoring thread hangs (`stall`) or dies
   * (`crash`) on an event whose bytes contain `marker`. Unset in production.
   */
  fault?: { kind: 'stall' | 'crash'; marker: string } | undefined;
}

export interface ModelSummary {
  id: string;
  trainer: string;
  trainingRows: number;
  hasBaseline: boolean;
  /** The calibrated threshold the model carries, if any. */
  threshold: number | null;
  /** The benign pass rate it was calibrated for, if any. */
  targetPassRate: number | null;
}

/**
 * The engine could not score a batch because its scoring thread died or stalled; it has been
 * replaced by a fresh one. The batch may be retried (the gate retries it event by event, so a
 * poison event is isolated into the DLQ).
 */
export class ScorerFailure extends Error {
  override readonly name = 'ScorerFailure';
}

/**
 * Runs the gate's CPU work (validate, features, score). Inline for tests; on its own thread for
 * the gate process, so scoring overlaps with fetching and a hung scorer can be replaced.
 */
export interface ScoringEngine {
  readonly kind: 'inline' | 'thread';
  readonly model: ModelSummary;
  /** Scorers replaced since start (died or stalled). */
  readonly replacements: number;
  /** False while a dead or stalled scorer is being replaced. */
  healthy(): boolean;
  /** Milliseconds the oldest outstanding call has been waiting (0 when idle): what the watchdog reads. */
  busyForMs(): number;
  process(events: PackedEvents): Promise<ScoredBatch>;
  /** Loads a model file; rejects with the reason and keeps the previous model. */
  loadModel(path: string): Promise<ModelSummary>;
  setSettings(settings: CoreSettings): Promise<void>;
  close(): Promise<void>;
}
