/**
 * Operator sessions: what a login answers, accepted by the API like the admin token. Held in memory: a node
 * that restarts asks its operators to log in again. Tokens are kept by their SHA-256, so a lookup reveals
 * nothing through its timing, and a dump of the map holds no usable token.
 *
 * A session ends by logout, by expiry, when its user is removed, or when the store is full and it is the
 * oldest; whoever watches it (a live socket) is told once, with the reason. The store sets no timers:
 * `expire()` ends the sessions whose time is up, and its owner (OperatorLogin) calls it on its clock.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SessionOptions {
  /** How long a session lasts from its login (no sliding: a shift, then log in again). */
  readonly ttlMs?: number;
  /** At most this many open sessions; the oldest goes first. */
  readonly maxSessions?: number;
  readonly now?: () => number;
}

const SESSION_DEFAULTS = { ttlMs: 12 * 3_600_000, maxSessions: 1000 } as const;

export interface Session {
  readonly token: string;
  readonly user: string;
  readonly expiresAt: number;
}

/** What an open session knows of its user: the name, and when that user's login was made. */
export interface SessionUser {
  readonly user: string;
  /** A user removed and made again under the same name is another login: its old sessions must not carry over. */
  readonly userCreatedAt: number;
}

export type SessionEndReason = 'logged-out' | 'expired' | 'user-removed' | 'evicted' | 'trust-withdrawn';

/** Told once when a watched session ends. */
export type SessionEndListener = (reason: SessionEndReason) => void;

interface HeldSession extends SessionUser {
  readonly expiresAt: number;
  /** The certificate fingerprint of the partner node this session was opened for, over the pair's link. */
  readonly grantedTo: string | null;
  readonly watchers: Set<SessionEndListener>;
}

export class SessionStore {
  /** By token digest, in order of login (so the oldest is evicted first). */
  readonly #sessions = new Map<string, HeldSession>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: SessionOptions = {}) {
    this.#ttlMs = options.ttlMs ?? SESSION_DEFAULTS.ttlMs;
    this.#max = options.maxSessions ?? SESSION_DEFAULTS.maxSessions;
    this.#now = options.now ?? (() => Date.now());
  }

  open(user: string, userCreatedAt = 0, grantedTo: string | null = null): Session {
    this.expire();
    while (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#end(oldest, 'evicted');
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.#now() + this.#ttlMs;
    this.#sessions.set(digest(token), { user, userCreatedAt, expiresAt, grantedTo, watchers: new Set() });
    return { token, user, expiresAt };
  }

  /** The user of a session that is open, or `null` (unknown, expired, or not a session token at all). */
  userOf(token: string): string | null {
    return this.sessionOf(token)?.user ?? null;
  }

  /** The user behind an open session, and when it ends; or `null`. */
  sessionOf(token: string): (SessionUser & { readonly expiresAt: number }) | null {
    if (!token) return null;
    const key = digest(token);
    const session = this.#sessions.get(key);
    if (!session) return null;
    if (session.expiresAt <= this.#now()) {
      this.#end(key, 'expired');
      return null;
    }
    return { user: session.user, userCreatedAt: session.userCreatedAt, expiresAt: session.expiresAt };
  }

  /** Ends the session of `token` (a logout); false when it was not open. */
  close(token: string, reason: SessionEndReason = 'logged-out'): boolean {
    if (!token) return false;
    return this.#end(digest(token), reason);
  }

  /**
   * Calls `listener` once when the session of `token` ends. Returns the unsubscribe, or `null` when the
   * token is no open session (nothing will ever be called then).
   */
  watch(token: string, listener: SessionEndListener): (() => void) | null {
    if (this.sessionOf(token) === null) return null;
    const session = this.#sessions.get(digest(token))!;
    session.watchers.add(listener);
    return () => void session.watchers.delete(listener);
  }

  /** Ends every open session for which `test` is true (with `reason`); answers how many ended. */
  endWhere(
    test: (session: SessionUser & { expiresAt: number; grantedTo: string | null }) => boolean,
    reason: SessionEndReason,
  ): number {
    let ended = 0;
    for (const [key, session] of [...this.#sessions]) {
      if (test(session) && this.#end(key, reason)) ended += 1;
    }
    return ended;
  }

  /** Ends the sessions whose time is up; answers how many ended. */
  expire(): number {
    const now = this.#now();
    // Every session is looked at: the wall clock can step back, so login order is not trusted as expiry order.
    return this.endWhere((session) => session.expiresAt <= now, 'expired');
  }

  /** The distinct users with an open session. */
  users(): SessionUser[] {
    const seen = new Map<string, SessionUser>();
    for (const s of this.#sessions.values())
      seen.set(`${s.userCreatedAt}:${s.user}`, { user: s.user, userCreatedAt: s.userCreatedAt });
    return [...seen.values()];
  }

  get size(): number {
    return this.#sessions.size;
  }

  #end(key: string, reason: SessionEndReason): boolean {
    const session = this.#sessions.get(key);
    if (!session) return false;
    this.#sessions.delete(key);
    for (const listener of session.watchers) listener(reason);
    session.watchers.clear();
    return true;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
