import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging.ts';
import { openDatabase, startWalCheckpoints, type Db, type WalCheckpoints } from './index.ts';

const MB = 1024 * 1024;

describe('WAL checkpoints on their own thread', () => {
  let dir = '';
  let db: Db;
  let checkpoints: WalCheckpoints | null = null;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-wal-'));
    db = openDatabase(dir);
    db.exec('CREATE TABLE bulk (id INTEGER PRIMARY KEY, payload TEXT)');
  });

  afterEach(async () => {
    await checkpoints?.stop();
    checkpoints = null;
    if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const databaseBytes = (): number => fs.statSync(db.name).size;

  function writeMegabytes(count: number): void {
    const insert = db.prepare('INSERT INTO bulk (payload) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < count * 16; i++) insert.run('x'.repeat(64 * 1024));
    })();
  }

  async function until(probe: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("the node's own connection no longer checkpoints; the worker copies the WAL into the database", async () => {
    checkpoints = startWalCheckpoints(db, silentLogger, { everyMs: 50 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = databaseBytes();
    writeMegabytes(8);
    // The commit itself left everything in the WAL (an automatic checkpoint would have copied it already).
    expect(databaseBytes()).toBe(before);
    await until(() => databaseBytes() >= before + 8 * MB, 'the worker to checkpoint');
  });

  /** The WAL header's checkpoint sequence number: SQLite adds one each time it starts the WAL over. */
  function walRestarts(): number {
    const header = Buffer.alloc(16);
    const fd = fs.openSync(`${db.name}-wal`, 'r');
    try {
      fs.readSync(fd, header, 0, 16, 0);
    } finally {
      fs.closeSync(fd);
    }
    return header.readUInt32BE(12);
  }

  it('under steady writes the WAL still starts over, instead of growing for as long as the writes go on', async () => {
    checkpoints = startWalCheckpoints(db, silentLogger, { everyMs: 50 });
    const insert = db.prepare('INSERT INTO bulk (payload) VALUES (?)');
    const writeSome = db.transaction(() => {
      for (let i = 0; i < 4; i++) insert.run('x'.repeat(1000));
    });
    writeSome();
    const restartsBefore = walRestarts();
    let written = 0;
    const writesEnd = Date.now() + 1500;
    // A commit every millisecond, as from a node under load: never a quiet moment as long as a checkpoint.
    while (Date.now() < writesEnd) {
      writeSome();
      written += 4 * 1000;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // 30 rounds of the worker; PASSIVE alone managed 3–6 restarts here, and a WAL larger than all it held.
    expect(walRestarts() - restartsBefore).toBeGreaterThan(10);
    expect(fs.statSync(`${db.name}-wal`).size).toBeLessThan(written / 2);
  });

  it('stop runs a last checkpoint before the connection closes', async () => {
    checkpoints = startWalCheckpoints(db, silentLogger, { everyMs: 60_000 });
    const before = databaseBytes();
    writeMegabytes(2);
    await checkpoints.stop();
    checkpoints = null;
    expect(databaseBytes()).toBeGreaterThanOrEqual(before + 2 * MB);
  });

  it('a worker that cannot start hands checkpoints back to the connection, so the WAL never grows unbounded', async () => {
    checkpoints = startWalCheckpoints(db, silentLogger, {
      everyMs: 50,
      driver: path.join(dir, 'missing.js'),
    });
    await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000, 'the fallback');
    const before = databaseBytes();
    writeMegabytes(8);
    expect(databaseBytes()).toBeGreaterThan(before);
  });
});
