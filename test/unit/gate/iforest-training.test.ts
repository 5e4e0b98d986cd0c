import {
  averagePathLength,
  growForest,
  IForestErrorCode,
  referenceScore,
  rocAuc,
  SeededRandom,
  trainIsolationForest,
} from '../../../gate/iforest';
import { clusterWithOutliers, uniformRows } from '../../../gate/iforest/synthetic-data';

describe('Isolation Forest training', () => {
  describe('c(n), the average path length of an unsuccessful BST search', () => {
    it('is 0 below two rows and 1 at two, by definition', () => {
      expect(averagePathLength(0)).toBe(0);
      expect(averagePathLength(1)).toBe(0);
      expect(averagePathLength(2)).toBe(1);
    });

    it('matches 2H(n−1) − 2(n−1)/n with H(i) ≈ ln i + γ (values from scikit-learn 1.9.1)', () => {
      expect(averagePathLength(3)).toBeCloseTo(1.207392357589623, 12);
      expect(averagePathLength(10)).toBeCloseTo(3.748880484475505, 12);
      expect(averagePathLength(256)).toBeCloseTo(10.244770920119917, 12);
      expect(averagePathLength(100000)).toBeCloseTo(22.180282259643523, 11);
    });
  });

  describe('seeded randomness', () => {
    it('repeats its stream for a seed and differs between nearby seeds', () => {
      const draw = (seed: number): number[] => {
        const r = new SeededRandom(seed);
        return Array.from({ length: 5 }, () => r.nextFloat());
      };
      expect(draw(42)).toEqual(draw(42));
      expect(draw(0)).not.toEqual(draw(1));
      for (const v of draw(7)) expect(v >= 0 && v < 1).toBe(true);
    });

    it('trains the same forest for the same seed and a different one for another seed', () => {
      const rows = uniformRows(1000, 5, 3);
      const a = trainIsolationForest(rows, { seed: 11, nTrees: 20 });
      const b = trainIsolationForest(rows, { seed: 11, nTrees: 20 });
      const c = trainIsolationForest(rows, { seed: 12, nTrees: 20 });
      expect(Array.from(a.forest.splitValues)).toEqual(Array.from(b.forest.splitValues));
      expect(Array.from(a.scoreBatch(rows))).toEqual(Array.from(b.scoreBatch(rows)));
      expect(Array.from(a.forest.splitValues)).not.toEqual(Array.from(c.forest.splitValues));
    });

    it('makes the ml-isolation-forest baseline repeatable too, and leaves Math.random alone', () => {
      const rows = uniformRows(300, 4, 5);
      const realRandom = Math.random;
      const a = trainIsolationForest(rows, { trainer: 'ml-isolation-forest', seed: 3, nTrees: 10 });
      const b = trainIsolationForest(rows, { trainer: 'ml-isolation-forest', seed: 3, nTrees: 10 });
      expect(Math.random).toBe(realRandom);
      expect(Array.from(a.scoreBatch(rows))).toEqual(Array.from(b.scoreBatch(rows)));
    });
  });

  describe('the forest', () => {
    it('uses the defaults of the paper: 100 trees, ψ = 256, height limit 8', () => {
      const model = trainIsolationForest(uniformRows(2000, 3, 1));
      expect(model.info).toMatchObject({ trainer: 'vigil', nTrees: 100, sampleSize: 256, heightLimit: 8, trainingRows: 2000, pathLength: 'paper' });
      expect(model.forest.depth).toBe(8);
      expect(model.forest.normaliser).toBe(averagePathLength(256));
    });

    it('caps ψ at the number of rows and derives the height limit from the capped ψ', () => {
      const rows = uniformRows(50, 3, 2);
      const model = trainIsolationForest(rows, { sampleSize: 256, seed: 4 });
      expect(model.info.sampleSize).toBe(50);
      expect(model.info.heightLimit).toBe(6);
      expect(model.forest.normaliser).toBe(averagePathLength(50));
      for (const s of model.scoreBatch(rows)) expect(s > 0 && s < 1).toBe(true);
    });

    it('never grows an external node below the height limit', () => {
      const grown = growForest(uniformRows(5000, 6, 9), { seed: 1, nTrees: 30, sampleSize: 64 });
      expect(grown.info.heightLimit).toBe(6);
      const depthOf = (node: (typeof grown.trees.trees)[number]): number =>
        node.kind === 'external' ? 0 : 1 + Math.max(depthOf(node.left), depthOf(node.right));
      for (const tree of grown.trees.trees) expect(depthOf(tree)).toBeLessThanOrEqual(6);
    });

    it('puts every subsampled row in exactly one external node of each tree', () => {
      const grown = growForest(uniformRows(1000, 4, 8), { seed: 2, nTrees: 10, sampleSize: 128 });
      const sizes = (node: (typeof grown.trees.trees)[number]): number => (node.kind === 'external' ? node.size : sizes(node.left) + sizes(node.right));
      for (const tree of grown.trees.trees) expect(sizes(tree)).toBe(128);
    });

    it('scores obvious outliers above every row of a dense cluster', () => {
      const { rows, labels } = clusterWithOutliers(3000, 20, 5, 21);
      const model = trainIsolationForest(rows, { seed: 5 });
      const scores = model.scoreBatch(rows);
      expect(rocAuc(scores, labels)).toBe(1);
      const cluster = Array.from(scores.subarray(0, 3000));
      const outliers = Array.from(scores.subarray(3000));
      expect(Math.min(...outliers)).toBeGreaterThan(0.6);
      expect(Math.max(...cluster)).toBeLessThan(Math.min(...outliers));
      // The paper's reading of s: ≈0.5 or below is ordinary.
      expect(cluster.reduce((a, b) => a + b, 0) / cluster.length).toBeLessThan(0.5);
    });

    it('handles duplicate rows and constant features without looping or NaN', () => {
      const rows = Array.from({ length: 400 }, (_, i) => [1, i % 3, 7]);
      rows.push([1, 50, 7]);
      const grown = growForest(rows, { seed: 3, nTrees: 20 });
      for (const row of rows) expect(Number.isFinite(referenceScore(grown.trees, row))).toBe(true);
      const model = trainIsolationForest(rows, { seed: 3, nTrees: 20 });
      const scores = model.scoreBatch(rows);
      expect(scores[400]).toBeGreaterThan(scores[0]!);
      // Feature 0 and 2 never vary, so no split may use them.
      for (let k = 0; k < model.forest.splitFeatures.length; k++) {
        if (model.forest.splitValues[k] !== 0) expect(model.forest.splitFeatures[k]).toBe(1);
      }
    });
  });

  describe('refusing bad training input', () => {
    it.each([
      ['no rows', [] as number[][]],
      ['one row', [[1, 2]]],
      ['ragged rows', [[1, 2], [3]]],
      ['NaN', [[1, 2], [Number.NaN, 3]]],
      ['Infinity', [[1, 2], [Number.POSITIVE_INFINITY, 3]]],
    ])('refuses %s with a reason', (_, rows) => {
      expect(() => trainIsolationForest(rows)).toThrow(expect.objectContaining({ code: IForestErrorCode.InvalidTrainingData }));
    });

    it('refuses nonsensical options', () => {
      const rows = uniformRows(10, 2, 1);
      expect(() => trainIsolationForest(rows, { nTrees: 0 })).toThrow(/nTrees must be a positive integer/);
      expect(() => trainIsolationForest(rows, { sampleSize: 1 })).toThrow(/sampleSize must be at least 2/);
      expect(() => trainIsolationForest(rows, { seed: 1.5 })).toThrow(/seed must be a safe integer/);
      expect(() => trainIsolationForest(rows, { featureNames: ['a'] })).toThrow(/featureNames must be 2 distinct strings/);
      expect(() => trainIsolationForest(rows, { trainer: 'ml-isolation-forest', heightLimit: 3 })).toThrow(/heightLimit is fixed/);
    });
  });
});
