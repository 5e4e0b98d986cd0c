import { BoundedMap } from './bounded-map';

/** Counts as saved in a model: the most frequent keys first. */
export interface RaritySnapshot {
  total: number;
  counts: Array<[string, number]>;
}

const increment = (n: number | undefined) => (n ?? 0) + 1;

/** A key never seen is this many bits rare at most, whatever the total (keeps features finite and comparable). */
export const MAX_RARITY_BITS = 32;

/**
 * How surprising a value is, in bits: log2((total + 1) / (count + 1)), with Laplace smoothing so an
 * unseen value is finite. 0 for a value that is all there is; grows by one bit each time a value
 * is half as frequent. Bounded to `maxKeys` distinct values (least recently seen are forgotten,
 * i.e. become rare again, which is the safe direction for a security gate).
 */
export class RarityTable {
  private readonly counts: BoundedMap<string, number>;
  private seen = 0;

  constructor(maxKeys: number, snapshot?: RaritySnapshot) {
    this.counts = new BoundedMap(maxKeys);
    if (snapshot) {
      // Least frequent first, so that if the snapshot exceeds the bound the frequent keys survive.
      for (let i = snapshot.counts.length - 1; i >= 0; i--) {
        const [key, count] = snapshot.counts[i]!;
        this.counts.set(key, count);
      }
      this.seen = snapshot.total;
    }
  }

  get total(): number {
    return this.seen;
  }

  get size(): number {
    return this.counts.size;
  }

  /** Times `key` was seen (as far as the bound remembers). */
  count(key: string): number {
    return this.counts.peek(key) ?? 0;
  }

  /** Rarity of `key` given what was seen before it. */
  rarity(key: string): number {
    const count = this.counts.peek(key) ?? 0;
    return Math.min(MAX_RARITY_BITS, Math.log2((this.seen + 1) / (count + 1)));
  }

  observe(key: string): void {
    this.counts.update(key, increment);
    this.seen += 1;
  }

  /** Rarity before this observation, then record it: what the gate does for each event. */
  rarityThenObserve(key: string): number {
    const count = this.counts.update(key, increment) ?? 0;
    const r = Math.min(MAX_RARITY_BITS, Math.log2((this.seen + 1) / (count + 1)));
    this.seen += 1;
    return r;
  }

  snapshot(maxKeys: number = this.counts.maxKeys): RaritySnapshot {
    const counts = [...this.counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, maxKeys);
    return { total: this.seen, counts };
  }
}
