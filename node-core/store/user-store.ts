/** Operators who may log in to this node's API (the `users` table, migration 6). */
import { cachedStatement, type Db } from './database.ts';

export interface UserRecord {
  readonly name: string;
  readonly passwordHash: string;
  readonly createdAt: number;
}

export class UserStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** False when a user of that name exists already (nothing changed then). */
  add(user: UserRecord): boolean {
    const result = this.#db
      .prepare(
        'INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
      )
      .run(user.name, user.passwordHash, user.createdAt);
    return result.changes === 1;
  }

  /** Read on every request made with a session token (is its user still there?), so prepared once. */
  get(name: string): UserRecord | undefined {
    const row = cachedStatement(
      this.#db,
      'SELECT name, password_hash, created_at FROM users WHERE name = ?',
    ).get(name) as { name: string; password_hash: string; created_at: number } | undefined;
    return row && { name: row.name, passwordHash: row.password_hash, createdAt: row.created_at };
  }

  /** Every user by name, without the password hashes (nothing that lists users needs them). */
  list(): { name: string; createdAt: number }[] {
    const rows = this.#db.prepare('SELECT name, created_at FROM users ORDER BY name').all() as {
      name: string;
      created_at: number;
    }[];
    return rows.map((row) => ({ name: row.name, createdAt: row.created_at }));
  }

  /** False when there is no user of that name (nothing changed then). */
  remove(name: string): boolean {
    return this.#db.prepare('DELETE FROM users WHERE name = ?').run(name).changes === 1;
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }
}
