/**
 * The SQL of alarm states (alarm_states). Each state is stored whole, as JSON, with its version beside it;
 * AlarmStore (data/alarm-store.ts) keeps them in memory and merges them.
 */
import { cachedStatement, type Db } from './database.ts';

/** What the table needs of a state: its id and version; the whole state is stored as JSON. */
export interface AlarmStateRow {
  readonly id: string;
  readonly version: { readonly epoch: number; readonly hlc: string };
}

export class AlarmRows {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Every stored state, as it was written (parsed from its JSON). */
  states(): unknown[] {
    const rows = this.#db.prepare('SELECT state FROM alarm_states').all() as { state: string }[];
    return rows.map((row) => JSON.parse(row.state) as unknown);
  }

  /** Stores `states` in one transaction, each in the place of the one of its id. */
  upsert(states: readonly AlarmStateRow[]): void {
    const upsert = cachedStatement(
      this.#db,
      'INSERT INTO alarm_states (id, state, epoch, hlc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, epoch = excluded.epoch, hlc = excluded.hlc',
    );
    this.#db.transaction(() => {
      for (const s of states) upsert.run(s.id, JSON.stringify(s), s.version.epoch, s.version.hlc);
    })();
  }

  delete(id: string): void {
    cachedStatement(this.#db, 'DELETE FROM alarm_states WHERE id = ?').run(id);
  }
}
