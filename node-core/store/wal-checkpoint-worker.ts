/**
 * The WAL checkpoint worker's program (wal-checkpoints.ts says why checkpoints run on a thread of their own).
 * A module of its own, started by file: from source this .ts file, from the service bundle its own output
 * file beside the bundle (scripts/build-node.ts builds it as a second entry). It once ran from a function's
 * source text instead, which the bundler rewrote (`require` became `__require`, undefined in the worker).
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

export interface CheckpointWorkerData {
  /** better-sqlite3 as the main thread resolved it, so both threads load the same native binding. */
  readonly driver: string;
  readonly file: string;
  readonly everyMs: number;
}

const { driver, file, everyMs } = workerData as CheckpointWorkerData;
const Database = createRequire(import.meta.url)(driver) as typeof BetterSqlite3;
// timeout 0: never waits for the node's connection; a RESTART that finds it busy is tried next round.
const db = new Database(file, { fileMustExist: true, timeout: 0 });

function checkpoint(): void {
  db.pragma('wal_checkpoint(PASSIVE)');
  db.pragma('wal_checkpoint(PASSIVE)');
  db.pragma('wal_checkpoint(RESTART)');
}

const timer = setInterval(checkpoint, everyMs);
parentPort!.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort!.close();
});
