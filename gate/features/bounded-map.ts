/**
 * A Map that keeps at most `maxKeys` entries, evicting the least recently used. JavaScript Maps
 * iterate in insertion order, so "touch" is delete + set and the first key is the oldest: O(1)
 * per operation with no extra bookkeeping, which matters at a hundred thousand keys.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  private evicted = 0;

  constructor(readonly maxKeys: number) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new Error(`maxKeys must be a positive integer, got ${maxKeys}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** Entries dropped to stay within the bound, since creation. */
  get evictions(): number {
    return this.evicted;
  }

  /** The value, marking the key as recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  /** The value without changing recency (for lookups that must not keep a key alive). */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.maxKeys) this.evictOldest();
    this.map.set(key, value);
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  private evictOldest(): void {
    const oldest = this.map.keys().next();
    if (!oldest.done) {
      this.map.delete(oldest.value);
      this.evicted += 1;
    }
  }
}
