import { formatIssues } from '../../contracts/issues';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { IsolationForestModel } from '../iforest';
import { decodeModel, encodeModel, IForestError, MODEL_FORMAT } from '../iforest';
import type { ExtractorBaseline } from '../features/extractor';
import type { RarityTableName } from '../features/extractor';
import { FEATURE_NAMES, RARITY_TABLES } from '../features/extractor';

/**
 * The gate's model file: the Isolation Forest (gate/iforest's own format, checksummed) plus what
 * the feature extractor learnt while training (rarity counts, window settings), so a restarted
 * gate scores its first event the way it will score its millionth instead of finding every rule
 * rare. A bare gate/iforest model file loads too, with an empty baseline.
 */
export const GATE_MODEL_FORMAT = 'vigil-gate-model';
export const GATE_MODEL_VERSION = 2;

export interface TrainingSummary {
  input: string;
  rows: number;
  /** Score quantiles over the training rows: how much benign traffic a threshold would let through. */
  scoreQuantiles: Record<'p50' | 'p90' | 'p99' | 'p999' | 'max', number>;
  trainedAt: string;
}

/** How `vigil train` chose the threshold, and what it measured on data the forest did not see. */
export interface Calibration {
  /** Scores at or above pass the gate (unless policy data overrides it). */
  threshold: number;
  /** Share of benign training alerts the threshold was chosen to let through. */
  targetPassRate: number;
  /** Share of all training alerts at or above the threshold. */
  trainingPassRate: number;
  /** The latest part of the window, held out: a forest fitted on the rest, scored on it. */
  heldOut: { rows: number; passRate: number; threshold: number; passRateAtFinalThreshold: number } | null;
  /** Share of training alerts at or above the policy's priority floor (they pass whatever the score). */
  priorityFloorRate: number;
}

export interface GateModel {
  forest: IsolationForestModel;
  baseline: ExtractorBaseline | undefined;
  training: TrainingSummary | undefined;
  /** The calibrated threshold (absent in bare forest files and models trained before calibration). */
  calibration: Calibration | undefined;
  /** A short content id for logs and metrics (changes whenever the file's forest changes). */
  id: string;
}

export class GateModelError extends Error {
  override readonly name = 'GateModelError';
}

const snapshot = z.object({ total: z.number().int().min(0), counts: z.array(z.tuple([z.string(), z.number().int().min(0)])) });
const GateModelFileSchema = z.object({
  format: z.literal(GATE_MODEL_FORMAT),
  version: z.literal(GATE_MODEL_VERSION),
  features: z.object({
    names: z.array(z.string()),
    baseline: z.object({
      rarity: z.object(Object.fromEntries(RARITY_TABLES.map((t) => [t, snapshot])) as Record<RarityTableName, typeof snapshot>),
      windows: z.object({ burstHalfLifeMs: z.number().positive(), distinctRulesWindowMs: z.number().positive() }),
    }),
  }),
  training: z
    .object({
      input: z.string(),
      rows: z.number().int(),
      scoreQuantiles: z.object({ p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number(), max: z.number() }),
      trainedAt: z.string(),
    })
    .optional(),
  calibration: z
    .object({
      threshold: z.number().min(0).max(1),
      targetPassRate: z.number().min(0).max(1),
      trainingPassRate: z.number().min(0).max(1),
      heldOut: z.object({ rows: z.number().int().min(0), passRate: z.number().min(0).max(1), threshold: z.number(), passRateAtFinalThreshold: z.number().min(0).max(1) }).nullable(),
      priorityFloorRate: z.number().min(0).max(1),
    })
    .optional(),
  forest: z.record(z.string(), z.unknown()),
});

export function encodeGateModel(model: Omit<GateModel, 'id'>): string {
  if (!model.baseline) throw new GateModelError('a gate model needs the extractor baseline it was trained with');
  return JSON.stringify({
    format: GATE_MODEL_FORMAT,
    version: GATE_MODEL_VERSION,
    features: { names: [...FEATURE_NAMES], baseline: model.baseline },
    training: model.training,
    calibration: model.calibration,
    forest: JSON.parse(encodeModel(model.forest)) as unknown,
  });
}

/** Via a temporary file and a rename: a gate watching the path never reads half a model. */
export function saveGateModel(model: Omit<GateModel, 'id'>, path: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, encodeGateModel(model));
  renameSync(temporary, path);
}

export function loadGateModel(path: string): GateModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GateModelError(`cannot read model ${path}: ${(err as Error).message} (train one with \`vigil train --input <alerts.jsonl> --out ${path}\`)`);
  }
  return decodeGateModel(text, path);
}

export function decodeGateModel(text: string, source = 'model'): GateModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new GateModelError(`${source}: not valid JSON (truncated?): ${(err as Error).message}`);
  }
  const format = (doc as { format?: unknown } | null)?.format;
  try {
    if (format === MODEL_FORMAT) {
      const forest = decodeModel(text, { expectedFeatures: FEATURE_NAMES }, source);
      return { forest, baseline: undefined, training: undefined, calibration: undefined, id: modelId(doc) };
    }
    const version = (doc as { version?: unknown } | null)?.version;
    if (format === GATE_MODEL_FORMAT && version !== GATE_MODEL_VERSION) {
      throw new GateModelError(`${source}: gate model version ${String(version)}, this gate reads version ${GATE_MODEL_VERSION}; retrain with \`vigil train\``);
    }
    const parsed = GateModelFileSchema.safeParse(doc);
    if (!parsed.success) {
      const why = formatIssues(parsed.error);
      throw new GateModelError(`${source}: not a Vigil gate model (${why})`);
    }
    const file = parsed.data;
    const names = file.features.names;
    if (names.length !== FEATURE_NAMES.length || names.some((n, i) => n !== FEATURE_NAMES[i])) {
      throw new GateModelError(
        `${source}: model features [${names.join(', ')}] differ from this gate's extractor [${FEATURE_NAMES.join(', ')}]; retrain with \`vigil train\``,
      );
    }
    const forest = decodeModel(JSON.stringify(file.forest), { expectedFeatures: FEATURE_NAMES }, source);
    return { forest, baseline: file.features.baseline, training: file.training, calibration: file.calibration, id: modelId(file.forest) };
  } catch (err) {
    if (err instanceof IForestError) throw new GateModelError(err.message);
    throw err;
  }
}

/** The forest's own checksum, shortened: equal ids mean identical trees. */
function modelId(forestDoc: unknown): string {
  const checksum = (forestDoc as { checksum?: unknown }).checksum;
  return typeof checksum === 'string' ? checksum.replace(/^sha256:/, '').slice(0, 12) : 'unknown';
}
