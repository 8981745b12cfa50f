import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/index.ts';
import { SessionRetry } from './session-retry.ts';

const timing = { pingRateMs: 100, failoverTimeMs: 1000 };

/** How long after scheduling the attempt runs, on a manual clock, ms by ms. */
function pauseOf(clock: ManualClock, retry: SessionRetry, takenOver = false): number {
  let ran = false;
  retry.schedule(() => (ran = true), takenOver);
  let waited = 0;
  while (!ran && waited < 10_000) {
    clock.advance(1);
    waited++;
  }
  return waited;
}

describe('Sparkplug: retries after a failed session', () => {
  it('wait longer after each failure in a row, from the ping rate up to the failover time, and start over once a session was born', () => {
    const clock = new ManualClock(0);
    const retry = new SessionRetry(clock, timing, () => 0.5);
    expect([1, 2, 3, 4, 5, 6].map(() => pauseOf(clock, retry))).toEqual([100, 200, 400, 800, 1000, 1000]);
    retry.succeeded();
    expect(pauseOf(clock, retry)).toBe(100);
  });

  it('are spread by ±25 % so that edge nodes cut off together do not come back in step', () => {
    const clock = new ManualClock(0);
    expect(pauseOf(clock, new SessionRetry(clock, timing, () => 0))).toBe(75);
    expect(pauseOf(clock, new SessionRetry(clock, timing, () => 0.999))).toBe(125);
  });

  it('leave the edge node to the other node for a failover time when it took the session over', () => {
    const clock = new ManualClock(0);
    expect(pauseOf(clock, new SessionRetry(clock, timing, () => 0.5), true)).toBe(1000);
  });

  it('run one attempt at a time: a new schedule or a cancel drops the one waiting', () => {
    const clock = new ManualClock(0);
    const retry = new SessionRetry(clock, timing, () => 0.5);
    let runs = 0;
    retry.schedule(() => runs++);
    retry.schedule(() => runs++);
    clock.advance(10_000);
    expect(runs).toBe(1);
    retry.schedule(() => runs++);
    retry.cancel();
    clock.advance(10_000);
    expect(runs).toBe(1);
  });
});
