/**
 * The SQL of runtime data: current tag values (tag_values) and the command ledger (command_ledger). In plain
 * row shapes: RuntimeStore (data/runtime-store.ts) keeps them in memory and decides which version wins.
 */
import { cachedStatement, valuesList, type Db, type Statement } from './database.ts';

/** A tag's value as stored; `value` is kept as JSON. */
export interface TagValueRow {
  readonly name: string;
  readonly value: unknown;
  readonly quality: string;
  /** Milliseconds since the epoch, when the value was taken. */
  readonly ts: number;
  readonly version: { readonly epoch: number; readonly hlc: string };
}

/** A command's uid and its first result, so that a repeat of the command gets the same answer. */
export interface LedgerRow {
  readonly uid: string;
  readonly command: string;
  /** JSON of the first result, returned again to every repeat. */
  readonly result: string;
  readonly at: number;
}

/** Values per upsert statement (six parameters each, far below SQLite's limit). */
const UPSERT_ROWS = 50;

export class RuntimeRows {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Every stored value. */
  values(): TagValueRow[] {
    const rows = this.#db.prepare('SELECT * FROM tag_values').all() as {
      name: string;
      value: string;
      quality: string;
      ts: number;
      epoch: number;
      hlc: string;
    }[];
    return rows.map((r) => ({
      name: r.name,
      value: JSON.parse(r.value) as unknown,
      quality: r.quality,
      ts: r.ts,
      version: { epoch: r.epoch, hlc: r.hlc },
    }));
  }

  /** Stores `values` in one transaction, each in the place of the one of its name. */
  upsertValues(values: readonly TagValueRow[]): void {
    this.#db.transaction(() => {
      // Many rows per statement: each run has a cost of its own, as large as a row's.
      for (let i = 0; i < values.length; i += UPSERT_ROWS) {
        const part = values.slice(i, i + UPSERT_ROWS);
        const args: (string | number)[] = [];
        for (const v of part)
          args.push(v.name, JSON.stringify(v.value), v.quality, v.ts, v.version.epoch, v.version.hlc);
        this.#upsert(part.length).run(...args);
      }
    })();
  }

  deleteValue(name: string): void {
    cachedStatement(this.#db, 'DELETE FROM tag_values WHERE name = ?').run(name);
  }

  ledgerEntry(uid: string): LedgerRow | undefined {
    return cachedStatement(this.#db, 'SELECT * FROM command_ledger WHERE uid = ?').get(uid) as
      LedgerRow | undefined;
  }

  /** Idempotent: the first entry for a uid stays. */
  insertLedger(entries: readonly LedgerRow[]): void {
    const insert = cachedStatement(
      this.#db,
      'INSERT OR IGNORE INTO command_ledger (uid, command, result, at) VALUES (@uid, @command, @result, @at)',
    );
    this.#db.transaction(() => {
      for (const e of entries) insert.run(e);
    })();
  }

  /** The newest `limit` entries, newest first. */
  ledger(limit: number): LedgerRow[] {
    return cachedStatement(this.#db, 'SELECT * FROM command_ledger ORDER BY at DESC LIMIT ?').all(
      limit,
    ) as LedgerRow[];
  }

  /** Deletes at most `limit` entries recorded before `beforeTs`, oldest first (index command_ledger_by_at); returns how many. */
  pruneLedger(beforeTs: number, limit: number): number {
    return cachedStatement(
      this.#db,
      'DELETE FROM command_ledger WHERE uid IN (SELECT uid FROM command_ledger WHERE at < ? ORDER BY at LIMIT ?)',
    ).run(Math.trunc(beforeTs), limit).changes;
  }

  /** Runs `work` as one transaction (nested in another, as a part of it that rolls back on its own). */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }

  /** The upsert of `rows` values in one statement (in order: a later row for the same name wins). */
  #upsert(rows: number): Statement {
    return cachedStatement(
      this.#db,
      `INSERT INTO tag_values (name, value, quality, ts, epoch, hlc) VALUES ${valuesList(rows, 6)}
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, quality = excluded.quality, ts = excluded.ts,
         epoch = excluded.epoch, hlc = excluded.hlc`,
    );
  }
}
