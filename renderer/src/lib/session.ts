/**
 * The page's token: it arrives once in the URL fragment (`/#token=…`, which never reaches a server log),
 * is kept in this tab's sessionStorage, and the fragment is replaced at once so it is not left in the
 * address bar, the history or a screenshot.
 */
const STORAGE_KEY = 'tandem.admin-token';

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
