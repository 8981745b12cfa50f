import { describe, expect, it } from 'vitest';
import { sparklinePoints } from './sparkline.ts';

describe('sparklinePoints', () => {
  it('draws nothing for fewer than two values', () => {
    expect(sparklinePoints([], 100, 20)).toBeNull();
    expect(sparklinePoints([3], 100, 20)).toBeNull();
  });

  it('spreads the values over the width, the highest at the top and the lowest at the bottom', () => {
    expect(sparklinePoints([1, 3, 2], 100, 22)).toBe('0,21 50,1 100,11');
  });

  it('draws a flat series in the middle', () => {
    expect(sparklinePoints([4, 4], 10, 20)).toBe('0,10 10,10');
  });
});
