/**
 * Where this page finds its node and the token that opens it. In the desktop window the preload's bridge
 * (`window.tandem`, electron/shared/bridge.ts) hands over the API address and token: the node runs in the
 * same app, so its own dashboard needs no password and no token in the address. In a plain browser the
 * page's own origin is the node, and the token comes from the fragment, this tab's storage or a login.
 */
import type { DashboardRoute, TandemBridge } from '../../../electron/shared/bridge.ts';
import { storedTokenSource, takeToken, type SessionWindow, type StoredTokenSource } from './session.ts';

/** Where the page's token came from: the desktop app and a `#token=` link give the admin token, a login a session. */
export type TokenSource = 'desktop' | StoredTokenSource;

export interface PageConnection {
  /** The node's API, e.g. `http://127.0.0.1:8088`. */
  readonly baseUrl: string;
  /** `null`: no token yet, the operator logs in. */
  readonly token: string | null;
  /** True when the token came from the desktop app. */
  readonly desktop: boolean;
  /** Where the token came from (`null` with no token): only a login's session can be signed out. */
  readonly source: TokenSource | null;
}

/** The parts of `window` this file uses; `tandem` exists only in the desktop window. */
export interface ConnectionWindow extends SessionWindow {
  readonly location: SessionWindow['location'] & Pick<Location, 'origin'>;
  readonly tandem?: Pick<TandemBridge, 'getConnection' | 'onNavigate'> | undefined;
}

export async function resolveConnection(win: ConnectionWindow): Promise<PageConnection> {
  const bridge = win.tandem;
  if (bridge) {
    try {
      const { apiUrl, token } = await bridge.getConnection();
      return { baseUrl: apiUrl, token, desktop: true, source: 'desktop' };
    } catch {
      // The app cannot hand it over now (its node is stopping): the browser way still lets an operator in.
    }
  }
  const token = takeToken(win);
  return {
    baseUrl: win.location.origin,
    token,
    desktop: false,
    source: token === null ? null : storedTokenSource(win),
  };
}

/**
 * In the desktop window, the app asks for a route (a notification was clicked): the hash is set, and the
 * router follows. Returns the unsubscribe; nothing to undo in a browser.
 */
export function followDesktopRoutes(
  win: Pick<ConnectionWindow, 'tandem'> & { location: Pick<Location, 'hash'> },
): () => void {
  return (
    win.tandem?.onNavigate((route: DashboardRoute) => (win.location.hash = `#/${route}`)) ?? (() => undefined)
  );
}

/**
 * A click on a link to the pair's other node. In the desktop window a link cannot leave its node's site, so the
 * app switches the window to the partner (`openPartner`); when the app refuses (this page is the partner's, or
 * the address is not the partner's), the link is followed as in a browser. In a browser nothing is changed.
 */
export function followPartnerLink(
  event: Pick<MouseEvent, 'preventDefault'>,
  href: string,
  win: {
    readonly tandem?: Pick<TandemBridge, 'openPartner'> | undefined;
    readonly location: Pick<Location, 'assign'>;
  },
): void {
  const bridge = win.tandem;
  if (!bridge) return;
  event.preventDefault();
  bridge.openPartner(href).catch(() => win.location.assign(href));
}
