/** The one place that knows better-sqlite3 (style.md 12). */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StartupError } from '../errors.ts';
import { migrations } from './migrations/index.ts';

export type Db = Database.Database;
export type Statement = Database.Statement;
export type Transaction<F extends (...args: never[]) => unknown> = Database.Transaction<F>;

export const DATABASE_FILE = 'tandem.db';

const statements = new WeakMap<Db, Map<string, Statement>>();

/**
 * The prepared statement for `sql` on `db`, made once and reused: preparing costs far more than running a
 * small statement. Only for statements that are run, got or listed (`run`, `get`, `all`), never iterated.
 */
export function cachedStatement(db: Db, sql: string): Statement {
  let byText = statements.get(db);
  if (!byText) {
    byText = new Map();
    statements.set(db, byText);
  }
  let statement = byText.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    byText.set(sql, statement);
  }
  return statement;
}

/**
 * Opens (or creates) the node's database in `dataDir`. An unreadable or corrupt file is reported and left
 * exactly as it was: it is never overwritten, truncated or deleted.
 */
export function openDatabase(dataDir: string): Db {
  const file = path.join(dataDir, DATABASE_FILE);
  const existed = fs.existsSync(file);
  let db: Db | undefined;
  try {
    if (existed) fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    db = new Database(file);
    // Checks the header before anything writes: a foreign or damaged file fails here, untouched.
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(String(check));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 2000');
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    const why = error instanceof Error ? error.message : String(error);
    throw new StartupError('DATABASE_UNUSABLE', `database ${file} cannot be used: ${why}`, { cause: error });
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(`it was written by a newer Tandem (schema ${current}, this one knows ${newest})`);
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
