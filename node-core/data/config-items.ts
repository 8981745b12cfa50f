/**
 * The parsed config items of each kind, kept up to date change by change, for ConfigStore.list. Read from
 * the database once per kind, so a caller that lists every cycle (the acquisition engine, alarm evaluation)
 * pays only for what changed: sorting 10,000 tags again after every change took milliseconds on the event
 * loop. The items are shared between callers and frozen, so no caller can change them for the others.
 */
import type { ConfigKind } from './config-kind.ts';
import type { ConfigChange } from './config-types.ts';

/** What the cache reads when it first needs a kind: the stored rows, and the changes staged on top. */
export type ItemSource = (kind: ConfigKind) => {
  rows: readonly { key: string; definition: string }[];
  staged: readonly ConfigChange[];
};

export class ConfigItemCache {
  readonly #source: ItemSource;
  readonly #byKey = new Map<ConfigKind, Map<string, ListedItem>>();
  /** The items of a kind in key order, as of the last `list`. */
  readonly #ordered = new Map<ConfigKind, ListedItem[]>();
  /**
   * Keys changed since the last `list`: the order is mended once, when next listed. Placing each change in
   * the ordered array as it came was a splice of up to 100,000 items per change (4 % of the event loop's
   * time with config changes at 5,000/s in `npm run bench`).
   */
  readonly #changed = new Map<ConfigKind, Set<string>>();

  constructor(source: ItemSource) {
    this.#source = source;
  }

  /** The items of a kind in key order (a copy of the array; the items themselves are frozen). */
  list<T>(kind: ConfigKind): { key: string; definition: T }[] {
    let ordered = this.#ordered.get(kind);
    const changed = this.#changed.get(kind);
    if (!ordered) {
      ordered = [...this.#items(kind).values()].sort(byKey);
      this.#ordered.set(kind, ordered);
      this.#changed.set(kind, new Set());
    } else if (changed && changed.size > 0) {
      ordered = mergeChanged(ordered, changed, this.#items(kind));
      this.#ordered.set(kind, ordered);
      changed.clear();
    }
    return [...ordered] as { key: string; definition: T }[];
  }

  /** One item, as `list` holds it. */
  item<T>(kind: ConfigKind, key: string): T | undefined {
    return this.#items(kind).get(key)?.definition as T | undefined;
  }

  /** A change is in the log now (staged or stored): the kept items follow it. */
  remember(change: ConfigChange): void {
    const items = this.#byKey.get(change.kind);
    if (!items) return;
    if (change.op === 'put') items.set(change.key, listedItem(change.key, change.value!));
    else items.delete(change.key);
    this.#changed.get(change.kind)?.add(change.key);
  }

  /** The database's items are other than the kept ones (a snapshot, a write that failed): read them again. */
  forget(): void {
    this.#byKey.clear();
    this.#ordered.clear();
    this.#changed.clear();
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

const byKey = (a: ListedItem, b: ListedItem): number => compareKeys(a.key, b.key);

/**
 * `ordered` with the `changed` keys taken out and put back as `items` now holds them (or left out if they
 * are gone): one pass over the ordered items, whatever number of keys changed.
 */
function mergeChanged(
  ordered: readonly ListedItem[],
  changed: ReadonlySet<string>,
  items: ReadonlyMap<string, ListedItem>,
): ListedItem[] {
  const added: ListedItem[] = [];
  for (const key of changed) {
    const item = items.get(key);
    if (item) added.push(item);
  }
  added.sort(byKey);
  const merged: ListedItem[] = [];
  let next = 0;
  for (const item of ordered) {
    if (changed.has(item.key)) continue;
    while (next < added.length && compareKeys(added[next]!.key, item.key) < 0) merged.push(added[next++]!);
    merged.push(item);
  }
  while (next < added.length) merged.push(added[next++]!);
  return merged;
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
