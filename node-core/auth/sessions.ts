/**
 * Operator sessions: what a login answers, accepted by the API like the admin token. Held in memory: a node
 * that restarts asks its operators to log in again. Tokens are kept by their SHA-256, so a lookup reveals
 * nothing through its timing, and a dump of the map holds no usable token.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SessionOptions {
  /** How long a session lasts from its login (no sliding: a shift, then log in again). */
  readonly ttlMs?: number;
  /** At most this many open sessions; the oldest goes first. */
  readonly maxSessions?: number;
  readonly now?: () => number;
}

export const SESSION_DEFAULTS = { ttlMs: 12 * 3_600_000, maxSessions: 1000 } as const;

export interface Session {
  readonly token: string;
  readonly user: string;
  readonly expiresAt: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, { user: string; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: SessionOptions = {}) {
    this.#ttlMs = options.ttlMs ?? SESSION_DEFAULTS.ttlMs;
    this.#max = options.maxSessions ?? SESSION_DEFAULTS.maxSessions;
    this.#now = options.now ?? (() => Date.now());
  }

  open(user: string): Session {
    this.#prune();
    while (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.#now() + this.#ttlMs;
    this.#sessions.set(digest(token), { user, expiresAt });
    return { token, user, expiresAt };
  }

  /** The user of a session that is open, or `null` (unknown, expired, or not a session token at all). */
  userOf(token: string): string | null {
    if (!token) return null;
    const key = digest(token);
    const session = this.#sessions.get(key);
    if (!session) return null;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(key);
      return null;
    }
    return session.user;
  }

  close(token: string): void {
    this.#sessions.delete(digest(token));
  }

  get size(): number {
    return this.#sessions.size;
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(key);
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
