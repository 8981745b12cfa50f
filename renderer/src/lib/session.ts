/**
 * The page's token in a browser: it arrives once in the URL fragment (`/#token=…`, which never reaches a
 * server log) or from an operator's login, is kept in this tab's sessionStorage, and the fragment is
 * replaced at once so it is not left in the address bar, the history or a screenshot. (In the desktop
 * window the token comes over the bridge instead: connection.ts.)
 */
const STORAGE_KEY = 'tandem.admin-token';

/** Signs an operator in with a name and password; rejects with an `ApiError` (401, 429, …) when it cannot. */
export type LoginHandler = (name: string, password: string) => Promise<void>;

export interface SessionWindow {
  readonly location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  readonly sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
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
    return true;
  } catch {
    return false;
  }
}
