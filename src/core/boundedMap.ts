/**
 * A Map that keeps at most `max` entries, dropping the least recently used: the
 * caches it backs (beside each GitHub client, in the SQLite store) are optimisations, never state, and must not
 * grow with what a long-lived bot has seen.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    // Re-insert: a Map iterates in insertion order, so the oldest key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, v);
    return v;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
  }

  get size(): number {
    return this.entries.size;
  }
}
