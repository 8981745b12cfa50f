/**
 * The store's background work, on a thread of its own with a connection of its own (store-worker.ts runs it):
 * WAL checkpoints, and SQLite's check of the whole file once after start.
 *
 * WAL checkpoints. SQLite's automatic checkpoint runs inside whichever commit makes the WAL pass 1000 pages,
 * on the event loop: it copies the WAL into the database file and syncs it, 5–15 ms in which no heartbeat is
 * answered and no caller acknowledged (the p99 of config changes in `npm run bench` came from there, on both
 * nodes). Here the node's own connection never checkpoints; the thread does.
 *
 * A PASSIVE checkpoint neither waits for nor blocks the node's writes, but under steady writes it never
 * catches up: some commit always lands while it copies, and SQLite starts the WAL over only once all of it
 * is copied. The WAL then grows for as long as the writes go on (to 50 MB in ten seconds of the bench), and
 * every commit appends to new blocks, whose fdatasync also has to journal the file's new size (sync p99 in
 * the bench 4.6–5.1 ms, against 3.2–3.4 ms with the WAL started over). So after two PASSIVE passes, which
 * leave only what was committed meanwhile, the thread asks for RESTART without waiting: it holds the write
 * lock for that remainder (0.05–1.5 ms measured; a commit of the node waits that long), and if a commit or a
 * reader is in the way it gives up until the next round.
 *
 * The whole file's check. At start the node checks only the tables it cannot run without (database.ts);
 * history, nearly all of the file after months, is checked here, while the node runs: damage found is one
 * error record with SQLite's full report, and one line that the node shows in its status and records as a
 * `database-damaged` event (docs/contract.md "Starting a node (headless)").
 *
 * If the thread cannot start or fails, the node's connection checkpoints automatically again: slower at the
 * tail, never a growing WAL. The whole file then goes unchecked until the next start, which the log says.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logging.ts';
import { problemCount } from './integrity-report.ts';
import type { IntegrityMessage, StoreWorkerData, StoreWorkerMessage } from './store-worker.ts';
import type { Db } from './database.ts';

/** How often the thread checkpoints; at 10,000 config changes/s the WAL grows by ~4 MB in that time. */
const CHECKPOINT_EVERY_MS = 1000;
/** When the whole file's check starts: after the node's own start-up reads, which it would slow. */
const CHECK_AFTER_MS = 2000;
/** SQLite's default: the page count at which a connection checkpoints by itself. */
const AUTOMATIC_PAGES = 1000;

export interface StoreThread {
  /**
   * Calls `tell` with one line once the whole file's check found damage: at once if it already has, never if
   * the file is sound.
   */
  onDamage(tell: (summary: string) => void): void;
  /** Stops the thread after a last checkpoint; call before the node's connection closes. */
  stop(): Promise<void>;
}

/**
 * The thread's module sits beside the module that starts it, with the same extension: from source
 * node-core/store/store-worker.ts next to this file, from the service bundle dist/node/node-core/store-worker.js
 * next to the bundle that holds this code.
 */
const workerUrl = new URL(
  `./store-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

export function startStoreThread(
  db: Db,
  logger: Logger,
  options: Partial<Omit<StoreWorkerData, 'file'>> = {},
): StoreThread {
  const data: StoreWorkerData = {
    driver: options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3'),
    file: db.name,
    everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS,
    checkAfterMs: options.checkAfterMs === undefined ? CHECK_AFTER_MS : options.checkAfterMs,
  };
  let worker: Worker | null = null;
  let damage: string | null = null;
  const listeners: ((summary: string) => void)[] = [];
  const fallBack = (error: unknown): void => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOMATIC_PAGES}`);
    logger.warn(
      { err: error },
      'WAL checkpoints run on the main thread again, and the whole database goes unchecked until the next ' +
        'start: the store thread failed',
    );
    worker = null;
  };
  const onChecked = ({ problems, ms }: IntegrityMessage): void => {
    if (problems.length === 0) {
      logger.info({ ms: Math.round(ms) }, 'database checked after start: sound');
      return;
    }
    damage =
      `database ${db.name} is damaged: SQLite's integrity check after start found ${problemCount(problems)}; ` +
      'the full report is in the log. The node runs on (what it cannot run without was sound at start); ' +
      'restore the database from a backup at the next chance';
    logger.error({ report: problems }, damage);
    for (const tell of listeners) tell(damage);
  };
  try {
    worker = new Worker(workerUrl, { workerData: data });
    db.pragma('wal_autocheckpoint = 0');
    worker.on('error', fallBack);
    worker.on('message', (message: StoreWorkerMessage) => {
      if (message.kind === 'integrity') onChecked(message);
      else
        logger.warn(
          { error: message.error },
          'a WAL checkpoint failed; the store thread tries again each second',
        );
    });
    // The thread holds no event loop of the node's open: the node exits when it is done, without a stop.
    worker.unref();
  } catch (error) {
    fallBack(error);
  }
  return {
    onDamage: (tell) => {
      listeners.push(tell);
      if (damage !== null) tell(damage);
    },
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
