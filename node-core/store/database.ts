/** The one place that knows better-sqlite3 (style.md 12). */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StartupError } from '../errors.ts';
import { CERT_FILE, KEY_FILE } from '../trust/identity.ts';
import { HISTORY_TABLES, problemCount, problemsIn } from './integrity-report.ts';
import { migrations } from './migrations/index.ts';

export type Db = Database.Database;
export type Statement = Database.Statement;
export type Transaction<F extends (...args: never[]) => unknown> = Database.Transaction<F>;

export const DATABASE_FILE = 'tandem.db';

/**
 * Files that make a data directory a node's (its key pair and admin token): a folder that holds any of them
 * had a database, so a missing or empty one is a loss to report, never a first start. The admin token's name
 * is create-node.ts's ADMIN_TOKEN_FILE (database.spec.ts checks that they agree).
 */
export const IDENTITY_FILES: readonly string[] = [KEY_FILE, CERT_FILE, 'admin-token'];

/** The database cannot be opened; the one-line message says why and what to do. */
export class DatabaseError extends StartupError {}

/**
 * SQLite's integrity check found damage: the message is one line (the first problem and how many there are);
 * `report` holds every line SQLite gave, for the log.
 */
export class DatabaseDamagedError extends DatabaseError {
  readonly report: readonly string[];
  constructor(file: string, report: readonly string[]) {
    super(
      'DATABASE_DAMAGED',
      `database ${file} cannot be used: it is damaged (SQLite's integrity check found ${problemCount(report)}; ` +
        `the full report is in the log); restore it from a backup`,
    );
    this.report = report;
  }
}

const statements = new WeakMap<Db, Map<string, Statement>>();

/**
 * The prepared statement for `sql` on `db`, made once and reused: preparing costs far more than running a
 * small statement. Only for statements that are run, got or listed (`run`, `get`, `all`), never iterated.
 */
/**
 * The VALUES list of a statement that inserts `rows` rows of `columns` parameters each: many rows per run,
 * since each run has a cost of its own, as large as a row's.
 */
export function valuesList(rows: number, columns: number): string {
  return Array<string>(rows)
    .fill(`(${Array<string>(columns).fill('?').join(', ')})`)
    .join(', ');
}

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
 * exactly as it was: it is never overwritten, truncated or deleted. A database is made only for a folder
 * that is no node's yet: where a node's identity lies next to a missing or empty (0-byte) database, the
 * database was lost, and a fresh one would start a new, unconfigured node in that node's place.
 */
export function openDatabase(dataDir: string): Db {
  const file = path.join(dataDir, DATABASE_FILE);
  const lost = lostDatabase(dataDir, file);
  if (lost) throw new DatabaseError('DATABASE_MISSING', `database ${file} cannot be used: ${lost}`);
  const existed = fs.existsSync(file);
  let db: Db | undefined;
  try {
    if (existed) fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    db = new Database(file);
    // Checks the header before anything writes: a foreign or damaged file fails here, untouched.
    const report = startupProblems(db);
    if (report.length > 0) throw new DatabaseDamagedError(file, report);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 2000');
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof DatabaseError) throw error;
    const why = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, '; ');
    throw new DatabaseError('DATABASE_UNUSABLE', `database ${file} cannot be used: ${why}`, { cause: error });
  }
}

/**
 * Why the database of a folder that is a node's is gone (missing or 0 bytes), or null when it is not. A
 * write-ahead log with content counts like the identity: the database's latest changes are in it.
 */
function lostDatabase(dataDir: string, file: string): string | null {
  const size = fileSize(file);
  if (size === undefined || (size !== null && size > 0)) return null;
  const evidence = IDENTITY_FILES.filter((name) => fs.existsSync(path.join(dataDir, name)));
  if ((fileSize(`${file}-wal`) ?? 0) > 0) evidence.push(`${DATABASE_FILE}-wal`);
  if (evidence.length === 0) return null;
  return (
    `it is ${size === null ? 'missing' : 'empty (0 bytes)'}, but ${dataDir} holds a node's identity ` +
    `(${evidence.join(', ')}); restore the database from a backup, or move those files away to start a new ` +
    `node there. Nothing was changed`
  );
}

/** The size of `file`; null when there is none, undefined when it cannot be seen (the open says why). */
function fileSize(file: string): number | null | undefined {
  try {
    return fs.statSync(file).size;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
}

/**
 * Every problem SQLite's quick check finds in the tables a node cannot run without (config, values, the
 * ledger, events, accounts), one per line; empty when they are sound. History, nearly all of a database that
 * ran for months (4.1 s of a 300 MB file's check), is checked with the rest of the file after start, on the
 * store thread (store-thread.ts), so that a restart is not held up by it.
 */
function startupProblems(db: Db): string[] {
  const schema = damageOf('the schema', () => {
    const tables = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all() as string[];
    return { tables, problems: tableProblems(db, 'sqlite_schema') };
  });
  if (Array.isArray(schema)) return schema;
  return [
    ...schema.problems,
    ...schema.tables
      .filter((table) => !HISTORY_TABLES.includes(table))
      .flatMap((table) => tableProblems(db, table)),
  ];
}

/** SQLite's quick check of one table and its indexes. */
function tableProblems(db: Db, table: string): string[] {
  return damageOf(`table ${table}`, () =>
    problemsIn(db.pragma(`quick_check("${table.replaceAll('"', '""')}")`) as { quick_check: string }[]),
  );
}

/**
 * What `read` answers, or, where SQLite stops on damage (SQLITE_CORRUPT), that damage as one problem of `what`.
 * A file that is no database at all (SQLITE_NOTADB) is not damage to report: the open says what it is.
 */
function damageOf<T>(what: string, read: () => T): T | string[] {
  try {
    return read();
  } catch (error) {
    if (!storageFailure(error)?.code.startsWith('SQLITE_CORRUPT')) throw error;
    return [`${what}: ${(error as Error).message}`];
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

/** What kind of storage failure an error is, for an answer that says so (the API's 507 and 503). */
export type StorageFailureKind = 'full' | 'busy' | 'read-only' | 'io' | 'damaged' | 'too-big';

export interface StorageFailure {
  readonly kind: StorageFailureKind;
  /** SQLite's extended code (`SQLITE_FULL`, `SQLITE_IOERR_WRITE`) or the system's (`ENOSPC`). */
  readonly code: string;
}

const SQLITE_KINDS: readonly [prefix: string, kind: StorageFailureKind][] = [
  ['SQLITE_FULL', 'full'],
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_READONLY', 'read-only'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'io'],
  ['SQLITE_CORRUPT', 'damaged'],
  ['SQLITE_NOTADB', 'damaged'],
  ['SQLITE_TOOBIG', 'too-big'],
];
const SYSTEM_KINDS: Readonly<Record<string, StorageFailureKind>> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'read-only',
  EIO: 'io',
};

/**
 * The storage failure behind `error` (SQLite's, or the system's from syncing the log), looked for along its
 * `cause`s; null when it is none.
 */
export function storageFailure(error: unknown): StorageFailure | null {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (current instanceof Database.SqliteError) {
        const kind = SQLITE_KINDS.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`))?.[1];
        if (kind) return { kind, code };
      } else if (SYSTEM_KINDS[code]) {
        return { kind: SYSTEM_KINDS[code], code };
      }
    }
    current = current.cause;
  }
  return null;
}
