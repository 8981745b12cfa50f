/**
 * The dashboard's entry: finds the node and its token (the desktop app's bridge, else the URL fragment or
 * this tab's storage), builds the one API client and the state, and mounts the app. Without a token the
 * app asks an operator to log in; a login mounts it again with the session's token, and a sign-out (offered
 * for a login's session only) mounts it without one. Served by node-core (same origin) or loaded in the
 * Electron window.
 */
import './lib/zod-config.ts';
import { mount, unmount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { AccountsClient } from './lib/accounts-client.ts';
import { ConfigClient } from './lib/config-client.ts';
import { ApiClient, login, logout } from './lib/api-client.ts';
import {
  followDesktopRoutes,
  resolveConnection,
  type ConnectionWindow,
  type TokenSource,
} from './lib/connection.ts';
import { DashboardState } from './lib/dashboard-state.svelte.ts';
import { Router } from './lib/router.svelte.ts';
import {
  askPartnerSession,
  partnerDashboardUrl,
  partnerSessionForToken,
  signInCard,
  signInToPartner,
  signOutOfPartner,
} from './lib/pair-sign-in.ts';
import { forgetToken, storedPeerSession, storedUser, storePeerSession, storeToken } from './lib/session.ts';
import { signOut, type SignOutNotice } from './lib/sign-out.ts';
import { allowedPartnerOrigin, mayReadPartner } from './lib/partner-reach.ts';

const page = window as Window & ConnectionWindow;
const found = document.getElementById('app');
if (!found) throw new Error('index.html has no #app element');
const target: HTMLElement = found;

const connection = await resolveConnection(page);
// The partner origin this page's CSP allows (none for a page served before the link named one).
const partnerOrigin = allowedPartnerOrigin(document);

const router = new Router();
router.start(window);
followDesktopRoutes(page);

let dashboard: DashboardState | null = null;
let app: ReturnType<typeof mount> | null = null;

// What the sign-in card names (this node and its pair): asked once, without a token.
const signIn = await signInCard(connection.baseUrl);

function show(token: string | null, source: TokenSource | null, signedOutNotice: SignOutNotice = null): void {
  dashboard?.stop();
  // The same sign-in's session on the partner: the dashboard reads both nodes (pair-watch.svelte.ts), where
  // the page's CSP lets it (partner-reach.ts).
  const stored = token !== null && source === 'login' ? storedPeerSession(page) : null;
  const peer = stored && mayReadPartner(stored.apiUrl, partnerOrigin) ? stored : null;
  const partner = peer
    ? { apiUrl: peer.apiUrl, api: new ApiClient({ baseUrl: peer.apiUrl, token: peer.token }) }
    : undefined;
  // The admin token (desktop window, `#token=` link) asks its node for a session on the partner instead.
  const peerLinked =
    token !== null && source !== 'login' ? () => void watchPartnerWithToken(token, state) : undefined;
  const state = token
    ? new DashboardState(new ApiClient({ baseUrl: connection.baseUrl, token }), {
        config: new ConfigClient(connection.baseUrl, token),
        ...(partner ? { partner } : {}),
        ...(peerLinked ? { peerLinked } : {}),
      })
    : null;
  dashboard = state;
  dashboard?.start();
  // Only a login's session can be ended: the admin token (desktop app, `#token=` link) gets no sign-out.
  const onlogout = token !== null && source === 'login' ? () => onsignout(token) : undefined;
  const signedInAs = source === 'login' ? storedUser(page) : null;
  const partnerHref = (apiUrl: string): string => partnerDashboardUrl(apiUrl, storedPeerSession(page));
  if (app) void unmount(app);
  app = mount(App, {
    target,
    props: {
      dashboard,
      router,
      onlogin,
      onlogout,
      signedOutNotice,
      signedInAs,
      signIn,
      partnerHref,
      accounts: token ? new AccountsClient(connection.baseUrl, token) : null,
    },
  });
}

async function onlogin(name: string, password: string): Promise<void> {
  const session = await login(connection.baseUrl, name, password);
  storeToken(page, session.token, name);
  const own = new ApiClient({ baseUrl: connection.baseUrl, token: session.token });
  const peer = await signInToPartner(name, password, {
    ownStatus: () => own.status(),
    login: (apiUrl, ...rest) =>
      mayReadPartner(apiUrl, partnerOrigin)
        ? login(apiUrl, ...rest)
        : Promise.reject(new Error('the partner is out of this page’s reach')),
  });
  if (peer) storePeerSession(page, peer);
  show(session.token, 'login');
}

/**
 * The admin token (the desktop window, a `#token=` link) has no password to sign in on the partner with: once
 * the peer link is up, its node asks the partner for a session (docs/auth.md "The admin token and the pair
 * view"). The one an earlier load of this tab (or an earlier link) got is ended once the new one is in, so
 * reloads do not pile sessions up on the partner.
 */
async function watchPartnerWithToken(token: string, shown: DashboardState | null): Promise<void> {
  const previous = storedPeerSession(page);
  // A page served before the link named the partner cannot reach it (partner-reach.ts): nothing to ask for.
  if (partnerOrigin === null) return;
  const peer = await partnerSessionForToken(() => askPartnerSession(connection.baseUrl, token));
  // A partner that moved since the page was served is out of its reach too; that session ends at its expiry.
  if (!peer || !mayReadPartner(peer.apiUrl, partnerOrigin)) return;
  if (!shown || dashboard !== shown) {
    // The page moved on meanwhile: nobody reads the partner with this one.
    await signOutOfPartner(peer);
    return;
  }
  storePeerSession(page, peer);
  if (previous && previous.token !== peer.token && mayReadPartner(previous.apiUrl, partnerOrigin))
    void signOutOfPartner(previous);
  shown.watchPartner({
    apiUrl: peer.apiUrl,
    api: new ApiClient({ baseUrl: peer.apiUrl, token: peer.token }),
  });
}

async function onsignout(token: string): Promise<void> {
  const stored = storedPeerSession(page);
  const peer = stored && mayReadPartner(stored.apiUrl, partnerOrigin) ? stored : null;
  const [notice] = await Promise.all([
    signOut(
      () => logout(connection.baseUrl, token),
      () => forgetToken(page),
    ),
    signOutOfPartner(peer),
  ]);
  show(null, null, notice);
}

show(connection.token, connection.source);

window.addEventListener('pagehide', () => {
  dashboard?.stop();
  router.stop();
});

window.addEventListener('pageshow', (event) => {
  if (!event.persisted) return;
  router.start(window);
  dashboard?.start();
});
