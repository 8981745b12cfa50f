/** Operators who may log in to this node's API (the `users` table, migration 6). */
import type { Db } from './database.ts';

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

  get(name: string): UserRecord | undefined {
    const row = this.#db
      .prepare('SELECT name, password_hash, created_at FROM users WHERE name = ?')
      .get(name) as { name: string; password_hash: string; created_at: number } | undefined;
    return row && { name: row.name, passwordHash: row.password_hash, createdAt: row.created_at };
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }
}
