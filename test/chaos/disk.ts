/**
 * Disk faults of the chaos run: a data dir on a small tmpfs that a junk file fills up (root only), and one
 * damaged byte in a stopped node's database that the harness checks is damage SQLite can see before it
 * expects the node to refuse the file, or, where the byte is history's, to start and say the database is
 * damaged (docs/contract.md "Starting a node (headless)").
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export const DATABASE_FILE = 'tandem.db';
const TMPFS_SIZE = '48m';
const JUNK_FILE = 'chaos-junk.bin';

/** Why a tmpfs cannot be mounted here, or null when it can (root; mount works). */
export function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root';
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-chaos-probe-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], {
      encoding: 'utf8',
    });
    if (mounted.status !== 0) return `mount -t tmpfs failed: ${mounted.stderr.trim()}`;
    spawnSync('umount', [probe]);
    return null;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Mount points this run made and has not unmounted yet (unmounted if the run is interrupted). */
export const mountedDirs = new Set<string>();

export function mountTmpfs(dir: string): void {
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (mounted.status !== 0) throw new Error(`mount -t tmpfs ${dir}: ${mounted.stderr.trim()}`);
  mountedDirs.add(dir);
}

export function unmount(dir: string): void {
  mountedDirs.delete(dir);
  for (let i = 0; i < 20; i++) {
    if (spawnSync('umount', [dir]).status === 0) return;
    spawnSync('sleep', ['0.1']);
  }
  spawnSync('umount', ['-l', dir]);
}

/** Writes junk until the file system is full; returns the bytes written. */
export function fillDisk(dir: string): number {
  const fd = fs.openSync(path.join(dir, JUNK_FILE), 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 512]) {
      const block = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          written += fs.writeSync(fd, block);
        } catch {
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

export function freeDisk(dir: string): void {
  fs.rmSync(path.join(dir, JUNK_FILE), { force: true });
}

export interface Damage {
  readonly file: string;
  readonly offset: number;
  readonly original: number;
  readonly what: string;
  /** The table whose b-tree (or index) holds the damaged page; null for the header. */
  readonly table: string | null;
  /** SHA-256 of the database and its WAL right after the damage, to see whether a start changed them. */
  readonly hashes: Record<string, string>;
}

/**
 * Damages one byte of a stopped node's database so that SQLite's quick check (or its open) sees it: the
 * page type of a b-tree page that the WAL does not replace, or else a byte of the header's magic string.
 * Returns null when no damage SQLite would see could be made (then the fault is skipped, not judged).
 */
export function damageDatabase(dataDir: string, pick: number): Damage | null {
  const file = path.join(dataDir, DATABASE_FILE);
  const bytes = fs.readFileSync(file);
  const rawPageSize = bytes.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const walPages = pagesInWal(`${file}-wal`, pageSize);
  const candidates: { offset: number; what: string }[] = [];
  for (let page = 2; page * pageSize <= bytes.length; page++) {
    const offset = (page - 1) * pageSize;
    if ([2, 5, 10, 13].includes(bytes[offset]!) && !walPages.has(page))
      candidates.push({ offset, what: `page ${page}'s b-tree page type` });
  }
  const chosen = candidates.length > 0 ? candidates[pick % candidates.length]! : null;
  const tries = [
    ...(chosen ? [{ ...chosen, table: tableOfPage(dataDir, chosen.offset / pageSize + 1) }] : []),
    { offset: pick % 15, what: `byte ${pick % 15} of the header's magic string`, table: null },
  ];
  for (const attempt of tries) {
    const original = bytes[attempt.offset]!;
    const damaged = original === 0x00 ? 0xff : original ^ 0xff;
    writeByte(file, attempt.offset, damaged);
    if (sqliteSeesDamage(dataDir)) {
      return {
        file,
        offset: attempt.offset,
        original,
        what: attempt.what,
        table: attempt.table,
        hashes: hashDatabaseFiles(file),
      };
    }
    writeByte(file, attempt.offset, original);
  }
  return null;
}

export function restoreDatabase(damage: Damage): void {
  writeByte(damage.file, damage.offset, damage.original);
}

/** The database files whose content differs from `before` (a created or deleted file counts). */
export function changedFiles(damage: Damage): string[] {
  const now = hashDatabaseFiles(damage.file);
  const names = new Set([...Object.keys(now), ...Object.keys(damage.hashes)]);
  return [...names].filter((name) => now[name] !== damage.hashes[name]);
}

function writeByte(file: string, offset: number, value: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, Buffer.from([value]), 0, 1, offset);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The database and its WAL (an empty WAL counts as none; the -shm index is rebuilt by any open). */
function hashDatabaseFiles(file: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const suffix of ['', '-wal']) {
    const name = file + suffix;
    if (!fs.existsSync(name) || fs.statSync(name).size === 0) continue;
    hashes[path.basename(name)] = crypto.createHash('sha256').update(fs.readFileSync(name)).digest('hex');
  }
  return hashes;
}

/** Page numbers the WAL holds a copy of (those copies, not the file's, are what SQLite reads). */
function pagesInWal(walFile: string, pageSize: number): Set<number> {
  const pages = new Set<number>();
  if (!fs.existsSync(walFile)) return pages;
  const wal = fs.readFileSync(walFile);
  const frameSize = 24 + pageSize;
  for (let at = 32; at + frameSize <= wal.length; at += frameSize) pages.add(wal.readUInt32BE(at));
  return pages;
}

/**
 * Whether SQLite reports the damage, checked on a copy (db, WAL) in a temp dir, so the node's own files are
 * touched by nothing but the one byte.
 */
function sqliteSeesDamage(dataDir: string): boolean {
  try {
    return onCopy(dataDir, (db) => {
      const rows = db.pragma('quick_check') as { quick_check: string }[];
      return !(rows.length === 1 && rows[0]!.quick_check === 'ok');
    });
  } catch {
    return true;
  }
}

/** The table whose b-tree (or one of whose indexes) page `page` is, read from a copy before the damage. */
function tableOfPage(dataDir: string, page: number): string | null {
  return onCopy(
    dataDir,
    (db) =>
      (db
        .prepare(
          'SELECT s.tbl_name FROM dbstat AS d JOIN sqlite_schema AS s ON s.name = d.name WHERE d.pageno = ?',
        )
        .pluck()
        .get(page) as string | undefined) ?? null,
  );
}

/** `read` on a copy of the node's database and WAL in a temp dir, so that nothing touches the node's own. */
function onCopy<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-chaos-db-'));
  try {
    for (const suffix of ['', '-wal']) {
      const from = path.join(dataDir, DATABASE_FILE + suffix);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(copy, DATABASE_FILE + suffix));
    }
    const db = new Database(path.join(copy, DATABASE_FILE));
    try {
      return read(db);
    } finally {
      db.close();
    }
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}
