/**
 * The parsed config items of each kind, kept up to date change by change, for ConfigStore.list. Read from
 * the database once per kind, so a caller that lists every cycle (the acquisition engine, alarm evaluation)
 * pays only for what changed: sorting 10,000 tags again after every change took milliseconds on the event
 * loop. The items are shared between callers and frozen, so no caller can change them for the others.
 */
import type { ConfigChange, ConfigKind } from './config-store.ts';

/** What the cache reads when it first needs a kind: the stored rows, and the changes staged on top. */
export type ItemSource = (kind: ConfigKind) => {
  rows: readonly { key: string; definition: string }[];
  staged: readonly ConfigChange[];
};

export class ConfigItemCache {
  readonly #source: ItemSource;
  readonly #byKey = new Map<ConfigKind, Map<string, ListedItem>>();
  readonly #ordered = new Map<ConfigKind, ListedItem[]>();

  constructor(source: ItemSource) {
    this.#source = source;
  }

  /** The items of a kind in key order (a copy of the array; the items themselves are frozen). */
  list<T>(kind: ConfigKind): { key: string; definition: T }[] {
    let ordered = this.#ordered.get(kind);
    if (!ordered) {
      ordered = [...this.#items(kind).values()].sort((a, b) => compareKeys(a.key, b.key));
      this.#ordered.set(kind, ordered);
    }
    return [...ordered] as { key: string; definition: T }[];
  }

  /** A change is in the log now (staged or stored): the kept items follow it. */
  remember(change: ConfigChange): void {
    const items = this.#byKey.get(change.kind);
    if (!items) return;
    const item = change.op === 'put' ? listedItem(change.key, change.value!) : null;
    if (item) items.set(change.key, item);
    else items.delete(change.key);
    const ordered = this.#ordered.get(change.kind);
    if (ordered) placeInOrder(ordered, change.key, item);
  }

  /** The database's items are other than the kept ones (a snapshot, a write that failed): read them again. */
  forget(): void {
    this.#byKey.clear();
    this.#ordered.clear();
  }

  #items(kind: ConfigKind): Map<string, ListedItem> {
    let items = this.#byKey.get(kind);
    if (!items) {
      const { rows, staged } = this.#source(kind);
      items = new Map(rows.map((r) => [r.key, listedItem(r.key, r.definition)]));
      this.#byKey.set(kind, items);
      for (const change of staged) this.remember(change);
    }
    return items;
  }
}

interface ListedItem {
  readonly key: string;
  readonly definition: unknown;
}

/** By UTF-16 code unit, the order `list` returns (the same on every node and platform). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Puts `item` at its key's place in `sorted` (replacing one with that key), or removes that key (null). */
function placeInOrder(sorted: ListedItem[], key: string, item: ListedItem | null): void {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(sorted[mid]!.key, key) < 0) low = mid + 1;
    else high = mid;
  }
  const present = sorted[low]?.key === key;
  if (item) sorted.splice(low, present ? 1 : 0, item);
  else if (present) sorted.splice(low, 1);
}

function listedItem(key: string, definition: string): ListedItem {
  return Object.freeze({ key, definition: deepFreeze(JSON.parse(definition) as unknown) });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
