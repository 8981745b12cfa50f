/**
 * Config data and its change log. Every change carries (epoch, seq) and a checksum chained over the one
 * before, so a standby can tell that it holds exactly the active node's history: a gap or a checksum that
 * does not follow means it asks for a full snapshot. The SQL of the log is store/config-tables.ts.
 */
import type { Db, Transaction } from '../store/index.ts';
import type { MetaStore } from '../store/index.ts';
import { ConfigTables } from '../store/config-tables.ts';
import { ConflictSet } from '../store/config-conflicts.ts';
import { checksumAfter, follows, GENESIS } from './config-checksum.ts';
import { CommonSeq } from './config-common.ts';
import { ConfigItemCache } from './config-items.ts';
import { itemKey, type ConfigKind } from './config-kind.ts';
import type { TagDefinition } from './tag-definition.ts';
import type { ConfigChange, ConfigHead, ConfigNotice, ConfigSnapshot, LocalChange } from './config-types.ts';

export { CONFIG_KINDS, type ConfigKind } from './config-kind.ts';

export type { ConfigChange, ConfigHead, ConfigNotice, ConfigSnapshot, LocalChange } from './config-types.ts';
export type { ConfigConflict } from '../store/config-conflicts.ts';

/** Where the log starts after a snapshot was loaded: `seq:checksum` of the snapshot's head (meta key). */
const SNAPSHOT_BASE = 'config_snapshot_base';

/** The head of a log that holds no change yet. */
const EMPTY_LOG: ConfigHead = { seq: 0, checksum: GENESIS };

interface Applied {
  readonly head: ConfigHead;
  readonly stoppedAt: number | null;
}

export class ConfigStore {
  readonly #db: Db;
  readonly #tables: ConfigTables;
  readonly #meta: MetaStore;
  /** The head as last committed, kept so that a change does not read it back; null: read it from the database. */
  #head: ConfigHead | null = null;
  readonly #common: CommonSeq;
  /** Changes made here that every read sees but the database does not hold yet (see `stage`). */
  #staged: ConfigChange[] = [];
  #onLost: (changes: readonly ConfigChange[], error: unknown) => void = () => undefined;
  readonly #watchers: ((change: ConfigNotice) => void)[] = [];
  /** The parsed items, kept up to date change by change (see `list`). */
  readonly #items: ConfigItemCache;
  /** The transactions of every change, made once: better-sqlite3 builds five wrappers for each `transaction`. */
  readonly #persistTransaction: Transaction<
    (staged: readonly ConfigChange[], head: ConfigHead) => number | null
  >;
  readonly #applyTransaction: Transaction<
    (changes: readonly ConfigChange[], start: ConfigHead, applied: ConfigChange[]) => Applied
  >;

  /** Changes a split left out of the log, kept for an operator on both nodes. */
  readonly conflicts: ConflictSet;

  constructor(db: Db, meta: MetaStore) {
    this.#db = db;
    this.#tables = new ConfigTables(db);
    this.#meta = meta;
    this.#common = new CommonSeq(db, meta);
    this.conflicts = new ConflictSet(db);
    this.#items = new ConfigItemCache((kind) => ({
      rows: this.#tables.itemsOf(kind),
      staged: this.#staged.filter((change) => change.kind === kind),
    }));
    this.#persistTransaction = db.transaction((staged: readonly ConfigChange[], head: ConfigHead) => {
      for (const change of staged) this.#tables.append(change);
      this.#tables.writeHead(head);
      return this.#common.writeUnwritten();
    });
    this.#applyTransaction = db.transaction(this.#applyInOrder.bind(this));
  }

  head(): ConfigHead {
    return (this.#head ??= this.#tables.readHead(EMPTY_LOG));
  }

  /** Last seq both nodes are known to share (received from, or acknowledged by, the peer). */
  commonSeq(): number {
    return this.#common.get();
  }

  /** Both nodes hold the log up to `seq` (see CommonSeq). */
  markCommon(seq: number): void {
    this.#common.mark(seq);
  }

  /**
   * The items of a kind, by key. Read from the database once, then kept up to date change by change, so a
   * caller that lists every cycle (the acquisition engine, alarm evaluation) pays only for what changed. The
   * items are shared between callers and frozen, so no caller can change them for the others.
   */
  list<T>(kind: ConfigKind): { key: string; definition: T }[] {
    return this.#items.list<T>(kind);
  }

  /**
   * The item of a kind under `key` as `list` holds it (parsed once, frozen, shared), without reading the
   * database: for a caller told of a change by `watch`.
   */
  item<T>(kind: ConfigKind, key: string): T | undefined {
    return this.#items.item<T>(kind, key);
  }

  /**
   * Tells `listener` of every change as it takes its place (staged here, or applied from the active node),
   * and with 'all' when the items may all differ (a snapshot was loaded, staged changes were lost). Returns
   * the call that stops telling it.
   */
  watch(listener: (change: ConfigNotice) => void): () => void {
    this.#watchers.push(listener);
    return () => {
      const at = this.#watchers.indexOf(listener);
      if (at >= 0) this.#watchers.splice(at, 1);
    };
  }

  get<T>(kind: ConfigKind, key: string): T | undefined {
    for (let i = this.#staged.length - 1; i >= 0; i--) {
      const c = this.#staged[i]!;
      if (c.kind === kind && c.key === key) return c.op === 'put' ? (JSON.parse(c.value!) as T) : undefined;
    }
    const stored = this.#tables.definition(kind, key);
    return stored === null ? undefined : (JSON.parse(stored) as T);
  }

  getTag(name: string): TagDefinition | undefined {
    return this.get<TagDefinition>('tag', name);
  }

  /** A change made here (on the active node): logged and applied in one transaction. */
  commitLocal(
    op: 'put' | 'delete',
    kind: ConfigKind,
    key: string,
    definition: unknown,
    epoch: number,
    origin: string,
    now: number,
  ): ConfigChange {
    return this.commitLocalBatch([{ op, kind, key, definition }], epoch, origin, now)[0]!;
  }

  /**
   * Changes made here (on the active node), in the order given: each is logged with the next seq and a
   * checksum chained over the one before, exactly as if committed one by one, but in one transaction.
   */
  commitLocalBatch(
    requests: readonly LocalChange[],
    epoch: number,
    origin: string,
    now: number,
  ): ConfigChange[] {
    const changes = requests.map(({ op, kind, key, definition }) =>
      this.stage(op, kind, key, definition, epoch, origin, now),
    );
    this.persist();
    return changes;
  }

  /**
   * A change made here (on the active node) that takes its place in the log at once (seq, checksum chained
   * over the one before; the head and every read show it) but is written to the database only by `persist`,
   * together with the others staged since. The active node stages the changes made while a batch is on its
   * way to the standby and persists them in one transaction before they go out, so no change reaches the
   * standby before it is stored here, and no caller is answered before both hold it. A change that was never
   * persisted (the process ended) was never answered either.
   */
  stage(
    op: 'put' | 'delete',
    kind: ConfigKind,
    key: string,
    definition: unknown,
    epoch: number,
    origin: string,
    now: number,
  ): ConfigChange {
    const head = this.head();
    const value = op === 'put' ? JSON.stringify(definition) : null;
    const seq = head.seq + 1;
    const change: ConfigChange = {
      seq,
      epoch,
      origin,
      op,
      kind,
      key,
      value,
      at: now,
      checksum: checksumAfter(head.checksum, { seq, epoch, op, kind, key, value }),
    };
    this.#staged.push(change);
    this.#head = { seq, checksum: change.checksum };
    this.#remember(change);
    return change;
  }

  /**
   * Writes the staged changes in one transaction. If that fails, none of them is kept: the head and reads
   * are what the database holds again, the listener given to `whenLost` hears which changes were lost, and
   * the error is thrown.
   */
  persist(): void {
    const staged = this.#staged;
    if (staged.length === 0) return;
    // Inside another transaction the write could still be rolled back after the changes went out.
    if (this.#db.inTransaction) throw new Error('config: staged changes are persisted outside transactions');
    this.#staged = [];
    const last = staged.at(-1)!;
    const head: ConfigHead = { seq: last.seq, checksum: last.checksum };
    try {
      this.#common.stored(this.#persistTransaction(staged, head));
    } catch (error) {
      this.#head = null;
      this.#forget();
      this.#onLost(staged, error);
      throw error;
    }
    this.#committed(head);
  }

  /** Who hears of staged changes that could not be persisted (their callers must not be answered). */
  whenLost(listener: (changes: readonly ConfigChange[], error: unknown) => void): void {
    this.#onLost = listener;
  }

  /**
   * Changes from the active node, in order, in one transaction. Those this node already holds (same seq and
   * checksum) are skipped. Stops at the first change that does not follow this node's head (a gap, a
   * checksum that does not chain, or a seq this node holds a different change for, made here during a
   * split): what came before it stays stored, and `stoppedAt` names that change so the caller asks for a
   * full snapshot. Returns the head after the changes and those it applied (not the ones it held already).
   */
  applyReplicated(changes: readonly ConfigChange[]): {
    head: ConfigHead;
    stoppedAt: number | null;
    applied: readonly ConfigChange[];
  } {
    this.persist();
    const start = this.head();
    this.#head = null;
    const applied: ConfigChange[] = [];
    const result = this.#applyTransaction(changes, start, applied);
    this.#committed(result.head);
    for (const change of applied) this.#remember(change);
    return { ...result, applied };
  }

  /** applyReplicated's transaction: applies `changes` that follow `start` into `applied`, in order. */
  #applyInOrder(changes: readonly ConfigChange[], start: ConfigHead, applied: ConfigChange[]): Applied {
    let head: ConfigHead = start;
    let stoppedAt: number | null = null;
    for (const change of changes) {
      // Acknowledging a change of the same seq that is not this one would answer the active node's caller
      // although this node never stored its change (found by the simulation, seed 326).
      if (change.seq <= head.seq && this.#holds(change, head)) continue;
      if (!follows(head, change)) {
        stoppedAt = change.seq;
        break;
      }
      this.#tables.append(change);
      applied.push(change);
      head = { seq: change.seq, checksum: change.checksum };
    }
    if (head !== start) {
      this.#tables.writeHead(head);
      this.markCommon(head.seq);
    }
    return { head, stoppedAt };
  }

  /** Whether this log holds exactly `change` (`head` is the head within the running transaction). */
  #holds(change: ConfigChange, head: ConfigHead): boolean {
    if (change.seq === head.seq) return change.checksum === head.checksum;
    return this.#tables.checksumAt(change.seq) === change.checksum;
  }

  /** The changes after `head`, if this log holds `head` itself; null means the follower needs a snapshot. */
  changesAfter(head: ConfigHead): ConfigChange[] | null {
    this.persist();
    const mine = this.head();
    if (head.seq === mine.seq) return head.checksum === mine.checksum ? [] : null;
    if (head.seq > mine.seq) return null;
    if (head.seq > 0) {
      if (this.#tables.checksumAt(head.seq) !== head.checksum) return null;
    } else if (head.checksum !== GENESIS) return null;
    const first = this.#tables.firstSeq();
    if (first === null || first > head.seq + 1) return null;
    return this.#tables.changesAfter(head.seq);
  }

  snapshot(): ConfigSnapshot {
    this.persist();
    const items = this.#tables.allItems();
    return { head: this.head(), items };
  }

  /**
   * The changes of this log after the last seq both nodes are known to hold: what a follower sends with its
   * head, so that the active node merges them by key before answering (docs/redundancy.md, "Merge by key").
   * Empty on a standby that follows (its common seq is its head) and on an active node whose peer has
   * acknowledged everything.
   */
  unshared(): { since: number; changes: ConfigChange[] } {
    this.persist();
    const since = this.commonSeq();
    if (since >= this.head().seq) return { since, changes: [] };
    return { since, changes: this.#tables.changesAfter(since) };
  }

  /**
   * Whether this log holds `change`, or the snapshot it was loaded from ends with it (the log then starts
   * after it, but the history up to it is the same).
   */
  holdsOrBase(change: ConfigChange): boolean {
    const head = this.head();
    if (change.seq <= head.seq && this.#holds(change, head)) return true;
    const base = this.#meta.get(SNAPSHOT_BASE);
    return base === `${change.seq}:${change.checksum}`;
  }

  /** The kinds and keys this log changed after `seq`; null if the log does not reach back that far. */
  keysChangedAfter(seq: number): Set<string> | null {
    const head = this.head();
    if (seq >= head.seq) return new Set();
    const first = this.#tables.firstSeq();
    if (first === null || first > seq + 1) return null;
    return new Set(this.#tables.keysChangedAfter(seq).map(itemKey));
  }

  /** The item's definition as stored (JSON), null if there is none. */
  storedValue(kind: ConfigKind, key: string): string | null {
    return this.#tables.definition(kind, key);
  }

  /**
   * Replaces all config with the active node's snapshot. The changes this log held after the last shared
   * point are returned: the active node merged them by key before it sent the snapshot, so each is in the
   * snapshot or in the conflict set, and the caller checks that (docs/redundancy.md, "Merge by key").
   */
  loadSnapshot(snapshot: ConfigSnapshot): ConfigChange[] {
    this.persist();
    this.#head = null;
    const diverged = this.#db.transaction(() => {
      const diverged = this.#tables.changesAfter(this.commonSeq());
      this.#tables.replaceItems(snapshot.items);
      this.#tables.writeHead(snapshot.head);
      this.#meta.set(SNAPSHOT_BASE, `${snapshot.head.seq}:${snapshot.head.checksum}`);
      this.#common.replace(snapshot.head.seq);
      return diverged;
    })();
    this.#committed({ seq: snapshot.head.seq, checksum: snapshot.head.checksum });
    this.#forget();
    return diverged;
  }

  #remember(change: ConfigChange): void {
    this.#items.remember(change);
    for (const watcher of this.#watchers) watcher({ kind: change.kind, key: change.key });
  }

  #forget(): void {
    this.#items.forget();
    for (const watcher of this.#watchers) watcher('all');
  }

  /**
   * A write transaction returned: its head is kept. Inside an outer transaction that may still roll back,
   * or after a write that threw (the head stays null then), the head is read from the database again.
   */
  #committed(head: ConfigHead): void {
    this.#head = this.#db.inTransaction ? null : head;
  }
}
