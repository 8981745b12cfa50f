import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.ts';
import {
  bestOffset,
  clockSkewed,
  describeOffset,
  offsetFromHeartbeat,
  type OffsetSample,
} from './clock-offset.ts';
import { PairClock } from './pair-clock.ts';

const HOUR = 3_600_000;
const sample = (offsetMs: number, errorMs: number, at = 0): OffsetSample => ({ offsetMs, errorMs, at });

describe('clock skew: the offset is measured from heartbeats, NTP-style', () => {
  it.each([
    // sentAt, peer's clock when it answered, receivedAt → offset ± error
    ['clocks agree, 10 ms round trip', 1000, 1005, 1010, 0, 5],
    ['peer an hour ahead', 1000, 1005 + HOUR, 1010, HOUR, 5],
    ['peer an hour behind', 1000, 1005 - HOUR, 1010, -HOUR, 5],
    ['the answer took all the round trip: still within the error', 1000, 1010, 1010, 5, 5],
    ['no measurable round trip', 1000, 1000, 1000, 0, 0],
  ])('%s', (_what, sentAt, peerAt, receivedAt, offset, error) => {
    expect(offsetFromHeartbeat(sentAt, peerAt, receivedAt)).toEqual({
      offsetMs: offset,
      errorMs: error,
      at: receivedAt,
    });
  });

  it('clock skew: the estimate is the heartbeat with the shortest round trip, the newest among equals', () => {
    expect(bestOffset([])).toBeNull();
    expect(bestOffset([sample(100, 40, 1), sample(7, 2, 2), sample(90, 30, 3)])).toEqual(sample(7, 2, 2));
    expect(bestOffset([sample(7, 2, 2), sample(8, 2, 5)])).toEqual(sample(8, 2, 5));
  });
});

describe('clock skew: the warning bound, with hysteresis', () => {
  const bound = 3000;
  it.each([
    ['no estimate yet: no warning', false, null, false],
    ['no estimate: a warning stays', true, null, true],
    ['an hour ahead: warning', false, sample(HOUR, 2), true],
    ['an hour behind: warning', false, sample(-HOUR, 2), true],
    ['beyond the bound only within the error: no warning yet', false, sample(3100, 200), false],
    ['beyond the bound even at the edge of the error: warning', false, sample(3300, 200), true],
    ['back under the bound but above half of it: the warning stays', true, sample(2000, 2), true],
    ['within half the bound even at the other edge: the warning ends', true, sample(1000, 2), false],
    ['under the bound without a warning: none', false, sample(2999, 0), false],
  ] as const)('%s', (_what, was, estimate, expected) => {
    expect(clockSkewed(was, estimate, bound)).toBe(expected);
  });
});

describe('clock skew: offsets as an operator reads them', () => {
  it.each([
    [850, '850 ms'],
    [-850, '850 ms'],
    [12_400, '12.4 s'],
    [245_000, '4 min 05 s'],
    [HOUR, '1 h 00 min 00 s'],
    [-(2 * HOUR + 7 * 60_000 + 3000), '2 h 07 min 03 s'],
  ])('%d ms → %s', (ms, text) => {
    expect(describeOffset(ms)).toBe(text);
  });
});

describe('pair clock: the pair records by the master clock', () => {
  it('pair clock: a master stamps with its own clock', () => {
    const clock = new ManualClock(1_000_000);
    const pair = new PairClock(clock, false);
    pair.peerOffset(HOUR);
    expect(pair.now()).toBe(1_000_000);
  });

  it('pair clock: a backup stamps with its own clock plus the measured offset of the master clock', () => {
    const clock = new ManualClock(1_000_000 + HOUR);
    const pair = new PairClock(clock, true);
    expect(pair.now()).toBe(1_000_000 + HOUR); // not measured yet: its own clock
    pair.peerOffset(-HOUR + 0.4);
    expect(pair.now()).toBe(1_000_000);
    clock.advance(500);
    expect(pair.now()).toBe(1_000_500);
  });

  it('pair clock: the backup keeps the last offset while the master is away (a failover stays on one timeline)', () => {
    const clock = new ManualClock(5_000);
    const pair = new PairClock(clock, true);
    pair.peerOffset(-2_000);
    clock.advance(60_000);
    expect(pair.now()).toBe(63_000);
  });

  it('pair clock: never runs backwards once the master clock is known, nor stands still: half pace until the clock catches up', () => {
    const clock = new ManualClock(10_000);
    const pair = new PairClock(clock, true);
    pair.peerOffset(0);
    expect(pair.now()).toBe(10_000);
    pair.peerOffset(-300);
    expect(pair.now()).toBe(10_000);
    clock.advance(200);
    expect(pair.now()).toBe(10_100);
    clock.advance(200);
    expect(pair.now()).toBe(10_200);
    // The estimate (10,400 - 300) meets the half-pace clock at 600 ms (twice the gap), then leads again.
    clock.advance(200);
    expect(pair.now()).toBe(10_300);
    clock.advance(100);
    expect(pair.now()).toBe(10_400);
  });

  it('pair clock: a master whose clock was set back while it was down goes on from its newest record', () => {
    const clock = new ManualClock(50_000);
    const pair = new PairClock(clock, false);
    pair.startAfter(60_000);
    expect(pair.now()).toBe(60_000);
    clock.advance(1_000);
    expect(pair.now()).toBe(60_500);
    clock.advance(20_000);
    expect(pair.now()).toBe(71_000);
  });

  it('pair clock: timers run on the base clock, untouched by the offset', () => {
    const clock = new ManualClock(0);
    const pair = new PairClock(clock, true);
    pair.peerOffset(HOUR);
    let fired = 0;
    pair.setTimeout(() => (fired = clock.now()), 100);
    clock.advance(100);
    expect(fired).toBe(100);
  });
});
