/**
 * The store thread's program (store-thread.ts says why it exists): WAL checkpoints every `everyMs`, and once,
 * `checkAfterMs` after start, SQLite's quick check of the whole file. A module of its own, started by file:
 * from source this .ts file, from the service bundle its own output file beside the bundle
 * (scripts/build-node.ts builds it as a second entry). It once ran from a function's source text instead,
 * which the bundler rewrote (`require` became `__require`, undefined in the worker).
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { problemsIn } from './integrity-report.ts';

export interface StoreWorkerData {
  /** better-sqlite3 as the main thread resolved it, so both threads load the same native binding. */
  readonly driver: string;
  readonly file: string;
  readonly everyMs: number;
  /** When the whole file's check starts, after the thread; null: never (a test's own connection). */
  readonly checkAfterMs: number | null;
}

/** What the thread tells the node: the whole file's check is done, and what it found (empty: sound). */
export interface IntegrityMessage {
  readonly kind: 'integrity';
  readonly problems: readonly string[];
  readonly ms: number;
}

/** A checkpoint failed after one that did not (a full disk): the thread tries again each round. */
interface CheckpointFailedMessage {
  readonly kind: 'checkpoint-failed';
  readonly error: string;
}

export type StoreWorkerMessage = IntegrityMessage | CheckpointFailedMessage;

/** How long a whole-file check that could not run (a busy or full disk, not damage) waits to try again. */
const CHECK_AGAIN_MS = 60_000;

const { driver, file, everyMs, checkAfterMs } = workerData as StoreWorkerData;
const Database = createRequire(import.meta.url)(driver) as typeof BetterSqlite3;
// timeout 0: never waits for the node's connection; a RESTART that finds it busy is tried next round.
const db = new Database(file, { fileMustExist: true, timeout: 0 });

function checkpoint(): void {
  db.pragma('wal_checkpoint(PASSIVE)');
  db.pragma('wal_checkpoint(PASSIVE)');
  db.pragma('wal_checkpoint(RESTART)');
}

let failing = false;
/**
 * One round of checkpoints. One that fails (a full disk: the file cannot grow to take the WAL) is tried again
 * next round: the thread once died of it for the rest of the run (`npm run chaos`, a full tmpfs), leaving the
 * checkpoints to the node's event loop and the whole file unchecked.
 */
function checkpointRound(): void {
  try {
    checkpoint();
    failing = false;
  } catch (error) {
    if (!failing) {
      const message: CheckpointFailedMessage = { kind: 'checkpoint-failed', error: messageOf(error) };
      parentPort!.postMessage(message);
    }
    failing = true;
  }
}

/**
 * The quick check of every page. A check that SQLite stops on damage reports why; one that cannot run for
 * another reason (a busy or full disk) is no finding, and runs again later.
 */
function checkWholeFile(): void {
  const started = performance.now();
  let problems: string[];
  try {
    problems = problemsIn(db.pragma('quick_check') as { quick_check: string }[]);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
      check = setTimeout(checkWholeFile, CHECK_AGAIN_MS);
      return;
    }
    problems = [messageOf(error)];
  }
  const message: IntegrityMessage = { kind: 'integrity', problems, ms: performance.now() - started };
  parentPort!.postMessage(message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const timer = setInterval(checkpointRound, everyMs);
let check = checkAfterMs === null ? null : setTimeout(checkWholeFile, checkAfterMs);
parentPort!.on('message', () => {
  clearInterval(timer);
  if (check) clearTimeout(check);
  checkpoint();
  db.close();
  parentPort!.close();
});
