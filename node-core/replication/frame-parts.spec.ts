import { describe, expect, it } from 'vitest';
import { estimateBytes, splitByBudget } from './frame-parts.ts';

describe('frame parts', () => {
  it('keeps the order, cuts by count and by estimated size, and never leaves an empty part', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(splitByBudget(items, () => 1, 4, 100)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(splitByBudget(items, () => 30, 100, 100)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(splitByBudget([], () => 1, 4, 100)).toEqual([[]]);
    // An item larger than the budget on its own still goes out, alone.
    expect(splitByBudget([1, 500, 2], (n) => n, 10, 100)).toEqual([[1], [500], [2]]);
  });

  it('estimates at least the bytes JSON takes for a string (escapes, multi-byte characters)', () => {
    for (const s of ['plain', '"quoted" \\ back', 'ünïcödé €', '{"a":"b"}']) {
      expect(estimateBytes([s], 0)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(s)) - 2);
    }
    expect(estimateBytes(['ab', null, 'c'], 10)).toBe(19);
  });
});
