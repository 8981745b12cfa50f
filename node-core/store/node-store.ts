/** Everything node-core keeps in SQLite, behind one small interface per concern. */
import { randomUUID } from 'node:crypto';
import { cachedStatement, type Db } from './database.ts';

export class MetaStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  get(key: string): string | undefined {
    const row = cachedStatement(this.#db, 'SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  set(key: string, value: string): void {
    cachedStatement(
      this.#db,
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }

  /**
   * Stores `value` under `key` unless a greater number is stored there: a write that comes late never lowers
   * it.
   */
  raise(key: string, value: number): void {
    cachedStatement(
      this.#db,
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(meta.value AS INTEGER) < CAST(excluded.value AS INTEGER)',
    ).run(key, String(value));
  }

  /** The node's own stable id, made on first start. */
  nodeId(): string {
    const existing = this.get('node_id');
    if (existing) return existing;
    const id = randomUUID();
    this.set('node_id', id);
    return id;
  }

  epoch(): number {
    return Number(this.get('epoch') ?? 0);
  }

  /** Durable before the node announces itself active under the new epoch. */
  setEpoch(epoch: number): void {
    this.set('epoch', String(epoch));
  }
}

export class SettingsStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  load(): Record<string, unknown> {
    const rows = this.#db.prepare('SELECT key, value FROM settings').all() as {
      key: string;
      value: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
  }

  save(settings: Record<string, unknown>): void {
    const put = this.#db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(settings)) put.run(key, JSON.stringify(value));
    })();
  }
}
