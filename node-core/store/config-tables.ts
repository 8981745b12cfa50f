/**
 * The SQL of the config log, in one place: the changes (config_changes), the items they leave
 * (config_items) and the head (meta). ConfigStore (data/config-store.ts) decides what to read and write,
 * and when.
 */
import type { ConfigKind } from '../protocol/words.ts';
import type { ConfigChange, ConfigHead, ConfigSnapshot } from './config-rows.ts';
import { cachedStatement, type Db, type Statement } from './database.ts';

export class ConfigTables {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The stored items of a kind, their definitions as JSON. */
  itemsOf(kind: ConfigKind): { key: string; definition: string }[] {
    return this.#sql('SELECT key, definition FROM config_items WHERE kind = ?').all(kind) as {
      key: string;
      definition: string;
    }[];
  }

  /** The item's definition as stored (JSON), null if there is none. */
  definition(kind: ConfigKind, key: string): string | null {
    const row = this.#sql('SELECT definition FROM config_items WHERE kind = ? AND key = ?').get(kind, key) as
      { definition: string } | undefined;
    return row?.definition ?? null;
  }

  allItems(): ConfigSnapshot['items'] {
    return this.#sql('SELECT kind, key, definition FROM config_items ORDER BY kind, key').all() as {
      kind: ConfigKind;
      key: string;
      definition: string;
    }[];
  }

  /** The checksum of the change the log holds at `seq`, if it holds one. */
  checksumAt(seq: number): string | undefined {
    const row = this.#sql('SELECT checksum FROM config_changes WHERE seq = ?').get(seq) as
      { checksum: string } | undefined;
    return row?.checksum;
  }

  /** The first seq the log holds (a snapshot starts it anew); null when it holds none. */
  firstSeq(): number | null {
    const first = this.#sql('SELECT min(seq) AS s FROM config_changes').get() as { s: number | null };
    return first.s;
  }

  changesAfter(seq: number): ConfigChange[] {
    return this.#sql('SELECT * FROM config_changes WHERE seq > ? ORDER BY seq').all(seq) as ConfigChange[];
  }

  keysChangedAfter(seq: number): { kind: ConfigKind; key: string }[] {
    return this.#sql('SELECT DISTINCT kind, key FROM config_changes WHERE seq > ?').all(seq) as {
      kind: ConfigKind;
      key: string;
    }[];
  }

  /** Logs one change and applies it to the items (the caller moves the head, once per transaction). */
  append(change: ConfigChange): void {
    this.#sql(
      'INSERT INTO config_changes (seq, epoch, origin, op, kind, key, value, checksum, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      change.seq,
      change.epoch,
      change.origin,
      change.op,
      change.kind,
      change.key,
      change.value,
      change.checksum,
      change.at,
    );
    if (change.op === 'put') {
      this.#sql(
        'INSERT INTO config_items (kind, key, definition) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET definition = excluded.definition',
      ).run(change.kind, change.key, change.value);
    } else {
      this.#sql('DELETE FROM config_items WHERE kind = ? AND key = ?').run(change.kind, change.key);
    }
  }

  /** Empties the log and puts `items` in the place of all items (inside the caller's transaction). */
  replaceItems(items: ConfigSnapshot['items']): void {
    this.#sql('DELETE FROM config_items').run();
    this.#sql('DELETE FROM config_changes').run();
    const insert = this.#sql('INSERT INTO config_items (kind, key, definition) VALUES (?, ?, ?)');
    for (const item of items) insert.run(item.kind, item.key, item.definition);
  }

  writeHead(head: ConfigHead): void {
    this.#sql(
      "INSERT INTO meta (key, value) VALUES ('config_seq', ?), ('config_checksum', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(String(head.seq), head.checksum);
  }

  /** The head as stored; what is not stored yet is as in `empty`, the head of the empty log. */
  readHead(empty: ConfigHead): ConfigHead {
    const rows = this.#sql(
      "SELECT key, value FROM meta WHERE key IN ('config_seq', 'config_checksum')",
    ).all() as {
      key: string;
      value: string;
    }[];
    let { seq, checksum } = empty;
    for (const row of rows) {
      if (row.key === 'config_seq') seq = Number(row.value);
      else checksum = row.value;
    }
    return { seq, checksum };
  }

  #sql(text: string): Statement {
    return cachedStatement(this.#db, text);
  }
}
