import type { CoreSettings, PackedEvents, ScoredBatch } from '../core';
import { GateCore } from '../core';
import type { GateModel } from '../model/gate-model';
import { loadGateModel } from '../model/gate-model';
import type { EngineOptions, ModelSummary, ScoringEngine } from './engine';

export function summarise(model: GateModel): ModelSummary {
  return {
    id: model.id,
    trainer: model.forest.info.trainer,
    trainingRows: model.forest.info.trainingRows,
    hasBaseline: model.baseline !== undefined,
    threshold: model.calibration?.threshold ?? null,
    targetPassRate: model.calibration?.targetPassRate ?? null,
  };
}

/** The engine on the caller's thread (tests, tools): nothing to replace, nothing to watch. */
export class InlineEngine implements ScoringEngine {
  readonly kind = 'inline';
  readonly replacements = 0;
  private readonly core: GateCore;
  model: ModelSummary;

  constructor(options: EngineOptions, model: GateModel = loadGateModel(options.modelPath)) {
    this.core = new GateCore({ ...options, model });
    this.model = summarise(model);
  }

  healthy(): boolean {
    return true;
  }

  busyForMs(): number {
    return 0;
  }

  async process(events: PackedEvents): Promise<ScoredBatch> {
    return this.core.process(events);
  }

  async loadModel(path: string): Promise<ModelSummary> {
    const model = loadGateModel(path);
    this.core.setModel(model);
    this.model = summarise(model);
    return this.model;
  }

  async setSettings(settings: CoreSettings): Promise<void> {
    this.core.setSettings(settings);
  }

  async close(): Promise<void> {}
}
