/**
 * Runtime data: current tag values with versions, and the command ledger. Held in memory for reads,
 * written through to SQLite, merged from the peer with "newest version wins".
 */
import { cachedStatement, type Db, type Statement } from '../store/index.ts';
import { MemoryUndo } from './memory-undo.ts';
import { compareVersions, type Version } from './version.ts';
import type { TagValueType } from './tag-definition.ts';

type Quality = 'good' | 'bad' | 'uncertain';

export interface TagValue {
  readonly name: string;
  readonly value: TagValueType | null;
  readonly quality: Quality;
  /** Milliseconds since the epoch, when the value was taken. */
  readonly ts: number;
  readonly version: Version;
}

export interface LedgerEntry {
  readonly uid: string;
  readonly command: string;
  /** JSON of the first result, returned again to every repeat. */
  readonly result: string;
  readonly at: number;
}

/** Values per upsert statement (six parameters each, far below SQLite's limit). */
const UPSERT_ROWS = 50;

export class RuntimeStore {
  readonly #db: Db;
  readonly #values = new Map<string, TagValue>();
  /** While `atomically` runs: puts back the values it changed in memory when it fails. */
  readonly #undo = new MemoryUndo(this.#values);

  constructor(db: Db) {
    this.#db = db;
    const rows = db.prepare('SELECT * FROM tag_values').all() as {
      name: string;
      value: string;
      quality: Quality;
      ts: number;
      epoch: number;
      hlc: string;
    }[];
    for (const r of rows) {
      this.#values.set(r.name, {
        name: r.name,
        value: JSON.parse(r.value) as TagValueType | null,
        quality: r.quality,
        ts: r.ts,
        version: { epoch: r.epoch, hlc: r.hlc },
      });
    }
  }

  get(name: string): TagValue | undefined {
    return this.#values.get(name);
  }

  all(): TagValue[] {
    return [...this.#values.values()];
  }

  /** Stores the values that are newer than what this node holds; returns those that won. */
  merge(incoming: readonly TagValue[]): TagValue[] {
    const winners = incoming.filter((v) => {
      const current = this.#values.get(v.name);
      return !current || compareVersions(v.version, current.version) > 0;
    });
    if (winners.length === 0) return winners;
    this.#db.transaction(() => {
      // Many rows per statement: each run has a cost of its own, as large as a row's.
      for (let i = 0; i < winners.length; i += UPSERT_ROWS) {
        const part = winners.slice(i, i + UPSERT_ROWS);
        const args: (string | number)[] = [];
        for (const v of part)
          args.push(v.name, JSON.stringify(v.value), v.quality, v.ts, v.version.epoch, v.version.hlc);
        this.#upsert(part.length).run(...args);
      }
    })();
    for (const v of winners) {
      this.#undo.remember(v.name);
      this.#values.set(v.name, v);
    }
    return winners;
  }

  forget(name: string): void {
    this.#undo.remember(name);
    this.#values.delete(name);
    cachedStatement(this.#db, 'DELETE FROM tag_values WHERE name = ?').run(name);
  }

  ledgerEntry(uid: string): LedgerEntry | undefined {
    return cachedStatement(this.#db, 'SELECT * FROM command_ledger WHERE uid = ?').get(uid) as
      LedgerEntry | undefined;
  }

  /** Idempotent: the first entry for a uid stays. */
  recordLedger(entries: readonly LedgerEntry[]): void {
    if (entries.length === 0) return;
    const insert = cachedStatement(
      this.#db,
      'INSERT OR IGNORE INTO command_ledger (uid, command, result, at) VALUES (@uid, @command, @result, @at)',
    );
    this.#db.transaction(() => {
      for (const e of entries) insert.run(e);
    })();
  }

  ledger(limit = 100_000): LedgerEntry[] {
    return cachedStatement(this.#db, 'SELECT * FROM command_ledger ORDER BY at DESC LIMIT ?').all(
      limit,
    ) as LedgerEntry[];
  }

  /** The upsert of `rows` values in one statement (in order: a later row for the same name wins). */
  #upsert(rows: number): Statement {
    return cachedStatement(
      this.#db,
      `INSERT INTO tag_values (name, value, quality, ts, epoch, hlc) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, quality = excluded.quality, ts = excluded.ts,
         epoch = excluded.epoch, hlc = excluded.hlc`,
    );
  }

  /** Forgets the command uids recorded before `beforeTs` (retention); returns how many. */
  pruneLedger(beforeTs: number): number {
    return this.#db.prepare('DELETE FROM command_ledger WHERE at < ?').run(Math.trunc(beforeTs)).changes;
  }

  /**
   * Runs `work` as one transaction, so a value and its ledger entry are stored together or not at all. When
   * it fails (a full disk fails the commit), the values it changed in memory are put back as well: a node
   * must not go on answering with a value whose write it refused.
   */
  atomically<T>(work: () => T): T {
    return this.#undo.run(() => this.#db.transaction(work)());
  }
}
