/**
 * Config data and its change log. Every change carries (epoch, seq) and a checksum chained over the one
 * before, so a standby can tell that it holds exactly the active node's history: a gap or a checksum that
 * does not follow means it asks for a full snapshot.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/index.ts';
import type { MetaStore } from '../store/index.ts';
import type { TagDefinition } from './tag-definition.ts';

/** What config data holds: tag definitions, devices, alarm rules. */
export type ConfigKind = 'tag' | 'device' | 'alarm-rule';
export const CONFIG_KINDS: readonly ConfigKind[] = ['tag', 'device', 'alarm-rule'];

export interface ConfigChange {
  readonly seq: number;
  readonly epoch: number;
  readonly origin: string;
  readonly op: 'put' | 'delete';
  readonly kind: ConfigKind;
  readonly key: string;
  /** JSON of the definition for `put`, null for `delete`. */
  readonly value: string | null;
  readonly checksum: string;
  readonly at: number;
}

export interface ConfigHead {
  readonly seq: number;
  readonly checksum: string;
}

export interface ConfigSnapshot {
  readonly head: ConfigHead;
  readonly items: readonly { readonly kind: ConfigKind; readonly key: string; readonly definition: string }[];
}

export interface ConfigConflict {
  /** `origin:epoch:seq` of the change that was not kept; the same on both nodes. */
  readonly id: string;
  readonly origin: string;
  readonly epoch: number;
  readonly op: 'put' | 'delete';
  readonly kind: ConfigKind;
  readonly key: string;
  readonly value: unknown;
  readonly at: string;
  readonly recordedAt: string;
}

const GENESIS = '0'.repeat(64);

export class ConfigStore {
  readonly #db: Db;
  readonly #meta: MetaStore;

  constructor(db: Db, meta: MetaStore) {
    this.#db = db;
    this.#meta = meta;
  }

  head(): ConfigHead {
    return {
      seq: Number(this.#meta.get('config_seq') ?? 0),
      checksum: this.#meta.get('config_checksum') ?? GENESIS,
    };
  }

  /** Last seq both nodes are known to share (received from, or acknowledged by, the peer). */
  commonSeq(): number {
    return Number(this.#meta.get('config_common_seq') ?? 0);
  }

  markCommon(seq: number): void {
    if (seq > this.commonSeq()) this.#meta.set('config_common_seq', String(seq));
  }

  list<T>(kind: ConfigKind): { key: string; definition: T }[] {
    const rows = this.#db
      .prepare('SELECT key, definition FROM config_items WHERE kind = ? ORDER BY key')
      .all(kind) as {
      key: string;
      definition: string;
    }[];
    return rows.map((r) => ({ key: r.key, definition: JSON.parse(r.definition) as T }));
  }

  get<T>(kind: ConfigKind, key: string): T | undefined {
    const row = this.#db
      .prepare('SELECT definition FROM config_items WHERE kind = ? AND key = ?')
      .get(kind, key) as { definition: string } | undefined;
    return row ? (JSON.parse(row.definition) as T) : undefined;
  }

  listTags(): { name: string; definition: TagDefinition }[] {
    return this.list<TagDefinition>('tag').map((t) => ({ name: t.key, definition: t.definition }));
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
    return this.#db.transaction(() => {
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
        checksum: chain(head.checksum, seq, epoch, op, `${kind}/${key}`, value),
      };
      this.#apply(change);
      return change;
    })();
  }

  /** A change from the active node. Returns false (nothing stored) when it does not follow this node's head. */
  applyReplicated(change: ConfigChange): boolean {
    return this.#db.transaction(() => {
      const head = this.head();
      if (change.seq !== head.seq + 1) return false;
      if (
        change.checksum !==
        chain(
          head.checksum,
          change.seq,
          change.epoch,
          change.op,
          `${change.kind}/${change.key}`,
          change.value,
        )
      )
        return false;
      this.#apply(change);
      this.markCommon(change.seq);
      return true;
    })();
  }

  /** The changes after `head`, if this log holds `head` itself; null means the follower needs a snapshot. */
  changesAfter(head: ConfigHead): ConfigChange[] | null {
    const mine = this.head();
    if (head.seq === mine.seq) return head.checksum === mine.checksum ? [] : null;
    if (head.seq > mine.seq) return null;
    if (head.seq > 0) {
      const row = this.#db.prepare('SELECT checksum FROM config_changes WHERE seq = ?').get(head.seq) as
        { checksum: string } | undefined;
      if (row?.checksum !== head.checksum) return null;
    } else if (head.checksum !== GENESIS) return null;
    const first = this.#db.prepare('SELECT min(seq) AS s FROM config_changes').get() as { s: number | null };
    if (first.s === null || first.s > head.seq + 1) return null;
    return this.#db
      .prepare('SELECT * FROM config_changes WHERE seq > ? ORDER BY seq')
      .all(head.seq) as ConfigChange[];
  }

  snapshot(): ConfigSnapshot {
    const items = this.#db
      .prepare('SELECT kind, key, definition FROM config_items ORDER BY kind, key')
      .all() as {
      kind: ConfigKind;
      key: string;
      definition: string;
    }[];
    return { head: this.head(), items };
  }

  /**
   * Replaces all config with the active node's snapshot. This node's own changes since the last shared
   * point (made while it was active during a split) are returned, so they can be kept as a conflict set.
   */
  loadSnapshot(snapshot: ConfigSnapshot, ownId: string): ConfigChange[] {
    return this.#db.transaction(() => {
      const diverged = this.#db
        .prepare('SELECT * FROM config_changes WHERE seq > ? AND origin = ? ORDER BY seq')
        .all(this.commonSeq(), ownId) as ConfigChange[];
      this.#db.prepare('DELETE FROM config_items').run();
      this.#db.prepare('DELETE FROM config_changes').run();
      const insert = this.#db.prepare('INSERT INTO config_items (kind, key, definition) VALUES (?, ?, ?)');
      for (const item of snapshot.items) insert.run(item.kind, item.key, item.definition);
      this.#meta.set('config_seq', String(snapshot.head.seq));
      this.#meta.set('config_checksum', snapshot.head.checksum);
      this.#meta.set('config_common_seq', String(snapshot.head.seq));
      return diverged;
    })();
  }

  /** Idempotent by change identity, so both nodes can hold the same set. */
  recordConflicts(changes: readonly ConfigChange[], now: number): void {
    const insert = this.#db.prepare(
      'INSERT OR IGNORE INTO config_conflicts (id, origin, epoch, op, kind, key, value, at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#db.transaction(() => {
      for (const c of changes)
        insert.run(
          `${c.origin}:${c.epoch}:${c.seq}`,
          c.origin,
          c.epoch,
          c.op,
          c.kind,
          c.key,
          c.value,
          c.at,
          now,
        );
    })();
  }

  listConflicts(): ConfigConflict[] {
    const rows = this.#db.prepare('SELECT * FROM config_conflicts ORDER BY id').all() as (Omit<
      ConfigConflict,
      'value' | 'at' | 'recordedAt'
    > & {
      value: string | null;
      at: number;
      recorded_at: number;
    })[];
    return rows.map((r) => ({
      id: r.id,
      origin: r.origin,
      epoch: r.epoch,
      op: r.op,
      kind: r.kind,
      key: r.key,
      value: r.value === null ? null : (JSON.parse(r.value) as unknown),
      at: new Date(r.at).toISOString(),
      recordedAt: new Date(r.recorded_at).toISOString(),
    }));
  }

  takeConflict(id: string): ConfigConflict | undefined {
    const conflict = this.listConflicts().find((c) => c.id === id);
    if (conflict) this.#db.prepare('DELETE FROM config_conflicts WHERE id = ?').run(id);
    return conflict;
  }

  #apply(change: ConfigChange): void {
    this.#db
      .prepare(
        'INSERT INTO config_changes (seq, epoch, origin, op, kind, key, value, checksum, at) VALUES (@seq, @epoch, @origin, @op, @kind, @key, @value, @checksum, @at)',
      )
      .run(change);
    if (change.op === 'put') {
      this.#db
        .prepare(
          'INSERT INTO config_items (kind, key, definition) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET definition = excluded.definition',
        )
        .run(change.kind, change.key, change.value);
    } else {
      this.#db.prepare('DELETE FROM config_items WHERE kind = ? AND key = ?').run(change.kind, change.key);
    }
    this.#meta.set('config_seq', String(change.seq));
    this.#meta.set('config_checksum', change.checksum);
  }
}

function chain(
  previous: string,
  seq: number,
  epoch: number,
  op: string,
  key: string,
  value: string | null,
): string {
  return createHash('sha256')
    .update(`${previous}|${seq}|${epoch}|${op}|${key}|${value ?? ''}`)
    .digest('hex');
}
