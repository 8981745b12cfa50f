/**
 * One sign-in serves both nodes of the pair (docs/auth.md): the accounts are the pair's config, so the name
 * and password an operator gave this node open a session on the partner too. Right after this node's login,
 * the dashboard asks this node where the partner's API is and logs in there as well; the password is used
 * for that one request and never kept. A page opened with the admin token asks this node to get it a
 * session from the partner instead (`partnerSessionForToken`). With the partner's session the dashboard
 * reads the pair as the partner sees it (pair-watch.svelte.ts) and opens the partner's dashboard signed in
 * (`#session=`).
 */
import type { PartnerSessionView, SignInView, StatusView } from '../../../node-core/dto.ts';
import { login, logout, postSession } from './api-client.ts';
import type { PeerSession } from './session.ts';

export interface PairSignInPorts {
  /** This node's status, read with the new session's token. */
  readonly ownStatus: () => Promise<StatusView>;
  readonly login: typeof login;
}

/** The partner's session, or `null` when there is no partner or it did not take the login (it is down). */
export async function signInToPartner(
  name: string,
  password: string,
  ports: PairSignInPorts,
): Promise<PeerSession | null> {
  try {
    const apiUrl = (await ports.ownStatus()).peer?.apiUrl ?? null;
    if (!apiUrl) return null;
    const session = await ports.login(apiUrl, name, password);
    return { apiUrl, token: session.token, user: name };
  } catch {
    // The partner is down, or does not hold the account yet: this node's sign-in stands on its own.
    return null;
  }
}

/**
 * `POST /api/partner-session`: a session on the partner for the holder of `token`, which this node asks the
 * partner for over the pair's link (docs/auth.md "The admin token and the pair view").
 */
export function askPartnerSession(
  baseUrl: string,
  token: string,
  fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<PartnerSessionView> {
  return postSession<PartnerSessionView>(baseUrl, '/api/partner-session', fetchImpl, {
    headers: { authorization: `Bearer ${token}` },
  });
}

/**
 * The admin token's way to the pair view (the desktop window, a `#token=` link): it has no name and password
 * to log in on the partner with, so this node asks its partner for a session (asked once the peer link is
 * up: dashboard-state's `peerLinked`). `null` when the partner cannot give one now: the dashboard then reads
 * its own node only, as before, with no error shown.
 */
export async function partnerSessionForToken(
  ask: () => Promise<PartnerSessionView>,
): Promise<PeerSession | null> {
  try {
    const { apiUrl, token, user } = await ask();
    return { apiUrl, token, user };
  } catch {
    return null;
  }
}

/** Ends the partner's session too; a partner that cannot be told keeps it until it expires. */
export async function signOutOfPartner(peer: PeerSession | null, end: typeof logout = logout): Promise<void> {
  if (!peer) return;
  await end(peer.apiUrl, peer.token).catch(() => undefined);
}

/** The partner's dashboard, signed in with the partner's session when this tab has one for it. */
export function partnerDashboardUrl(apiUrl: string, peer: PeerSession | null): string {
  const base = `${apiUrl.replace(/\/+$/, '')}/`;
  if (!peer || peer.apiUrl.replace(/\/+$/, '') !== apiUrl.replace(/\/+$/, '')) return base;
  const fragment = new URLSearchParams({ session: peer.token, user: peer.user }).toString();
  return `${base}#${fragment}`;
}

/** `GET /api/login` (no token): the node and pair the sign-in card names; null when the node does not say. */
export async function signInCard(
  baseUrl: string,
  fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<SignInView | null> {
  try {
    const response = await fetchImpl(`${baseUrl.replace(/\/+$/, '')}/api/login`, { cache: 'no-store' });
    if (!response.ok) return null;
    const body = (await response.json()) as Partial<SignInView>;
    return typeof body.name === 'string' && typeof body.mode === 'string'
      ? { name: body.name, mode: body.mode }
      : null;
  } catch {
    return null;
  }
}
