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

/** The file-system side of a WalSync; tests hold or count its syncs. */
export interface SyncTarget {
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The WAL file, opened at the first sync and kept open: an open and a close around every fdatasync were two
 * more trips through the thread pool (sync p50 in `npm run bench` 1.0 ms before, 0.6 ms after). SQLite keeps
 * the file (same inode) for as long as the node's connection is open, so the handle stays valid until then.
 */
export function walFile(walPath: string): SyncTarget {
  let handle: Promise<fs.promises.FileHandle | null> | null = null;
  const opened = (): Promise<fs.promises.FileHandle | null> =>
    (handle ??= fs.promises.open(walPath, 'r+').catch((error: NodeJS.ErrnoException) => {
      handle = null;
      // No WAL (nothing written yet): nothing of it can be lost. Opened again at the next sync.
      if (error.code === 'ENOENT') return null;
      throw error;
    }));
  return {
    sync: async () => {
      await (await opened())?.datasync();
    },
    close: async () => {
      const open = await handle?.catch(() => null);
      handle = null;
      await open?.close();
    },
  };
}

export class WalSync {
  readonly #file: SyncTarget;
  /** The sync under way, if any. */
  #running: Promise<void> | null = null;
  /** The sync that starts when the running one ends: for commits the running one may have missed. */
  #next: Promise<void> | null = null;
  #closed = false;

  constructor(databasePath: string, file: SyncTarget = walFile(`${databasePath}-wal`)) {
    this.#file = file;
  }

  /** Resolves once everything committed before this call is on disk; rejects if the sync failed. */
  synced(): Promise<void> {
    // Closed only as the database closes, and that last checkpoint syncs everything committed.
    if (this.#closed) return Promise.resolve();
    if (this.#running === null) return this.#start();
    this.#next ??= this.#running.then(
      () => this.#start(),
      () => this.#start(),
    );
    return this.#next;
  }

  /** Lets the syncs under way finish, then closes the WAL file. Call when the database closes. */
  async close(): Promise<void> {
    this.#closed = true;
    await (this.#next ?? this.#running)?.catch(() => undefined);
    await this.#file.close();
  }

  #start(): Promise<void> {
    this.#next = null;
    const running = this.#file.sync().finally(() => {
      if (this.#running === running) this.#running = null;
    });
    this.#running = running;
    return running;
  }
}
