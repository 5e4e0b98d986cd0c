import { averagePathLength, flattenForest, FlatScorer, growForest, IForestErrorCode, MAX_FLAT_DEPTH, referenceScore, trainIsolationForest } from '../../../gate/iforest';
import type { GrownForest, IsolationTreeNode, ScoringKernel } from '../../../gate/iforest';
import { uniformRows } from '../../../gate/iforest/synthetic-data';

const KERNELS: ScoringKernel[] = ['wasm', 'js'];

function toMatrix(rows: number[][]): Float64Array {
  const nFeatures = rows[0]!.length;
  const data = new Float64Array(rows.length * nFeatures);
  rows.forEach((row, i) => data.set(row, i * nFeatures));
  return data;
}

describe('flat scorer', () => {
  // Shapes chosen to hit the edges of the layout: tree counts that are not a multiple of the
  // eight lanes, ψ giving depths 1..9, ψ = n, and row counts around the lane and block sizes.
  const cases: { name: string; grown: () => GrownForest }[] = [
    { name: '100 trees, ψ=256, 10 features', grown: () => growForest(uniformRows(3000, 10, 1), { seed: 1 }) },
    { name: '13 trees, ψ=37 (depth 6), 3 features', grown: () => growForest(uniformRows(500, 3, 2), { seed: 2, nTrees: 13, sampleSize: 37 }) },
    { name: '9 trees, ψ=2 (depth 1), 1 feature', grown: () => growForest(uniformRows(40, 1, 3), { seed: 3, nTrees: 9, sampleSize: 2 }) },
    { name: '5 trees, ψ = n = 300, 7 features', grown: () => growForest(uniformRows(300, 7, 4, 1000), { seed: 4, nTrees: 5, sampleSize: 1000 }) },
    { name: 'ml-isolation-forest trees (depth 9)', grown: () => growForest(uniformRows(2000, 4, 5), { trainer: 'ml-isolation-forest', seed: 5, nTrees: 11 }) },
  ];

  describe.each(cases)('$name', ({ grown: make }) => {
    const grown = make();
    const flat = flattenForest(grown.trees);
    // Rows from a wider range than training, so some fall outside every split.
    const probe = uniformRows(517, grown.info.nFeatures, 99, 3);
    const expected = probe.map((row) => referenceScore(grown.trees, row));

    it.each(KERNELS)('%s kernel equals the recursive reference exactly, in batches of any size', (kernel) => {
      const scorer = new FlatScorer(flat, { kernel, blockRows: 100 });
      expect(scorer.kernel).toBe(kernel);
      expect(Array.from(scorer.scoreBatch(probe))).toEqual(expected);
      for (const n of [1, 7, 8, 9]) expect(Array.from(scorer.scoreBatch(probe.slice(0, n)))).toEqual(expected.slice(0, n));
      expect(Array.from(scorer.scoreMatrix(toMatrix(probe)))).toEqual(expected);
    });

    it.each(KERNELS)('%s kernel scores one row exactly as the batch does', (kernel) => {
      const scorer = new FlatScorer(flat, { kernel });
      probe.slice(0, 40).forEach((row, i) => expect(scorer.score(row)).toBe(expected[i]));
    });
  });

  it('reproduces ml-isolation-forest’s own predict from the converted trees', () => {
    const rows = uniformRows(1500, 5, 6);
    const model = trainIsolationForest(rows, { trainer: 'ml-isolation-forest', seed: 6, nTrees: 25 });
    const probe = uniformRows(300, 5, 7, 2);
    const theirs = model.baseline!.predict(probe);
    const ours = model.scoreBatch(probe);
    theirs.forEach((s, i) => expect(ours[i]).toBe(s));
  });

  it('writes into a caller buffer and refuses one that is too small', () => {
    const model = trainIsolationForest(uniformRows(500, 2, 8), { nTrees: 10 });
    const out = new Float64Array(20).fill(-1);
    expect(model.scoreBatch(uniformRows(10, 2, 9), out)).toBe(out);
    expect(out[9]).toBeGreaterThan(0);
    expect(out[10]).toBe(-1);
    expect(() => model.scoreBatch(uniformRows(30, 2, 9), out)).toThrow(/room for 20 scores, 30 rows/);
  });

  it.each(KERNELS)('%s kernel refuses NaN and rows of the wrong width, naming the row', (kernel) => {
    const model = trainIsolationForest(uniformRows(500, 3, 10), { nTrees: 10, scorer: { kernel } });
    const rows = uniformRows(20, 3, 11);
    rows[13] = [0, Number.NaN, 0];
    expect(() => model.scoreBatch(rows)).toThrow(expect.objectContaining({ code: IForestErrorCode.InvalidInput, message: expect.stringMatching(/row 13, feature 1 is NaN/) }));
    expect(() => model.scoreMatrix(toMatrix(rows))).toThrow(/row 13, feature 1 is NaN/);
    expect(() => model.score([1, 2])).toThrow(/has 2 features, the model was trained on 3/);
    expect(() => model.scoreMatrix(new Float64Array(7))).toThrow(/does not fit a model of 3 features/);
  });

  it('accepts ±Infinity: it lies beyond every split on its side', () => {
    const model = trainIsolationForest(uniformRows(500, 2, 12), { nTrees: 20 });
    const far = model.score([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(far).toBe(model.score([1e9, -1e9]));
    expect(far).toBeGreaterThan(model.score([0, 0]));
  });

  it('refuses to lay out trees deeper than the flat layout allows, saying what to do', () => {
    // A chain of splits: each level peels one row off the right.
    const chain = (depth: number): IsolationTreeNode =>
      depth === 0 ? { kind: 'external', size: 1 } : { kind: 'split', feature: 0, threshold: depth, left: chain(depth - 1), right: { kind: 'external', size: 1 } };
    const forest = (depth: number) => ({ trees: [chain(depth)], nFeatures: 1, pathLength: averagePathLength, normaliser: 1 });
    expect(flattenForest(forest(MAX_FLAT_DEPTH)).depth).toBe(MAX_FLAT_DEPTH);
    expect(() => flattenForest(forest(MAX_FLAT_DEPTH + 1))).toThrow(
      expect.objectContaining({ code: IForestErrorCode.TooDeep, message: expect.stringMatching(/17 levels deep; the flat layout stops at 16.*sampleSize/) }),
    );
  });
});
