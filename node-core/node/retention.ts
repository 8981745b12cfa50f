/**
 * Retention (docs/rules.md "Data 4" and "Commands 1"): history samples and command uids older than their
 * settings are deleted at start and every hour, in small batches, one per turn of the event loop. A node
 * once deleted with one statement that scanned the whole history table: 35 s on the node's thread at
 * 2.25 million samples, at every start and every hour, while no heartbeat was answered (its peer took over).
 * Now each batch is at most 100 seeks or rows, each a search by key (store/history-store.ts prune).
 */
import type { Clock, TimerHandle } from '../clock/index.ts';
import type { Logger } from '../logging.ts';

const DAY_MS = 86_400_000;
const EVERY_MS = 3_600_000;
/** Rows deleted (or tags looked at) per batch: a few milliseconds of the node's thread. */
export const RETENTION_BATCH = 100;

/** How far a batch of history deletion came: `next` is the tag to go on from, null when done. */
export interface HistoryPruned {
  readonly deleted: number;
  readonly next: string | null;
}

export interface RetentionPorts {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly historyRetentionDays: number;
  readonly ledgerRetentionDays: number;
  /** Deletes samples older than `beforeTs`, tag by tag from `from`, at most `limit` rows or tags. */
  pruneHistory(beforeTs: number, limit: number, from: string): HistoryPruned;
  /** Deletes at most `limit` command uids older than `beforeTs`; answers how many. */
  pruneLedger(beforeTs: number, limit: number): number;
}

interface Pass {
  readonly historyBefore: number;
  readonly ledgerBefore: number;
  /** The tag the history deletion goes on from; null once it is done. */
  historyFrom: string | null;
  ledgerDone: boolean;
  samples: number;
  uids: number;
}

export class Retention {
  readonly #p: RetentionPorts;
  #timer: TimerHandle | null = null;

  constructor(ports: RetentionPorts) {
    this.#p = ports;
  }

  /** Runs now, then every hour. Idempotent. */
  start(): void {
    if (this.#timer) return;
    const now = this.#p.clock.now();
    this.#batch({
      historyBefore: now - this.#p.historyRetentionDays * DAY_MS,
      ledgerBefore: now - this.#p.ledgerRetentionDays * DAY_MS,
      historyFrom: '',
      ledgerDone: false,
      samples: 0,
      uids: 0,
    });
  }

  stop(): void {
    if (this.#timer) this.#p.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #batch(pass: Pass): void {
    try {
      if (pass.historyFrom !== null) {
        const pruned = this.#p.pruneHistory(pass.historyBefore, RETENTION_BATCH, pass.historyFrom);
        pass.samples += pruned.deleted;
        pass.historyFrom = pruned.next;
      }
      if (!pass.ledgerDone) {
        const uids = this.#p.pruneLedger(pass.ledgerBefore, RETENTION_BATCH);
        pass.uids += uids;
        pass.ledgerDone = uids < RETENTION_BATCH;
      }
      if (pass.historyFrom !== null || !pass.ledgerDone) {
        // More to do: the next batch after whatever waits on the event loop (heartbeats first).
        this.#timer = this.#p.clock.setTimeout(() => this.#batch(pass), 0);
        return;
      }
      if (pass.samples + pass.uids > 0)
        this.#p.logger.info(
          { samples: pass.samples, uids: pass.uids },
          'retention: old history and uids deleted',
        );
    } catch (error) {
      this.#p.logger.warn({ err: error }, 'retention clean-up failed; it runs again in an hour');
    }
    this.#timer = this.#p.clock.setTimeout(() => {
      this.#timer = null;
      this.start();
    }, EVERY_MS);
  }
}
