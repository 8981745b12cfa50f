/**
 * When the edge node tries the broker again after a session failed: one timer, and pauses that grow with
 * failures in a row, from the ping rate up to the failover time, spread by ±25 % (protocol/backoff.ts) so the
 * edge nodes of a plant do not all reconnect in step to a broker that comes back. A born session starts the
 * pauses over.
 */
import { BackoffSchedule } from '../../protocol/backoff.ts';
import type { Clock, TimerHandle } from '../../clock/index.ts';
import type { Timing } from '../../redundancy/index.ts';

export class SessionRetry {
  readonly #clock: Clock;
  readonly #backoff: BackoffSchedule;
  readonly #takenOverMs: number;
  #timer: TimerHandle | null = null;

  constructor(clock: Clock, timing: Pick<Timing, 'pingRateMs' | 'failoverTimeMs'>, random: () => number) {
    const { pingRateMs, failoverTimeMs } = timing;
    this.#clock = clock;
    this.#backoff = new BackoffSchedule({
      baseMs: pingRateMs,
      maxMs: Math.max(pingRateMs, failoverTimeMs),
      random,
    });
    this.#takenOverMs = Math.max(pingRateMs, failoverTimeMs);
  }

  /**
   * Runs `attempt` after the next pause. Taken over: the other node holds the edge node; it is let be for a
   * failover time.
   */
  schedule(attempt: () => void, takenOver = false): void {
    this.cancel();
    const pause = takenOver ? this.#takenOverMs : this.#backoff.next();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      attempt();
    }, pause);
  }

  /** A session was born: the next failure waits the shortest pause again. */
  succeeded(): void {
    this.#backoff.reset();
  }

  cancel(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
