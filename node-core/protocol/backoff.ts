/**
 * How long a client waits before it tries again: doubling from `baseMs` with each failed attempt, up to
 * `maxMs`, and spread by ±25 % so that clients cut off together do not all come back at the same instant
 * (a thundering herd on the node that just took over). The random source is injected, so tests and the
 * deterministic simulation choose it.
 */
export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  /** A number in [0, 1), like Math.random. */
  readonly random: () => number;
}

/** The pause before attempt `attempt + 1` (0: after the first failure). */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.75 + backoff.random() * 0.5));
}

/**
 * The pauses of one reconnect loop: each failure in a row waits longer (`backoffDelay`), and a success
 * starts over from the shortest, so a link that was up for a while comes back quickly after a blip.
 */
export class BackoffSchedule {
  readonly #backoff: Backoff;
  #failures = 0;

  constructor(backoff: Backoff) {
    this.#backoff = backoff;
  }

  /** The pause before the next attempt, after a failure. */
  next(): number {
    return backoffDelay(this.#backoff, this.#failures++);
  }

  /** After a success: the next failure waits the shortest pause again. */
  reset(): void {
    this.#failures = 0;
  }
}
