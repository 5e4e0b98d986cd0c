/**
 * Area under the ROC curve for `scores` (higher = more likely positive) against `labels`
 * (truthy / 1 = positive). Computed as the Mann–Whitney U statistic: the probability that a
 * random positive outscores a random negative, ties counting one half (average ranks), which is
 * what scikit-learn's roc_auc_score returns for the same inputs.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (s !== s) throw new RangeError(`rocAuc: score ${i} is NaN`);
  }
  order.sort((a, b) => scores[a]! - scores[b]!);

  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    const averageRank = (start + 1 + end) / 2; // ranks start..end-1 are tied, 1-based
    for (let k = start; k < end; k++) {
      if (labels[order[k]!]) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('rocAuc: needs at least one positive and one negative label');
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
