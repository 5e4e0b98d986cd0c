import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

import { IForestError, IForestErrorCode } from './errors';
import { internalNodesPerTree, leavesPerTree, MAX_FLAT_DEPTH } from './flat-forest';
import type { FlatForest } from './flat-forest';
import { IsolationForestModel, Trainer } from './isolation-forest';
import type { ModelInfo } from './isolation-forest';
import { PathLengthConvention, pathLengthFunction } from './path-length';
import type { ScorerOptions } from './scorer';

// Bound once at load: inside a vm sandbox (jest) every global lookup such as `Math.imul` goes
// through an interceptor and costs ~40x in a hot loop; a module constant is free everywhere.
const finite = Number.isFinite;

/**
 * The model file: one JSON document, the header in plain fields and the three flat arrays as
 * base64 of their little-endian bytes (≈ 0.7 MB for 100 trees at ψ = 256, where a stringified
 * ml-isolation-forest model is ~200 MB because its leaves keep their rows). A SHA-256 over the
 * header fields and the array bytes catches truncation and hand edits; every field is also
 * range-checked, so a bad file fails at load with a reason instead of scoring garbage.
 */
export const MODEL_FORMAT = 'vigil-iforest';
export const MODEL_FORMAT_VERSION = 1;

interface ModelFileV1 {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_FORMAT_VERSION;
  trainer: Trainer;
  seed: number;
  nTrees: number;
  sampleSize: number;
  heightLimit: number;
  nFeatures: number;
  featureNames?: string[];
  trainingRows: number;
  pathLength: PathLengthConvention;
  /** Complete-tree depth of the arrays (≥ every external node's depth). */
  depth: number;
  normaliser: number;
  splitFeatures: string;
  splitValues: string;
  leafPathLengths: string;
  checksum: string;
}

export interface LoadOptions {
  /** Refuse the model unless it takes this many features, or exactly these names in this order. */
  readonly expectedFeatures?: number | readonly string[];
  readonly scorer?: ScorerOptions;
}

export function encodeModel(model: IsolationForestModel): string {
  const { info, forest } = model;
  const arrays = {
    splitFeatures: int32ToBytes(forest.splitFeatures),
    splitValues: float64ToBytes(forest.splitValues),
    leafPathLengths: float64ToBytes(forest.leafPathLengths),
  };
  const file: Omit<ModelFileV1, 'checksum'> = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    trainer: info.trainer,
    seed: info.seed,
    nTrees: info.nTrees,
    sampleSize: info.sampleSize,
    heightLimit: info.heightLimit,
    nFeatures: info.nFeatures,
    ...(info.featureNames === undefined ? {} : { featureNames: [...info.featureNames] }),
    trainingRows: info.trainingRows,
    pathLength: info.pathLength,
    depth: forest.depth,
    normaliser: forest.normaliser,
    splitFeatures: arrays.splitFeatures.toString('base64'),
    splitValues: arrays.splitValues.toString('base64'),
    leafPathLengths: arrays.leafPathLengths.toString('base64'),
  };
  return JSON.stringify({ ...file, checksum: checksum(file, arrays) });
}

/** Writes via a temporary file and rename, so a crash mid-write never leaves a truncated model. */
export function saveModel(model: IsolationForestModel, path: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, encodeModel(model));
  renameSync(temporary, path);
}

export function loadModel(path: string, options: LoadOptions = {}): IsolationForestModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new IForestError(IForestErrorCode.ModelUnreadable, `cannot read model file ${path}: ${(err as Error).message}`);
  }
  return decodeModel(text, options, path);
}

export function decodeModel(text: string, options: LoadOptions = {}, source = 'model'): IsolationForestModel {
  const fail = (code: IForestErrorCode, why: string): never => {
    throw new IForestError(code, `${source}: ${why}`);
  };
  const corrupt = (why: string): never => fail(IForestErrorCode.ModelCorrupt, `${why} (corrupt or edited model file; retrain or restore it)`);

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return fail(IForestErrorCode.ModelUnreadable, `not valid JSON (truncated?): ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail(IForestErrorCode.ModelFormat, 'not a Vigil model (expected a JSON object)');
  const file = parsed as Record<string, unknown>;
  if (file['format'] !== MODEL_FORMAT) {
    return fail(IForestErrorCode.ModelFormat, `not a Vigil model: format is ${JSON.stringify(file['format'])}, expected "${MODEL_FORMAT}"`);
  }
  if (file['version'] !== MODEL_FORMAT_VERSION) {
    return fail(
      IForestErrorCode.ModelFormat,
      `model format version ${JSON.stringify(file['version'])} is not supported by this build (it reads version ${MODEL_FORMAT_VERSION})`,
    );
  }

  const integer = (key: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = file[key];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : corrupt(`${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    const v = file[key];
    return allowed.includes(v as T) ? (v as T) : corrupt(`${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  };
  const trainer = oneOf('trainer', Object.values(Trainer));
  const pathLength = oneOf('pathLength', Object.values(PathLengthConvention));
  const seed = integer('seed', Number.MIN_SAFE_INTEGER);
  const nTrees = integer('nTrees', 1, 1_000_000);
  const nFeatures = integer('nFeatures', 1, 1 << 20);
  const sampleSize = integer('sampleSize', 2);
  const heightLimit = integer('heightLimit', 1, 64);
  const trainingRows = integer('trainingRows', sampleSize);
  const depth = integer('depth', 1, MAX_FLAT_DEPTH);
  const featureNames = file['featureNames'];
  if (featureNames !== undefined) {
    const ok = Array.isArray(featureNames) && featureNames.length === nFeatures && featureNames.every((n) => typeof n === 'string') && new Set(featureNames).size === nFeatures;
    if (!ok) corrupt(`featureNames must be ${nFeatures} distinct strings`);
  }
  const normaliser = file['normaliser'];
  const expectedNormaliser = pathLengthFunction(pathLength)(sampleSize);
  if (normaliser !== expectedNormaliser) corrupt(`normaliser ${JSON.stringify(normaliser)} is not c(${sampleSize}) = ${expectedNormaliser}`);

  const bytes = (key: string, elementBytes: number, count: number): Buffer => {
    const v = file[key];
    const buf = typeof v === 'string' ? Buffer.from(v, 'base64') : undefined;
    return buf !== undefined && buf.length === elementBytes * count ? buf : corrupt(`${key} must hold ${count} values of ${elementBytes} bytes in base64`);
  };
  const internal = nTrees * internalNodesPerTree(depth);
  const arrays = {
    splitFeatures: bytes('splitFeatures', 4, internal),
    splitValues: bytes('splitValues', 8, internal),
    leafPathLengths: bytes('leafPathLengths', 8, nTrees * leavesPerTree(depth)),
  };
  const header: Omit<ModelFileV1, 'checksum' | 'splitFeatures' | 'splitValues' | 'leafPathLengths'> = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    trainer,
    seed,
    nTrees,
    sampleSize,
    heightLimit,
    nFeatures,
    ...(featureNames === undefined ? {} : { featureNames: featureNames as string[] }),
    trainingRows,
    pathLength,
    depth,
    normaliser: expectedNormaliser,
  };
  if (file['checksum'] !== checksum(header, arrays)) corrupt('checksum does not match the content');

  const splitFeatures = bytesToInt32(arrays.splitFeatures);
  const splitValues = bytesToFloat64(arrays.splitValues);
  const leafPathLengths = bytesToFloat64(arrays.leafPathLengths);
  // The checksum proves the arrays are what was written; these prove what was written is usable.
  for (const f of splitFeatures) if (f < 0 || f >= nFeatures) corrupt(`a split uses feature ${f}, the model has ${nFeatures}`);
  for (const v of splitValues) if (!finite(v)) corrupt(`a split value is ${v}`);
  for (const v of leafPathLengths) if (!(v >= 0 && finite(v))) corrupt(`a leaf path length is ${v}`);

  const info: ModelInfo = {
    trainer,
    nTrees,
    sampleSize,
    heightLimit,
    seed,
    nFeatures,
    ...(featureNames === undefined ? {} : { featureNames: featureNames as string[] }),
    trainingRows,
    pathLength,
  };
  checkExpectations(info, options.expectedFeatures, source);
  const forest: FlatForest = { nTrees, depth, nFeatures, splitFeatures, splitValues, leafPathLengths, normaliser: expectedNormaliser };
  return new IsolationForestModel(info, forest, options.scorer);
}

function checkExpectations(info: ModelInfo, expected: number | readonly string[] | undefined, source: string): void {
  if (expected === undefined) return;
  if (typeof expected === 'number') {
    if (info.nFeatures !== expected) {
      throw new IForestError(IForestErrorCode.ModelMismatch, `${source}: model takes ${info.nFeatures} features, the caller provides ${expected}`);
    }
    return;
  }
  const names = info.featureNames;
  if (names === undefined) {
    throw new IForestError(IForestErrorCode.ModelMismatch, `${source}: model was saved without feature names, cannot check them against ${expected.join(', ')}`);
  }
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
    throw new IForestError(
      IForestErrorCode.ModelMismatch,
      `${source}: model features [${names.join(', ')}] differ from the caller's [${expected.join(', ')}]; retrain for the new feature vector`,
    );
  }
}

function checksum(header: object, arrays: { splitFeatures: Buffer; splitValues: Buffer; leafPathLengths: Buffer }): string {
  const h = createHash('sha256');
  // Fixed field order, independent of the key order in the file.
  const fields = header as Record<string, unknown>;
  const keys = ['format', 'version', 'trainer', 'seed', 'nTrees', 'sampleSize', 'heightLimit', 'nFeatures', 'featureNames', 'trainingRows', 'pathLength', 'depth', 'normaliser'];
  h.update(JSON.stringify(keys.map((k) => fields[k] ?? null)));
  h.update(arrays.splitFeatures).update(arrays.splitValues).update(arrays.leafPathLengths);
  return `sha256:${h.digest('hex')}`;
}

// Explicit little-endian (de)serialisation, so a file means the same on any host.
function int32ToBytes(a: Int32Array): Buffer {
  const buf = Buffer.alloc(a.length * 4);
  for (let i = 0; i < a.length; i++) buf.writeInt32LE(a[i]!, i * 4);
  return buf;
}
function float64ToBytes(a: Float64Array): Buffer {
  const buf = Buffer.alloc(a.length * 8);
  for (let i = 0; i < a.length; i++) buf.writeDoubleLE(a[i]!, i * 8);
  return buf;
}
function bytesToInt32(buf: Buffer): Int32Array {
  const a = new Int32Array(buf.length / 4);
  for (let i = 0; i < a.length; i++) a[i] = buf.readInt32LE(i * 4);
  return a;
}
function bytesToFloat64(buf: Buffer): Float64Array {
  const a = new Float64Array(buf.length / 8);
  for (let i = 0; i < a.length; i++) a[i] = buf.readDoubleLE(i * 8);
  return a;
}
