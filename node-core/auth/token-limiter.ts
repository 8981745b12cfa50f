/**
 * Wrong bearer tokens per remote address, limited like failed logins (contract.md): after `maxFailures`
 * within `windowMs` the address is refused (429) until the oldest failure leaves the window, whatever token
 * it sends then, the right one too, or a guesser would learn from the answer which guess was right.
 *
 * A wrong token counts once per window: a dashboard tab still holding a session that ended (a logout, a
 * restart of the node) sends that one token again and again, while a guesser needs a new token for every try.
 * Only a token that was sent counts; a request without one is no guess.
 */
import { createHash } from 'node:crypto';
import { LoginLimiter, LOGIN_LIMIT_DEFAULTS, type LoginLimiterOptions } from './login-limiter.ts';

export class TokenLimiter {
  readonly #limiter: LoginLimiter;
  /** When each (address, token) pair last counted, oldest first; bounded like the limiter's addresses. */
  readonly #counted = new Map<string, number>();
  readonly #windowMs: number;
  readonly #maxPairs: number;
  readonly #now: () => number;

  constructor(options: LoginLimiterOptions = {}) {
    this.#limiter = new LoginLimiter(options);
    this.#windowMs = options.windowMs ?? LOGIN_LIMIT_DEFAULTS.windowMs;
    this.#maxPairs =
      (options.maxAddresses ?? LOGIN_LIMIT_DEFAULTS.maxAddresses) *
      (options.maxFailures ?? LOGIN_LIMIT_DEFAULTS.maxFailures);
    this.#now = options.now ?? (() => Date.now());
  }

  /** Milliseconds until `address` may present a token again; 0 when it may now. */
  retryAfterMs(address: string): number {
    return this.#limiter.retryAfterMs(address);
  }

  /** `address` presented `token`, which opens nothing. */
  refused(address: string, token: string): void {
    const key = `${address} ${createHash('sha256').update(token).digest('base64url')}`;
    const now = this.#now();
    const last = this.#counted.get(key);
    if (last !== undefined && last > now - this.#windowMs) return;
    this.#counted.delete(key);
    this.#counted.set(key, now);
    while (this.#counted.size > this.#maxPairs) {
      const oldest = this.#counted.keys().next().value;
      if (oldest === undefined) break;
      this.#counted.delete(oldest);
    }
    this.#limiter.failed(address);
  }
}
