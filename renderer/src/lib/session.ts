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
  const params =
    fragment.startsWith('token=') || fragment.includes('&token=') ? new URLSearchParams(fragment) : null;
  const fromFragment = params?.get('token')?.trim();
  if (params) {
    win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}${landingRoute}`);
  }
  if (fromFragment) {
    try {
      win.sessionStorage.setItem(STORAGE_KEY, fromFragment);
      win.sessionStorage.setItem(SOURCE_KEY, 'link');
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
export function storeToken(win: Pick<SessionWindow, 'sessionStorage'>, token: string): boolean {
  try {
    win.sessionStorage.setItem(STORAGE_KEY, token);
    win.sessionStorage.setItem(SOURCE_KEY, 'login');
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

/** Forgets this tab's token (signed out): a reload then asks for a login. */
export function forgetToken(win: Pick<SessionWindow, 'sessionStorage'>): void {
  try {
    win.sessionStorage.removeItem(STORAGE_KEY);
    win.sessionStorage.removeItem(SOURCE_KEY);
  } catch {
    // Storage disabled: nothing was kept.
  }
}
