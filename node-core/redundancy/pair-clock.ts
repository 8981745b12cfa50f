/**
 * The clock the pair records by (docs/redundancy.md "Clock skew"): the master's. The master stamps with its
 * own clock; the backup with its own plus the measured offset of the master's, so both nodes put what they
 * record on one timeline, also across a failover (the backup keeps the last offset it measured while the
 * master is away). It never runs backwards on a node once it knows the master's clock: a smaller estimate
 * holds the time where it was until the clock catches up.
 *
 * It is a `Clock` (timers go to the base clock untouched) so that whatever stamps records can take it; the
 * redundancy driver and the peer link keep the base clock, whose deadlines must not move with an estimate.
 */
import type { Clock, TimerHandle } from '../clock/index.ts';

export class PairClock implements Clock {
  readonly #base: Clock;
  readonly #followsPeer: boolean;
  #offsetMs: number | null = null;
  #last = Number.NEGATIVE_INFINITY;

  /** `followsPeer`: true on a backup (it follows its master's clock), false on a master or independent node. */
  constructor(base: Clock, followsPeer: boolean) {
    this.#base = base;
    this.#followsPeer = followsPeer;
  }

  /** The peer's clock minus this node's, as last measured; only a backup uses it. */
  peerOffset(offsetMs: number): void {
    if (this.#followsPeer) this.#offsetMs = Math.round(offsetMs);
  }

  /**
   * The pair's time now. A backup that has not yet measured its master's clock in this run stamps with its
   * own, and those stamps are no floor for what follows (they are off by the very skew it is about to learn).
   */
  now(): number {
    const wall = this.#base.now();
    if (this.#followsPeer && this.#offsetMs === null) return wall;
    this.#last = Math.max(this.#last, wall + (this.#offsetMs ?? 0));
    return this.#last;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.#base.setTimeout(callback, delayMs);
  }

  clearTimeout(handle: TimerHandle): void {
    this.#base.clearTimeout(handle);
  }
}
