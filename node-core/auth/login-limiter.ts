/**
 * Failed logins per remote address in a sliding window: after `maxFailures` within `windowMs` the address
 * is refused (429) until the oldest failure leaves the window, whether its next password is right or not.
 * No timers: old entries are dropped as the limiter is used, and the number of addresses held is bounded.
 */
export interface LoginLimiterOptions {
  readonly maxFailures?: number;
  readonly windowMs?: number;
  /** Addresses remembered at most; when full, the one that failed longest ago is forgotten. */
  readonly maxAddresses?: number;
  readonly now?: () => number;
}

export const LOGIN_LIMIT_DEFAULTS = { maxFailures: 5, windowMs: 60_000, maxAddresses: 10_000 } as const;

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;

  constructor(options: LoginLimiterOptions = {}) {
    this.#max = options.maxFailures ?? LOGIN_LIMIT_DEFAULTS.maxFailures;
    this.#windowMs = options.windowMs ?? LOGIN_LIMIT_DEFAULTS.windowMs;
    this.#maxAddresses = options.maxAddresses ?? LOGIN_LIMIT_DEFAULTS.maxAddresses;
    this.#now = options.now ?? (() => Date.now());
  }

  /** Milliseconds until `address` may try again; 0 when it may try now. */
  retryAfterMs(address: string): number {
    const recent = this.#recent(address);
    if (recent.length < this.#max) return 0;
    return Math.max(1, recent[recent.length - this.#max]! + this.#windowMs - this.#now());
  }

  failed(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.#now());
    // Re-inserted, so the map's order is the order of last failure.
    this.#failures.delete(address);
    this.#failures.set(address, recent.slice(-this.#max));
    while (this.#failures.size > this.#maxAddresses) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }

  succeeded(address: string): void {
    this.#failures.delete(address);
  }

  #recent(address: string): number[] {
    const since = this.#now() - this.#windowMs;
    const recent = (this.#failures.get(address) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#failures.delete(address);
    return recent;
  }
}
