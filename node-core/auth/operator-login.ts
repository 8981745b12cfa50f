/**
 * Operator login (behaviour.md, Trust: "a token or an operator login"): a name and password open a session
 * whose token the API accepts like the admin token. An unknown name and a wrong password are the same
 * answer, after the same work; failures are limited per remote address.
 */
import { LoginLimiter } from './login-limiter.ts';
import { decoyHash, verifyPassword } from './password.ts';
import { SessionStore, type Session } from './sessions.ts';

/** What login needs of the user store (node-core/store's UserStore). */
export interface UserLookup {
  get(name: string): { readonly passwordHash: string } | undefined;
}

export type LoginOutcome =
  | { readonly kind: 'ok'; readonly session: Session }
  | { readonly kind: 'refused' }
  | { readonly kind: 'limited'; readonly retryAfterMs: number };

export class OperatorLogin {
  readonly #users: UserLookup;
  readonly sessions: SessionStore;
  readonly #limiter: LoginLimiter;

  constructor(users: UserLookup, sessions = new SessionStore(), limiter = new LoginLimiter()) {
    this.#users = users;
    this.sessions = sessions;
    this.#limiter = limiter;
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
    return { kind: 'ok', session: this.sessions.open(name) };
  }

  /** True for the token of an open session. */
  accepts(token: string): boolean {
    return this.sessions.userOf(token) !== null;
  }
}

/** What a user name may be: what an operator types, nothing that needs escaping anywhere. */
export const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const USER_NAME_RULE = 'must be 1–64 letters, digits or _ . @ -';
