import { SeededRandom } from './prng';

// Seeded synthetic data for tests and the benchmark: no fixtures to check in, same rows every run.

/** A dense Gaussian-ish cluster (sum of uniforms) of `n` rows, plus `outliers` rows far away from it. */
export function clusterWithOutliers(n: number, outliers: number, nFeatures: number, seed: number): { rows: number[][]; labels: number[] } {
  const random = new SeededRandom(seed);
  const near = (): number => (random.nextFloat() + random.nextFloat() + random.nextFloat() - 1.5) * 0.5;
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(Array.from({ length: nFeatures }, near));
    labels.push(0);
  }
  for (let i = 0; i < outliers; i++) {
    rows.push(Array.from({ length: nFeatures }, () => (random.nextFloat() < 0.5 ? -1 : 1) * (4 + 4 * random.nextFloat())));
    labels.push(1);
  }
  return { rows, labels };
}

export function uniformRows(n: number, nFeatures: number, seed: number, scale = 1): number[][] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: nFeatures }, () => (random.nextFloat() - 0.5) * scale));
}
