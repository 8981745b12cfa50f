/**
 * The page's token in a browser: it arrives once in the URL fragment (`/#token=…`, which never reaches a
 * server log) or from an operator's login, is kept in this tab's sessionStorage, and the fragment is
 * replaced at once so it is not left in the address bar, the history or a screenshot. (In the desktop
 * window the token comes over the bridge instead: connection.ts.)
 *
 * Where the token came from is kept beside it: only a login's session token can be signed out, since a
 * `#token=` link carries the admin token, which is no session.
 */
const STORAGE_KEY = 'tandem.admin-token';
const SOURCE_KEY = 'tandem.token-source';
const USER_KEY = 'tandem.user';
const PEER_KEY = 'tandem.peer-session';

/** How a browser tab got its token: a `#token=` link (the admin token) or an operator's login (a session). */
export type StoredTokenSource = 'link' | 'login';

/** Signs an operator in with a name and password; rejects with an `ApiError` (401, 429, …) when it cannot. */
export type LoginHandler = (name: string, password: string) => Promise<void>;

/**
 * Signs the operator out: ends the session on the node, forgets the token and shows the sign-in screen.
 * Never rejects: a node that cannot be told is said on the sign-in screen (sign-out.ts).
 */
export type LogoutHandler = () => Promise<void>;

export interface SessionWindow {
  readonly location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  readonly sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  readonly history: Pick<History, 'replaceState'>;
}

/** Reads the token from the fragment (storing it) or from this tab's storage; `null` when there is none. */
export function takeToken(win: SessionWindow, landingRoute = '#/overview'): string | null {
  const fragment = win.location.hash.replace(/^#/, '');
  const params = /(^|&)(token|session)=/.test(fragment) ? new URLSearchParams(fragment) : null;
  // `#session=…&user=…`: an operator's session on this node, handed over by the partner's dashboard
  // (pair-sign-in.ts), which signs out like a login; `#token=…`: the admin token.
  const session = params?.get('session')?.trim();
  const fromFragment = session || params?.get('token')?.trim();
  if (params) {
    win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}${landingRoute}`);
  }
  if (fromFragment) {
    try {
      win.sessionStorage.setItem(STORAGE_KEY, fromFragment);
      win.sessionStorage.setItem(SOURCE_KEY, session ? 'login' : 'link');
      const user = params?.get('user');
      if (session && user) win.sessionStorage.setItem(USER_KEY, user);
    } catch {
      // Storage disabled: the token still works for this page load.
    }
    return fromFragment;
  }
  try {
    return win.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * Keeps a token that came another way (an operator's login) for this tab, where `takeToken` finds it on a
 * reload. False when storage is disabled: the token then lasts for this page load only.
 */
export function storeToken(win: Pick<SessionWindow, 'sessionStorage'>, token: string, user: string): boolean {
  try {
    win.sessionStorage.setItem(STORAGE_KEY, token);
    win.sessionStorage.setItem(SOURCE_KEY, 'login');
    win.sessionStorage.setItem(USER_KEY, user);
    return true;
  } catch {
    return false;
  }
}

/**
 * How the stored token came: `login` only when a login stored it; a `#token=` link, or a token stored before
 * the source was kept, counts as the link's admin token (never offered a sign-out it cannot have).
 */
export function storedTokenSource(win: Pick<SessionWindow, 'sessionStorage'>): StoredTokenSource {
  try {
    return win.sessionStorage.getItem(SOURCE_KEY) === 'login' ? 'login' : 'link';
  } catch {
    return 'link';
  }
}

/** The operator this tab signed in as (a login's session), or `null`. */
export function storedUser(win: Pick<SessionWindow, 'sessionStorage'>): string | null {
  try {
    return storedTokenSource(win) === 'login' ? win.sessionStorage.getItem(USER_KEY) : null;
  } catch {
    return null;
  }
}

/**
 * The session the same sign-in opened on the partner node (pair-sign-in.ts): its API and token, with which
 * the dashboard reads the pair as the partner sees it, and opens the partner's dashboard signed in.
 */
export interface PeerSession {
  readonly apiUrl: string;
  readonly token: string;
  readonly user: string;
}

export function storePeerSession(win: Pick<SessionWindow, 'sessionStorage'>, peer: PeerSession): void {
  try {
    win.sessionStorage.setItem(PEER_KEY, JSON.stringify(peer));
  } catch {
    // Storage disabled: the partner is read for this page load only.
  }
}

export function storedPeerSession(win: Pick<SessionWindow, 'sessionStorage'>): PeerSession | null {
  try {
    const value: unknown = JSON.parse(win.sessionStorage.getItem(PEER_KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return null;
    const { apiUrl, token, user } = value as Record<string, unknown>;
    return typeof apiUrl === 'string' && typeof token === 'string' && typeof user === 'string'
      ? { apiUrl, token, user }
      : null;
  } catch {
    return null;
  }
}

/** Forgets this tab's token (signed out), and the partner's session: a reload then asks for a login. */
export function forgetToken(win: Pick<SessionWindow, 'sessionStorage'>): void {
  try {
    win.sessionStorage.removeItem(STORAGE_KEY);
    win.sessionStorage.removeItem(SOURCE_KEY);
    win.sessionStorage.removeItem(USER_KEY);
    win.sessionStorage.removeItem(PEER_KEY);
  } catch {
    // Storage disabled: nothing was kept.
  }
}
