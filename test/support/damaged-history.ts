/**
 * A database whose history is damaged and the rest sound: what the start-up check lets through and the check
 * after start finds (node-core/store/store-thread.ts).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Fills `table` of `file`'s history with a few pages of samples, checkpoints, and scribbles over half of one
 * of those pages. The file must be a node's database (migrated) that no one has open.
 */
export function damageHistory(
  file: string,
  table: 'history_samples' | 'history_recent' = 'history_samples',
): void {
  const db = new Database(file);
  let page: number;
  let pageSize: number;
  try {
    const insert = db.prepare(
      `INSERT OR IGNORE INTO ${table} (tag, ts, value, quality, origin) VALUES (?, ?, '1.5', 'good', 'x')`,
    );
    // Of the last minute: history older than the node keeps would be pruned at its start, pages and all.
    const since = Date.now() - 60_000;
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run(`damaged.tag${i % 50}`, since + i);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const leaves = db
      .prepare(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno`)
      .pluck()
      .all(table) as number[];
    page = leaves[Math.floor(leaves.length / 2)]!;
    pageSize = db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, Buffer.alloc(pageSize / 2, 0xa5), 0, pageSize / 2, (page - 1) * pageSize + 8);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes every page of history_recent and its index unreadable (each page's b-tree type byte flipped), so
 * that any read or write of recent samples fails with SQLITE_CORRUPT, as a damaged page in their way does.
 * The file must be a node's database (migrated) that no one has open; its other tables stay sound.
 */
export function breakRecentHistory(file: string): void {
  const db = new Database(file);
  let pages: number[];
  let pageSize: number;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    pages = db
      .prepare(`SELECT pageno FROM dbstat WHERE name IN ('history_recent', 'history_recent_key')`)
      .pluck()
      .all() as number[];
    pageSize = db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
  const fd = fs.openSync(file, 'r+');
  try {
    const type = Buffer.alloc(1);
    for (const page of pages) {
      fs.readSync(fd, type, 0, 1, (page - 1) * pageSize);
      type[0] = type[0]! ^ 0xff;
      fs.writeSync(fd, type, 0, 1, (page - 1) * pageSize);
    }
  } finally {
    fs.closeSync(fd);
  }
}
