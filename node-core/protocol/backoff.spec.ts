import { describe, expect, it } from 'vitest';
import { BackoffSchedule, backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  const at = (random: number) => ({ baseMs: 500, maxMs: 8000, random: () => random });

  it('doubles with each failed attempt, up to the ceiling', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffDelay(at(0.5), n))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });

  it('spreads each pause by a quarter either way, so clients cut off together come back apart', () => {
    expect(backoffDelay(at(0), 1)).toBe(750);
    expect(backoffDelay(at(0.999_999), 1)).toBe(1250);
    const spread = new Set(Array.from({ length: 50 }, (_, i) => backoffDelay(at(i / 50), 2)));
    expect(spread.size).toBeGreaterThan(40);
  });
});

describe('BackoffSchedule', () => {
  it('grows with each failure in a row, is capped, and starts over after a success', () => {
    const schedule = new BackoffSchedule({ baseMs: 100, maxMs: 1000, random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 6].map(() => schedule.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    schedule.reset();
    expect([schedule.next(), schedule.next()]).toEqual([100, 200]);
  });

  it('spreads each pause with its random source', () => {
    const draws = [0, 0.999_999];
    const schedule = new BackoffSchedule({ baseMs: 100, maxMs: 1000, random: () => draws.shift() ?? 0.5 });
    expect([schedule.next(), schedule.next(), schedule.next()]).toEqual([75, 250, 400]);
  });
});
