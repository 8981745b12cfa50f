/**
 * Power-loss durability without stalling the event loop. The node's connection commits with
 * `synchronous = NORMAL`: a commit is in the WAL file, safe from a crash of the process, but maybe still in
 * the operating system's cache. Before a node answers a caller, or tells its peer that it stored something,
 * it waits for `synced()`: an fdatasync of the WAL on libuv's thread pool that began after the commit. Many
 * commits share one sync (group commit), and the active node's sync runs while its batch travels to the
 * standby, so a caller waits about one sync longer than without, where `synchronous = FULL` blocked both
 * event loops for every transaction (half the config throughput in `npm run bench`).
 */
import fs from 'node:fs';

/** The one operation this needs from the file system; tests count or hold it. */
export type SyncFile = (path: string) => Promise<void>;

export const syncFile: SyncFile = async (path) => {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, 'r+');
  } catch (error) {
    // No WAL (nothing written yet, or the database was closed): nothing of it can be lost.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
};

export class WalSync {
  readonly #walPath: string;
  readonly #sync: SyncFile;
  /** The sync under way, if any. */
  #running: Promise<void> | null = null;
  /** The sync that starts when the running one ends: for commits the running one may have missed. */
  #next: Promise<void> | null = null;

  constructor(databasePath: string, sync: SyncFile = syncFile) {
    this.#walPath = `${databasePath}-wal`;
    this.#sync = sync;
  }

  /** Resolves once everything committed before this call is on disk; rejects if the sync failed. */
  synced(): Promise<void> {
    if (this.#running === null) return this.#start();
    this.#next ??= this.#running.then(
      () => this.#start(),
      () => this.#start(),
    );
    return this.#next;
  }

  #start(): Promise<void> {
    this.#next = null;
    const running = this.#sync(this.#walPath).finally(() => {
      if (this.#running === running) this.#running = null;
    });
    this.#running = running;
    return running;
  }
}
