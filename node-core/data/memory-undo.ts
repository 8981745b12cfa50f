/**
 * The undo of an in-memory map that a store writes through to SQLite: inside `run`, each key's entry as it was
 * before its first change is kept, and when the work throws (a full disk fails the commit) every changed key
 * is put back. A node must not go on answering with a value or an alarm state its disk refused.
 */
export class MemoryUndo<K, V> {
  readonly #map: Map<K, V>;
  #before: Map<K, V | undefined> | null = null;

  constructor(map: Map<K, V>) {
    this.#map = map;
  }

  /** Runs `work`; nested in another `run`, the outer one puts back. */
  run<T>(work: () => T): T {
    if (this.#before) return work();
    this.#before = new Map();
    try {
      return work();
    } catch (error) {
      for (const [key, value] of this.#before) {
        if (value === undefined) this.#map.delete(key);
        else this.#map.set(key, value);
      }
      throw error;
    } finally {
      this.#before = null;
    }
  }

  /** Call before changing `key` in the map. */
  remember(key: K): void {
    if (this.#before && !this.#before.has(key)) this.#before.set(key, this.#map.get(key));
  }
}
