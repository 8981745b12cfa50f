/**
 * WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside whichever commit makes
 * the WAL pass 1000 pages, on the event loop: it copies the WAL into the database file and syncs it, 5–15 ms
 * in which no heartbeat is answered and no caller acknowledged (the p99 of config changes in `npm run bench`
 * came from there, on both nodes). Here the node's own connection never checkpoints; a worker thread with a
 * connection of its own does.
 *
 * A PASSIVE checkpoint neither waits for nor blocks the node's writes, but under steady writes it never
 * catches up: some commit always lands while it copies, and SQLite starts the WAL over only once all of it
 * is copied. The WAL then grows for as long as the writes go on (to 50 MB in ten seconds of the bench), and
 * every commit appends to new blocks, whose fdatasync also has to journal the file's new size (sync p99 in
 * the bench 4.6–5.1 ms, against 3.2–3.4 ms with the WAL started over). So after two PASSIVE passes, which
 * leave only what was committed meanwhile, the worker asks for RESTART without waiting: it holds the write
 * lock for that remainder (0.05–1.5 ms measured; a commit of the node waits that long), and if a commit or a
 * reader is in the way it gives up until the next round.
 *
 * If the worker cannot start or fails, the node's connection checkpoints automatically again: slower at the
 * tail, never a growing WAL.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logging.ts';
import type { CheckpointWorkerData } from './wal-checkpoint-worker.ts';
import type { Db } from './database.ts';

/** How often the worker checkpoints; at 10,000 config changes/s the WAL grows by ~4 MB in that time. */
const CHECKPOINT_EVERY_MS = 1000;
/** SQLite's default: the page count at which a connection checkpoints by itself. */
const AUTOMATIC_PAGES = 1000;

export interface WalCheckpoints {
  /** Stops the worker after a last checkpoint; call before the node's connection closes. */
  stop(): Promise<void>;
}

/**
 * The worker's module sits beside the module that starts it, with the same extension: from source
 * node-core/store/wal-checkpoint-worker.ts next to this file, from the service bundle
 * dist/node/node-core/wal-checkpoint-worker.js next to the bundle that holds this code.
 */
const workerUrl = new URL(
  `./wal-checkpoint-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

export function startWalCheckpoints(
  db: Db,
  logger: Logger,
  options: Partial<Omit<CheckpointWorkerData, 'file'>> = {},
): WalCheckpoints {
  const data: CheckpointWorkerData = {
    driver: options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3'),
    file: db.name,
    everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS,
  };
  let worker: Worker | null = null;
  const fallBack = (error: unknown): void => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOMATIC_PAGES}`);
    logger.warn({ err: error }, 'WAL checkpoints run on the main thread again: their worker failed');
    worker = null;
  };
  try {
    worker = new Worker(workerUrl, { workerData: data });
    db.pragma('wal_autocheckpoint = 0');
    worker.on('error', fallBack);
    // The worker holds no event loop of the node's open: the node exits when it is done, without a stop.
    worker.unref();
  } catch (error) {
    fallBack(error);
  }
  return {
    stop: () => {
      const running = worker;
      worker = null;
      if (!running) return Promise.resolve();
      return new Promise((resolve) => {
        running.once('exit', () => resolve());
        running.ref(); // keeps the process alive until the last checkpoint is done
        running.off('error', fallBack);
        running.once('error', () => undefined);
        running.postMessage('stop');
      });
    },
  };
}
