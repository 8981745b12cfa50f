/**
 * The conflict set (docs/rules.md "Partitions 3"): changes a node made on its side of a split that the pair
 * did not keep. Both nodes hold the same set; an operator re-applies or discards each conflict on the active
 * node, and a resolved one is remembered by id so that the peer's copy cannot bring it back.
 */
import type { ConflictRecord } from '../dto.ts';
import type { ConfigChange } from './config-rows.ts';
import { cachedStatement, type Db, type Statement } from './database.ts';

/** The conflict as stored (dto.ts, so the dashboard shares the type without node-core's code). */
export type ConfigConflict = ConflictRecord;

/** A conflict is part of no log any more: its checksum goes out as zeros, and the receiver does not read it. */
const NO_CHECKSUM = '0'.repeat(64);

export class ConflictSet {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Idempotent by change identity, so both nodes can hold the same set. A conflict already resolved here
   * (re-applied or discarded, on either node) is not recorded again.
   */
  record(changes: readonly ConfigChange[], now: number): void {
    const insert = this.#sql(
      `INSERT OR IGNORE INTO config_conflicts (id, origin, epoch, op, kind, key, value, at, recorded_at)
       SELECT @id, @origin, @epoch, @op, @kind, @key, @value, @at, @now
       WHERE NOT EXISTS (SELECT 1 FROM config_conflicts_resolved WHERE id = @id)`,
    );
    this.#db.transaction(() => {
      for (const c of changes) {
        const { origin, epoch, op, kind, key, value, at } = c;
        insert.run({ id: conflictId(c), origin, epoch, op, kind, key, value, at, now });
      }
    })();
  }

  /** Whether the conflict with this id waits for an operator. */
  has(id: string): boolean {
    return this.#sql('SELECT 1 FROM config_conflicts WHERE id = ?').get(id) !== undefined;
  }

  /** How many conflicts wait for an operator (the status's `sync.conflicts`). */
  count(): number {
    return (this.#sql('SELECT count(*) AS n FROM config_conflicts').get() as { n: number }).n;
  }

  list(): ConfigConflict[] {
    return (this.#sql('SELECT * FROM config_conflicts ORDER BY id').all() as ConflictRow[]).map(toConflict);
  }

  /**
   * The conflict set as changes, for a `config-conflicts` frame. A conflict is part of no log any more, so
   * the set keeps no checksum: it goes out as zeros, and the receiver does not read it.
   */
  asChanges(): ConfigChange[] {
    const rows = this.#sql(
      'SELECT id, origin, epoch, op, kind, key, value, at FROM config_conflicts ORDER BY id',
    ).all() as (Omit<ConfigChange, 'seq' | 'checksum'> & { id: string })[];
    return rows.map(({ id, ...change }) => ({
      ...change,
      seq: Number(id.slice(id.lastIndexOf(':') + 1)),
      checksum: NO_CHECKSUM,
    }));
  }

  /**
   * Removes a conflict for good (an operator re-applied or discarded it, here or on the peer): it is
   * remembered as resolved, so the peer's copy of the set cannot bring it back. Returns it if it was here.
   */
  take(id: string, now: number): ConfigConflict | undefined {
    const row = this.#sql('SELECT * FROM config_conflicts WHERE id = ?').get(id) as ConflictRow | undefined;
    this.#db.transaction(() => {
      this.#sql('DELETE FROM config_conflicts WHERE id = ?').run(id);
      this.#sql('INSERT OR IGNORE INTO config_conflicts_resolved (id, resolved_at) VALUES (?, ?)').run(
        id,
        now,
      );
    })();
    return row && toConflict(row);
  }

  /** The ids of every conflict resolved here or on the peer, for the peer at link-up. */
  resolvedIds(): string[] {
    return (this.#sql('SELECT id FROM config_conflicts_resolved ORDER BY id').all() as { id: string }[]).map(
      (r) => r.id,
    );
  }

  #sql(text: string): Statement {
    return cachedStatement(this.#db, text);
  }
}

type ConflictRow = Omit<ConfigConflict, 'value' | 'at' | 'recordedAt'> & {
  value: string | null;
  at: number;
  recorded_at: number;
};

function toConflict(r: ConflictRow): ConfigConflict {
  return {
    id: r.id,
    origin: r.origin,
    epoch: r.epoch,
    op: r.op,
    kind: r.kind,
    key: r.key,
    value: r.value === null ? null : (JSON.parse(r.value) as unknown),
    at: new Date(r.at).toISOString(),
    recordedAt: new Date(r.recorded_at).toISOString(),
  };
}

/** A conflict's id: the change's identity (who made it, in which epoch, at which place in its log). */
export function conflictId(change: Pick<ConfigChange, 'origin' | 'epoch' | 'seq'>): string {
  return `${change.origin}:${change.epoch}:${change.seq}`;
}
