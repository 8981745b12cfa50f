import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './index.ts';
import { WalSync, walFile, type SyncTarget } from './wal-sync.ts';

/** A file system whose syncs finish (or fail) when the test says, and are counted. */
function heldSyncs(): { file: SyncTarget; started: number; closed: boolean; finish(error?: Error): void } {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const state = {
    started: 0,
    closed: false,
    file: {
      sync: () => {
        state.started++;
        return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
      },
      close: () => {
        state.closed = true;
        return Promise.resolve();
      },
    },
    finish(error?: Error) {
      const next = pending.shift();
      if (error) next?.reject(error);
      else next?.resolve();
    },
  };
  return state;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function track(promise: Promise<unknown>): { done: boolean; failed: boolean } {
  const state = { done: false, failed: false };
  promise.then(
    () => (state.done = true),
    () => (state.failed = true),
  );
  return state;
}

describe('WalSync: committed means on disk', () => {
  it('a commit made while a sync runs waits for the next sync, which starts after the running one', async () => {
    const fsys = heldSyncs();
    const wal = new WalSync('/data/tandem.db', fsys.file);
    const first = track(wal.synced());
    const second = track(wal.synced()); // its commit may have missed the sync under way
    expect(fsys.started).toBe(1);
    fsys.finish();
    await turn();
    expect(first.done).toBe(true);
    expect(second.done).toBe(false);
    expect(fsys.started).toBe(2);
    fsys.finish();
    await turn();
    expect(second.done).toBe(true);
  });

  it('commits made during one sync share the next one (group commit)', async () => {
    const fsys = heldSyncs();
    const wal = new WalSync('/data/tandem.db', fsys.file);
    void wal.synced();
    const waiting = Array.from({ length: 10 }, () => track(wal.synced()));
    fsys.finish();
    await turn();
    fsys.finish();
    await turn();
    expect(waiting.every((w) => w.done)).toBe(true);
    expect(fsys.started).toBe(2);
  });

  it('a failed sync fails its callers, and the next commit syncs again', async () => {
    const fsys = heldSyncs();
    const wal = new WalSync('/data/tandem.db', fsys.file);
    const failed = track(wal.synced());
    fsys.finish(new Error('EIO'));
    await turn();
    expect(failed.failed).toBe(true);
    const retried = track(wal.synced());
    fsys.finish();
    await turn();
    expect(retried.done).toBe(true);
  });

  it('close lets the sync under way finish before the file closes; later calls have nothing to sync', async () => {
    const fsys = heldSyncs();
    const wal = new WalSync('/data/tandem.db', fsys.file);
    const running = track(wal.synced());
    const closing = track(wal.close());
    await turn();
    expect(fsys.closed).toBe(false);
    fsys.finish();
    await turn();
    await turn();
    expect(running.done).toBe(true);
    expect(closing.done).toBe(true);
    expect(fsys.closed).toBe(true);
    await expect(wal.synced()).resolves.toBeUndefined();
    expect(fsys.started).toBe(1);
  });

  it("syncs a real database's WAL file; a database with no WAL yet has nothing to sync", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-walsync-'));
    const none = walFile(path.join(dir, 'none.db-wal'));
    await expect(none.sync()).resolves.toBeUndefined();
    await none.close();
    const db = openDatabase(dir);
    try {
      db.exec('CREATE TABLE t (v TEXT)');
      db.prepare('INSERT INTO t VALUES (?)').run('x');
      expect(fs.existsSync(`${db.name}-wal`)).toBe(true);
      const wal = new WalSync(db.name);
      await expect(wal.synced()).resolves.toBeUndefined();
      // The file stays open between syncs; a WAL started over by a checkpoint is the same file.
      db.pragma('wal_checkpoint(RESTART)');
      db.prepare('INSERT INTO t VALUES (?)').run('y');
      await expect(wal.synced()).resolves.toBeUndefined();
      await wal.close();
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
