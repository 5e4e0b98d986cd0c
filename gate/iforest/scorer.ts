import { IForestError, IForestErrorCode } from './errors';
import type { FlatForest } from './flat-forest';
import { accumulatePathLengthsJs } from './js-kernel';
import { isRowMatrix } from './row-matrix';
import type { Rows } from './row-matrix';
import { WasmForest, wasmAvailable } from './wasm-kernel';

// Bound once at load: inside a vm sandbox (jest) every global lookup such as `Math.imul` goes
// through an interceptor and costs ~40x in a hot loop; a module constant is free everywhere.
const pow = Math.pow;

export const ScoringKernel = { Wasm: 'wasm', Js: 'js' } as const;
export type ScoringKernel = (typeof ScoringKernel)[keyof typeof ScoringKernel];

export interface ScorerOptions {
  /** Default: wasm when the host has WebAssembly, else js. Both give identical scores. */
  readonly kernel?: ScoringKernel;
  /** Rows per block pushed through each tree; 256 keeps a block of 10 features (20 KB) in L1 beside a tree. */
  readonly blockRows?: number;
}

/** The wasm memory for a forest is capped so that every byte address stays a positive i32. */
const MAX_WASM_BYTES = 1 << 30;

/**
 * Scores rows against a flat forest: s(x) = 2^(−E[h(x)]/c(ψ)), higher = more anomalous.
 * Rows are copied block by block into one contiguous buffer (checking width and NaN on the
 * way), every tree is run over the block, and the summed path lengths become scores.
 *
 * NaN is refused rather than scored: it fails every `x < split` test and would quietly walk
 * the right-most path, so a broken feature extractor would look like a stream of odd events.
 * ±Infinity is accepted and lands beyond every split on its side, which is what it means.
 */
export class FlatScorer {
  readonly kernel: ScoringKernel;
  private readonly wasm: WasmForest | undefined;
  private readonly rowBlock: Float64Array;
  private readonly acc: Float64Array;
  private readonly blockRows: number;
  private readonly nTrees: number;

  constructor(
    readonly forest: FlatForest,
    options: ScorerOptions = {},
  ) {
    this.blockRows = options.blockRows ?? 256;
    if (!Number.isInteger(this.blockRows) || this.blockRows < 1) {
      throw new IForestError(IForestErrorCode.InvalidOption, `blockRows must be a positive integer, got ${options.blockRows}`);
    }
    const wasmFits =
      forest.splitValues.length * 16 + forest.leafPathLengths.length * 8 + this.blockRows * (forest.nFeatures + 1) * 8 <
      MAX_WASM_BYTES;
    const kernel = options.kernel ?? (wasmFits && wasmAvailable() ? ScoringKernel.Wasm : ScoringKernel.Js);
    if (kernel === ScoringKernel.Wasm && !wasmFits) {
      throw new IForestError(IForestErrorCode.TooDeep, 'forest too large for the wasm kernel (1 GiB); use kernel: "js"');
    }
    this.kernel = kernel;
    if (kernel === ScoringKernel.Wasm) {
      this.wasm = new WasmForest(forest, this.blockRows);
      this.rowBlock = this.wasm.rowBlock;
      this.acc = this.wasm.acc;
    } else {
      this.wasm = undefined;
      this.rowBlock = new Float64Array(this.blockRows * forest.nFeatures);
      this.acc = new Float64Array(this.blockRows);
    }
    this.nTrees = forest.nTrees;
  }

  get nFeatures(): number {
    return this.forest.nFeatures;
  }

  /** s(x) of one row. For many rows, scoreBatch is several times faster per row. */
  score(row: ArrayLike<number>): number {
    this.loadRow(row, 0, 0);
    this.runBlock(1);
    return this.toScore(this.acc[0]!);
  }

  /**
   * s(x) of each row, written to `out` (allocated if omitted, reused if given: the gate scores
   * every Kafka batch into the same buffer). Accepts an array of rows or a row-major matrix.
   */
  scoreBatch(rows: Rows, out?: Float64Array): Float64Array {
    const nRows = isRowMatrix(rows) ? this.checkMatrix(rows.data, rows.nFeatures) : rows.length;
    const result = out ?? new Float64Array(nRows);
    if (result.length < nRows) {
      throw new IForestError(IForestErrorCode.InvalidInput, `output has room for ${result.length} scores, ${nRows} rows given`);
    }
    const nFeatures = this.forest.nFeatures;
    for (let start = 0; start < nRows; start += this.blockRows) {
      const count = Math.min(this.blockRows, nRows - start);
      if (isRowMatrix(rows)) {
        const values = rows.data.subarray(start * nFeatures, (start + count) * nFeatures);
        this.rowBlock.set(values);
        this.rejectNaN(values, start);
      } else {
        for (let i = 0; i < count; i++) this.loadRow(rows[start + i]!, i, start + i);
      }
      this.runBlock(count);
      for (let i = 0; i < count; i++) result[start + i] = this.toScore(this.acc[i]!);
    }
    return result;
  }

  /** Row-major values (nRows × nFeatures), e.g. straight from a feature extractor's buffer. */
  scoreMatrix(data: Float64Array, out?: Float64Array): Float64Array {
    return this.scoreBatch({ data, nRows: data.length / this.forest.nFeatures, nFeatures: this.forest.nFeatures }, out);
  }

  private runBlock(count: number): void {
    if (this.wasm !== undefined) {
      this.wasm.accumulate(count);
    } else {
      this.acc.fill(0, 0, count);
      accumulatePathLengthsJs(this.forest, this.rowBlock, 0, count, this.acc);
    }
  }

  private toScore(pathLengthSum: number): number {
    // Same operation order as the paper's formula (and ml-isolation-forest's predict), so a
    // converted forest reproduces that package's scores bit for bit.
    return pow(2, -(pathLengthSum / this.nTrees) / this.forest.normaliser);
  }

  private loadRow(row: ArrayLike<number>, slot: number, rowNumber: number): void {
    const nFeatures = this.forest.nFeatures;
    if (row.length !== nFeatures) {
      throw new IForestError(
        IForestErrorCode.InvalidInput,
        `row ${rowNumber} has ${row.length} features, the model was trained on ${nFeatures}`,
      );
    }
    const base = slot * nFeatures;
    for (let f = 0; f < nFeatures; f++) {
      const v = row[f]!;
      if (v !== v) throw nanError(rowNumber, f);
      this.rowBlock[base + f] = v;
    }
  }

  private checkMatrix(data: Float64Array, nFeatures: number): number {
    if (nFeatures !== this.forest.nFeatures || data.length % nFeatures !== 0) {
      throw new IForestError(
        IForestErrorCode.InvalidInput,
        `matrix of ${data.length} values with ${nFeatures} features per row does not fit a model of ${this.forest.nFeatures} features`,
      );
    }
    return data.length / nFeatures;
  }

  private rejectNaN(values: Float64Array, firstRow: number): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== v) {
        const offset = Math.floor(i / this.forest.nFeatures);
        throw nanError(firstRow + offset, i - offset * this.forest.nFeatures);
      }
    }
  }
}

function nanError(row: number, feature: number): IForestError {
  return new IForestError(IForestErrorCode.InvalidInput, `row ${row}, feature ${feature} is NaN; the feature extractor must not emit NaN`);
}
