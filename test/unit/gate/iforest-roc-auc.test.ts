import { rocAuc } from '../../../gate/iforest';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, ½ for a constant score', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('counts ties as one half, as scikit-learn’s roc_auc_score does', () => {
    // sklearn.metrics.roc_auc_score([0,0,1,1,0,1], [0.1,0.4,0.35,0.8,0.4,0.4]) == 0.6666666666666667
    expect(rocAuc([0.1, 0.4, 0.35, 0.8, 0.4, 0.4], [0, 0, 1, 1, 0, 1])).toBeCloseTo(0.6666666666666667, 15);
  });

  it('accepts boolean labels', () => {
    expect(rocAuc([3, 1, 2], [true, false, false])).toBe(1);
  });

  it('refuses inputs without both classes, of different lengths, or with NaN', () => {
    expect(() => rocAuc([1, 2], [1, 1])).toThrow(/at least one positive and one negative/);
    expect(() => rocAuc([1, 2], [1])).toThrow(/2 scores but 1 labels/);
    expect(() => rocAuc([1, Number.NaN], [0, 1])).toThrow(/score 1 is NaN/);
  });
});
