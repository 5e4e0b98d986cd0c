/**
 * A map that holds at most `maxKeys` entries and forgets the ones not used for longest, in two
 * generations: new and used keys go to the young map; when it is full it becomes the old map and
 * the previous old map is dropped whole; a key found in the old map moves back to the young one.
 * So a key survives as long as it is used at least once per half-bound of insertions. Strict LRU
 * (delete + re-insert on every read) costs about as much as everything else the extractor does;
 * this costs two Map lookups at worst and never deletes one key at a time.
 */
export class BoundedMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generation: number;
  private dropped = 0;

  constructor(readonly maxKeys: number) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new Error(`maxKeys must be a positive integer, got ${maxKeys}`);
    this.generation = Math.max(1, Math.floor(maxKeys / 2));
  }

  /** Entries held (young and old together, at most maxKeys). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  /** Entries dropped to stay within the bound, since creation. */
  get evictions(): number {
    return this.dropped;
  }

  /** The value, keeping the key alive. */
  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const aged = this.old.get(key);
    if (aged !== undefined) {
      this.old.delete(key);
      this.insert(key, aged);
    }
    return aged;
  }

  /** The value without keeping the key alive (lookups that must not count as use). */
  peek(key: K): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  /**
   * Replaces the value with `next(old)` and returns the old one (undefined if absent), keeping the
   * key alive: one lookup for a recently used key, where get + set would take three.
   */
  update(key: K, next: (old: V | undefined) => V): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) {
      this.young.set(key, next(v));
      return v;
    }
    const aged = this.old.get(key);
    if (aged !== undefined) this.old.delete(key);
    this.insert(key, next(aged));
    return aged;
  }

  set(key: K, value: V): void {
    if (this.young.has(key)) {
      this.young.set(key, value);
      return;
    }
    this.old.delete(key);
    this.insert(key, value);
  }

  /** Least recently promoted first. */
  *entries(): IterableIterator<[K, V]> {
    yield* this.old.entries();
    yield* this.young.entries();
  }

  private insert(key: K, value: V): void {
    if (this.young.size >= this.generation) {
      this.dropped += this.old.size;
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
