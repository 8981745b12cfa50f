import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import { HistoryStore } from '../store/history-store.ts';
import { tempDatabase } from '../../test/support/temp-database.ts';
import { WarmBuffer, detectionWindowMs, type BufferedValue } from './warm-buffer.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

function store(): HistoryStore {
  const t = tempDatabase();
  disposers.push(t.dispose);
  return new HistoryStore(t.db);
}

const v = (name: string, ts: number, value = ts): BufferedValue => ({ name, value, quality: 'good', ts });

describe('WarmBuffer', () => {
  it('keeps only the last windowMs of what was polled', () => {
    const clock = new ManualClock(0);
    const buffer = new WarmBuffer({ clock, windowMs: 1000, maxSamples: 100 });
    for (let t = 0; t <= 3000; t += 250) {
      clock.advance(t - clock.now());
      buffer.push([v('a', t)]);
    }
    expect(buffer.values().map((x) => x.ts)).toEqual([2000, 2250, 2500, 2750, 3000]);
    clock.advance(700);
    expect(buffer.values().map((x) => x.ts)).toEqual([2750, 3000]);
    clock.advance(10_000);
    expect(buffer.size).toBe(0);
  });

  it('keeps at most maxSamples, dropping the oldest', () => {
    const clock = new ManualClock(100);
    const buffer = new WarmBuffer({ clock, windowMs: 1_000_000, maxSamples: 5 });
    buffer.push([1, 2, 3, 4, 5, 6, 7, 8].map((ts) => v('a', ts)));
    expect(buffer.values().map((x) => x.ts)).toEqual([4, 5, 6, 7, 8]);
    buffer.push([v('b', 9)]);
    expect(buffer.values().map((x) => x.ts)).toEqual([5, 6, 7, 8, 9]);
    buffer.clear();
    expect(buffer.values()).toEqual([]);
    expect(() => new WarmBuffer({ clock, windowMs: 1, maxSamples: 0 })).toThrow(/maxSamples/);
  });

  it('sizes its window from the redundancy timing: detection time plus one ping of slack', () => {
    const timing = { pingRateMs: 1000, pingTimeoutMs: 3000, missedPings: 3, failoverTimeMs: 10_000 };
    expect(detectionWindowMs(timing)).toBe(11_000);
    expect(detectionWindowMs({ ...timing, failoverTimeMs: 0 })).toBe(7000);
    expect(detectionWindowMs(timing, 5000)).toBe(16_000);
  });
});

describe('WarmBuffer.drainInto on take-over', () => {
  it('fills the history for the detection window only: after the last sign of the master, after what it forwarded', () => {
    const clock = new ManualClock(20_000);
    const history = store();
    // What the master recorded and forwarded before it went silent: tag a up to 10 000, tag b up to 8 000.
    history.record([
      { tag: 'a', ts: 10_000, value: 1, quality: 'good', origin: 'master' },
      { tag: 'b', ts: 8000, value: 1, quality: 'good', origin: 'master' },
    ]);
    const buffer = new WarmBuffer({ clock, windowMs: 15_000, maxSamples: 1000 });
    const polled: BufferedValue[] = [];
    for (let t = 5000; t <= 20_000; t += 1000) polled.push(v('a', t), v('b', t), v('c', t));
    buffer.push(polled);

    // The master's last answered heartbeat was at 9 000.
    const added = buffer.drainInto(history, 'backup', { after: 9000 });
    const mine = history.since('backup', Number.MIN_SAFE_INTEGER, 1000);
    const byTag = (tag: string): number[] => mine.filter((s) => s.tag === tag).map((s) => s.ts);
    expect(byTag('a')).toEqual([
      11_000, 12_000, 13_000, 14_000, 15_000, 16_000, 17_000, 18_000, 19_000, 20_000,
    ]);
    expect(byTag('b')).toEqual([10_000, ...byTag('a')]);
    expect(byTag('c')).toEqual(byTag('b'));
    expect(added).toBe(mine.length);
    expect(buffer.size).toBe(0);
    expect(buffer.drainInto(history, 'backup', { after: 9000 })).toBe(0);
  });

  it('never duplicates a sample the history already holds, and drops what fell out of the window', () => {
    const clock = new ManualClock(0);
    const history = store();
    history.record([{ tag: 'a', ts: 500, value: 'master', quality: 'good', origin: 'master' }]);
    const buffer = new WarmBuffer({ clock, windowMs: 1000, maxSamples: 100 });
    buffer.push([v('a', 0), v('a', 500), v('a', 600)]);
    clock.advance(1550);
    expect(buffer.drainInto(history, 'backup')).toBe(1);
    expect(history.query('a', 0, 10_000, { maxPoints: 10 })).toMatchObject({
      samples: [
        { ts: 500, value: 'master' },
        { ts: 600, value: 600 },
      ],
    });
  });
});
