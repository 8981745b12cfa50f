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
