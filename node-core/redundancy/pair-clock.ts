/**
 * The clock the pair records by (docs/redundancy.md "Clock skew"): the master's. The master stamps with its
 * own clock; the backup with its own plus the measured offset of the master's, so both nodes put what they
 * record on one timeline, also across a failover (the backup keeps the last offset it measured while the
 * master is away). It never runs backwards on a node once it knows the master's clock, and never stands
 * still: behind its last stamp (a smaller estimate, a clock set back), it runs on from that stamp at half the
 * base clock's pace, so the estimate catches up in twice the gap. Held still, every record of those minutes
 * had one time, and a history keyed by tag and time kept one sample of each tag (chaos seeds 293741, 293760).
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
  /** Since when (base clock) and from which stamp it runs at half pace; null while on the estimate. */
  #behind: { readonly since: number; readonly from: number } | null = null;

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
   * A time the node recorded before this run (its newest stored value): the clock goes on from there rather
   * than back, if the base clock was set back while the node was down.
   */
  startAfter(recordedMs: number): void {
    this.#last = Math.max(this.#last, recordedMs);
  }

  /**
   * The pair's time now. A backup that has not yet measured its master's clock in this run stamps with its
   * own, and those stamps are no floor for what follows (they are off by the very skew it is about to learn).
   */
  now(): number {
    const wall = this.#base.now();
    if (this.#followsPeer && this.#offsetMs === null) return wall;
    const estimate = wall + (this.#offsetMs ?? 0);
    if (estimate > this.#last) {
      this.#behind = null;
      this.#last = estimate;
      return estimate;
    }
    this.#behind ??= { since: wall, from: this.#last };
    const halfPace = this.#behind.from + Math.floor(Math.max(0, wall - this.#behind.since) / 2);
    this.#last = Math.max(this.#last, halfPace);
    return this.#last;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.#base.setTimeout(callback, delayMs);
  }

  clearTimeout(handle: TimerHandle): void {
    this.#base.clearTimeout(handle);
  }
}
