import { describe, expect, it } from 'vitest';
import { toHistorySamples } from './history-samples.ts';

describe('toHistorySamples', () => {
  it('turns published values into samples of an origin', () => {
    expect(toHistorySamples([{ name: 't', value: 1, quality: 'good', ts: 5 }], 'n1')).toEqual([
      { tag: 't', ts: 5, value: 1, quality: 'good', origin: 'n1' },
    ]);
  });
});
