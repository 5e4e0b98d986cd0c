import type { CoreOptions, CoreSettings, PackedEvents, ScoredBatch } from '../core';

/** What the engine needs to build a GateCore; the model comes from a file so a thread can load it itself. */
export interface EngineOptions extends Omit<CoreOptions, 'model'> {
  modelPath: string;
}

export interface ModelSummary {
  id: string;
  trainer: string;
  trainingRows: number;
  hasBaseline: boolean;
}

/**
 * Runs the gate's CPU work (validate, features, score). Inline for files and tests; on its own
 * thread for Kafka, so scoring overlaps with kafkajs fetching and decoding on the main thread.
 */
export interface ScoringEngine {
  readonly kind: 'inline' | 'thread';
  readonly model: ModelSummary;
  process(events: PackedEvents): Promise<ScoredBatch>;
  /** Loads a model file; rejects with the reason and keeps the previous model. */
  loadModel(path: string): Promise<ModelSummary>;
  setSettings(settings: CoreSettings): Promise<void>;
  close(): Promise<void>;
}
