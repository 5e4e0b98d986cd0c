/** The Euler–Mascheroni constant γ, used by the paper's harmonic-number approximation. */
export const EULER_GAMMA = 0.5772156649015329;

/** H(i) ≈ ln(i) + γ, the approximation Liu, Ting & Zhou (2008) use for the harmonic number. */
export function harmonicNumber(i: number): number {
  return Math.log(i) + EULER_GAMMA;
}

/**
 * c(n) = 2H(n−1) − 2(n−1)/n: the average path length of an unsuccessful search in a binary
 * search tree of n keys (Liu et al. 2008, eq. 1). It normalises h(x) in the anomaly score and
 * estimates the depth still needed below an external node that holds n > 1 rows; c(2) = 1 and
 * c(n ≤ 1) = 0 by definition (the formula is meaningless there).
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * harmonicNumber(n - 1) - (2 * (n - 1)) / n;
}

/**
 * The normalisation ml-isolation-forest 0.1.0 uses: 2·ln(n−1) + 0.57721 − 2(n−1)/n, i.e. γ added
 * once where the paper's 2H(n−1) adds it twice. We reproduce it only so that trees converted from
 * that package score exactly as its own `predict` does; our trainer uses `averagePathLength`.
 */
export function mlIsolationForestPathLength(n: number): number {
  if (n === 0 || n === 1) return 0;
  if (n === 2) return 1;
  return 2 * Math.log(n - 1) + 0.57721 - (2 * (n - 1)) / n;
}

/** Which c(n) a forest's leaves and normaliser were computed with. */
export const PathLengthConvention = {
  /** Liu et al. 2008 (also what scikit-learn implements). */
  Paper: 'paper',
  /** ml-isolation-forest 0.1.0's variant, for trees converted from that package. */
  MlIsolationForest: 'ml-isolation-forest',
} as const;
export type PathLengthConvention = (typeof PathLengthConvention)[keyof typeof PathLengthConvention];

export function pathLengthFunction(convention: PathLengthConvention): (n: number) => number {
  return convention === PathLengthConvention.Paper ? averagePathLength : mlIsolationForestPathLength;
}

/**
 * s(x) = 2^(−E[h(x)] / c(ψ)). Higher means more anomalous (≈1 isolated at once, ≤0.5 ordinary),
 * as in the paper. scikit-learn's `score_samples` returns −s(x), and its `decision_function`
 * returns `score_samples − offset_` (offset_ = −0.5 with contamination='auto'), i.e. 0.5 − s(x).
 */
export function anomalyScore(meanPathLength: number, normaliser: number): number {
  return Math.pow(2, -meanPathLength / normaliser);
}
