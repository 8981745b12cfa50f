import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import { silentLogger } from '../logging.ts';
import { Retention, RETENTION_BATCH, type HistoryPruned } from './retention.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Rows of [tag, ts], deleted tag by tag as the history store does: at most `limit` rows or tags per call. */
function history(rows: [string, number][]) {
  let calls = 0;
  return {
    rows,
    calls: () => calls,
    prune(beforeTs: number, limit: number, from: string): HistoryPruned {
      calls++;
      const tags = [...new Set(rows.map(([tag]) => tag))].sort().filter((tag) => tag >= from);
      let work = 0;
      let deleted = 0;
      for (const tag of tags) {
        work++;
        for (let i = 0; i < rows.length && work < limit; i++) {
          if (rows[i]![0] === tag && rows[i]![1] < beforeTs) {
            rows.splice(i--, 1);
            work++;
            deleted++;
          }
        }
        if (work >= limit) return { deleted, next: tag };
      }
      return { deleted, next: null };
    },
  };
}

function ledger(times: number[]) {
  return {
    times,
    prune(beforeTs: number, limit: number): number {
      let deleted = 0;
      for (let i = 0; i < times.length && deleted < limit; i++) {
        if (times[i]! < beforeTs) {
          times.splice(i--, 1);
          deleted++;
        }
      }
      return deleted;
    },
  };
}

function retention(h: ReturnType<typeof history>, l: ReturnType<typeof ledger>, clock: ManualClock) {
  return new Retention({
    clock,
    logger: silentLogger,
    historyRetentionDays: 30,
    ledgerRetentionDays: 7,
    pruneHistory: (before, limit, from) => h.prune(before, limit, from),
    pruneLedger: (before, limit) => l.prune(before, limit),
  });
}

describe('Retention', () => {
  it('deletes a large backlog in batches, one per turn of the event loop, so heartbeats are answered in between', () => {
    const clock = new ManualClock(100 * DAY);
    const now = clock.now();
    const old: [string, number][] = Array.from({ length: 3 * RETENTION_BATCH }, (_, i) => [
      `t${i % 7}`,
      now - 31 * DAY - i,
    ]);
    const h = history([...old, ['t1', now - DAY]]);
    const l = ledger([now - 8 * DAY, now - 6 * DAY]);
    retention(h, l, clock).start();

    // At start one batch runs; the rest waits for the next turns of the loop, not for an hour.
    expect(h.rows.length).toBeGreaterThan(RETENTION_BATCH);
    expect(l.times).toEqual([now - 6 * DAY]);
    clock.advance(0);
    expect(h.rows).toEqual([['t1', now - DAY]]);
    expect(h.calls()).toBeGreaterThanOrEqual(4);
  });

  it('runs again every hour, and not after stop', () => {
    const clock = new ManualClock(100 * DAY);
    const h = history([]);
    const l = ledger([]);
    const r = retention(h, l, clock);
    r.start();
    r.start();
    expect(h.calls()).toBe(1);
    clock.advance(HOUR);
    expect(h.calls()).toBe(2);
    l.times.push(clock.now() - 8 * DAY);
    r.stop();
    clock.advance(2 * HOUR);
    expect(h.calls()).toBe(2);
    expect(l.times.length).toBe(1);
  });

  it('a clean-up the disk refuses is tried again in an hour, and the node goes on', () => {
    const clock = new ManualClock(100 * DAY);
    let refuse = true;
    const l = ledger([clock.now() - 8 * DAY]);
    new Retention({
      clock,
      logger: silentLogger,
      historyRetentionDays: 30,
      ledgerRetentionDays: 7,
      pruneHistory: () => {
        if (refuse) throw new Error('database or disk is full');
        return { deleted: 0, next: null };
      },
      pruneLedger: (before, limit) => l.prune(before, limit),
    }).start();
    expect(l.times.length).toBe(1);
    refuse = false;
    clock.advance(HOUR);
    expect(l.times.length).toBe(0);
  });
});
