import { IForestError, IForestErrorCode } from './errors';

// Bound once at load: inside a vm sandbox (jest) every global lookup such as `Math.imul` goes
// through an interceptor and costs ~40x in a hot loop; a module constant is free everywhere.
const finite = Number.isFinite;

/** Rows stored row-major in one Float64Array: the shape both trainers and the scorer work on. */
export interface RowMatrix {
  readonly data: Float64Array;
  readonly nRows: number;
  readonly nFeatures: number;
}

/** Anything that can be viewed as rows: an array of rows, or an already row-major matrix. */
export type Rows = readonly ArrayLike<number>[] | RowMatrix;

export function isRowMatrix(rows: Rows): rows is RowMatrix {
  return !Array.isArray(rows) && (rows as RowMatrix).data instanceof Float64Array;
}

/**
 * Copies training rows into one row-major matrix, refusing what would silently poison a forest:
 * no rows, ragged rows, NaN or ±Infinity (a split point is drawn between a feature's min and max,
 * which must both be finite).
 */
export function toTrainingMatrix(rows: Rows): RowMatrix {
  const matrix = isRowMatrix(rows) ? rows : copyRows(rows);
  if (matrix.nRows < 2) {
    throw new IForestError(IForestErrorCode.InvalidTrainingData, `need at least 2 training rows, got ${matrix.nRows}`);
  }
  if (matrix.nFeatures < 1) {
    throw new IForestError(IForestErrorCode.InvalidTrainingData, 'training rows have no features');
  }
  if (matrix.data.length !== matrix.nRows * matrix.nFeatures) {
    throw new IForestError(
      IForestErrorCode.InvalidTrainingData,
      `matrix data has ${matrix.data.length} values, expected ${matrix.nRows} rows x ${matrix.nFeatures} features`,
    );
  }
  const { data, nFeatures } = matrix;
  for (let i = 0; i < data.length; i++) {
    if (!finite(data[i]!)) {
      const row = Math.floor(i / nFeatures);
      throw new IForestError(
        IForestErrorCode.InvalidTrainingData,
        `training row ${row}, feature ${i - row * nFeatures} is ${data[i]}; training needs finite values`,
      );
    }
  }
  return matrix;
}

function copyRows(rows: readonly ArrayLike<number>[]): RowMatrix {
  const nRows = rows.length;
  const nFeatures = rows[0]?.length ?? 0;
  const data = new Float64Array(nRows * nFeatures);
  for (let r = 0; r < nRows; r++) {
    const row = rows[r]!;
    if (row.length !== nFeatures) {
      throw new IForestError(
        IForestErrorCode.InvalidTrainingData,
        `training row ${r} has ${row.length} features, row 0 has ${nFeatures}`,
      );
    }
    for (let f = 0; f < nFeatures; f++) data[r * nFeatures + f] = row[f]!;
  }
  return { data, nRows, nFeatures };
}

/** A row of a matrix as a plain array (what ml-isolation-forest's API takes). */
export function matrixRow(matrix: RowMatrix, r: number): number[] {
  return Array.from(matrix.data.subarray(r * matrix.nFeatures, (r + 1) * matrix.nFeatures));
}
