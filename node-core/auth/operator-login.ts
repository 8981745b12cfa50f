/**
 * Operator login (docs/rules.md "Trust 4": a token or an operator's session): a name and password open a
 * session whose token the API accepts like the admin token. An unknown name and a wrong password are the same
 * answer, after the same work; failures are limited per remote address.
 *
 * A session is good only while its user is: `tandem-node user remove` runs in another process and changes
 * only the database, so every check of a token reads the user back (one lookup by primary key), and while
 * sessions are open a round on the clock ends those expired or whose user is gone, so that the live sockets
 * watching them close without waiting for a request.
 */
import { systemClock, type Clock, type TimerHandle } from '../clock/index.ts';
import { LoginLimiter } from './login-limiter.ts';
import { decoyHash, verifyPassword } from './password.ts';
import { SessionStore, type Session, type SessionEndListener, type SessionUser } from './sessions.ts';

/** What login needs of the user store (node-core/store's UserStore). */
export interface UserLookup {
  get(name: string): { readonly passwordHash: string; readonly createdAt: number } | undefined;
}

export interface OperatorLoginOptions {
  /** Drives the rounds that end expired sessions and those of removed users. */
  readonly clock?: Clock;
  /** How often those rounds run while any session is open. */
  readonly checkEveryMs?: number;
}

const OPERATOR_LOGIN_DEFAULTS = { checkEveryMs: 1000 } as const;

export type LoginOutcome =
  | { readonly kind: 'ok'; readonly session: Session }
  | { readonly kind: 'refused' }
  | { readonly kind: 'limited'; readonly retryAfterMs: number };

export class OperatorLogin {
  readonly #users: UserLookup;
  readonly sessions: SessionStore;
  readonly #limiter: LoginLimiter;
  readonly #clock: Clock;
  readonly #checkEveryMs: number;
  #checkTimer: TimerHandle | null = null;
  #stopped = false;

  constructor(
    users: UserLookup,
    sessions = new SessionStore(),
    limiter = new LoginLimiter(),
    options: OperatorLoginOptions = {},
  ) {
    this.#users = users;
    this.sessions = sessions;
    this.#limiter = limiter;
    this.#clock = options.clock ?? systemClock;
    this.#checkEveryMs = options.checkEveryMs ?? OPERATOR_LOGIN_DEFAULTS.checkEveryMs;
  }

  async login(name: string, password: string, address: string): Promise<LoginOutcome> {
    const retryAfterMs = this.#limiter.retryAfterMs(address);
    if (retryAfterMs > 0) return { kind: 'limited', retryAfterMs };
    // Counted before the check and taken back on success, so attempts in flight at once count too.
    this.#limiter.failed(address);
    const user = this.#users.get(name);
    const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    if (!user || !matches) return { kind: 'refused' };
    this.#limiter.succeeded(address);
    const session = this.sessions.open(name, user.createdAt);
    this.#scheduleCheck();
    return { kind: 'ok', session };
  }

  /**
   * A session for a caller of the partner node, asked over the pair's link (partner-sessions.ts): for an
   * account of the pair, a session of that account as a login here would open (it ends when the account is
   * removed); for the partner's admin token (`account` null), a session of `PARTNER_ADMIN_USER`, a name no
   * account can have, which ends by logout, expiry or restart like any other. No password: the pair's
   * mutually trusted link vouches for the caller, so the session also ends when this node rejects the
   * certificate of `partner` (its fingerprint).
   */
  openForPartner(account: string | null, partner: string): Session | { readonly refused: string } {
    const user = account === null ? null : this.#users.get(account);
    if (account !== null && !user) return { refused: `no account "${account}" on this node yet` };
    const session = this.sessions.open(account ?? PARTNER_ADMIN_USER, user?.createdAt ?? 0, partner);
    this.#scheduleCheck();
    return session;
  }

  /**
   * Ends every session opened for the partner whose certificate is `fingerprint`: its trust was withdrawn
   * (docs/auth.md "The admin token and the pair view"). Answers how many ended.
   */
  endPartnerSessions(fingerprint: string): number {
    return this.sessions.endWhere((session) => session.grantedTo === fingerprint, 'trust-withdrawn');
  }

  /** True for the token of an open session whose user still exists (a removed user's sessions end here). */
  accepts(token: string): boolean {
    const session = this.sessions.sessionOf(token);
    if (!session) return false;
    if (this.#stillExists(session)) return true;
    this.#endSessionsOf(session);
    return false;
  }

  /** Ends the session of `token` at once; false when it was no open session. */
  logout(token: string): boolean {
    return this.sessions.close(token, 'logged-out');
  }

  /**
   * Calls `listener` once when the session of `token` ends (logout, expiry, its user removed). Returns the
   * unsubscribe, or `null` when the token is no session this login accepts.
   */
  watch(token: string, listener: SessionEndListener): (() => void) | null {
    return this.accepts(token) ? this.sessions.watch(token, listener) : null;
  }

  /** One round: ends the sessions that expired and those whose user was removed (or removed and made again). */
  checkSessions(): void {
    this.sessions.expire();
    for (const session of this.sessions.users()) {
      if (!this.#stillExists(session)) this.#endSessionsOf(session);
    }
  }

  /** No more rounds (the node stops); idempotent. Sessions stay as they are until the store is dropped. */
  stop(): void {
    this.#stopped = true;
    if (this.#checkTimer !== null) this.#clock.clearTimeout(this.#checkTimer);
    this.#checkTimer = null;
  }

  #scheduleCheck(): void {
    if (this.#stopped || this.#checkTimer !== null) return;
    this.#checkTimer = this.#clock.setTimeout(() => {
      this.#checkTimer = null;
      if (this.#stopped) return;
      try {
        this.checkSessions();
      } catch {
        // The users could not be read this round (database busy or closing): the next round tries again,
        // and every request checks its own token anyway.
      }
      if (this.sessions.size > 0) this.#scheduleCheck();
    }, this.#checkEveryMs);
  }

  #stillExists(session: SessionUser): boolean {
    if (session.user === PARTNER_ADMIN_USER) return true;
    return this.#users.get(session.user)?.createdAt === session.userCreatedAt;
  }

  #endSessionsOf(gone: SessionUser): void {
    this.sessions.endWhere(
      (s) => s.user === gone.user && s.userCreatedAt === gone.userCreatedAt,
      'user-removed',
    );
  }
}

/** What a user name may be: what an operator types, nothing that needs escaping anywhere. */
export const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const USER_NAME_RULE = 'must be 1–64 letters, digits or _ . @ -';

/**
 * The user of a session the partner's admin token asked for (docs/auth.md): it holds a space, which
 * `USER_NAME` refuses, so no account can take this name or a login open a session for it.
 */
export const PARTNER_ADMIN_USER = 'admin token';
