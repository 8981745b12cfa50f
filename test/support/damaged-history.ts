/**
 * A database whose history is damaged and the rest sound: what the start-up check lets through and the check
 * after start finds (node-core/store/store-thread.ts).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Fills `file`'s history with a few pages of samples, checkpoints, and scribbles over half of one of those
 * pages. The file must be a node's database (migrated) that no one has open.
 */
export function damageHistory(file: string): void {
  const db = new Database(file);
  let page: number;
  let pageSize: number;
  try {
    const insert = db.prepare(
      `INSERT OR IGNORE INTO history_samples (tag, ts, value, quality, origin) VALUES (?, ?, '1.5', 'good', 'x')`,
    );
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run(`damaged.tag${i % 50}`, i);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const leaves = db
      .prepare(
        `SELECT pageno FROM dbstat WHERE name = 'history_samples' AND pagetype = 'leaf' ORDER BY pageno`,
      )
      .pluck()
      .all() as number[];
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
