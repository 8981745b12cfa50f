import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

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
