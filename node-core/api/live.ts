/**
 * `/api/live`: status and failover events pushed over a WebSocket, so the dashboard never polls.
 * A browser cannot set headers on a WebSocket, so the first message carries the token (the admin token or
 * an operator's session token: `admit` decides); the Origin must be
 * this node's own (a foreign page cannot open it even with a stolen token in hand).
 * A socket opened with a session token closes (4401) when that session ends, so a logout, an expiry or a
 * removed user stops the stream too; the admin token's sockets stay.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { OperatorLogin, SessionEndReason } from '../auth/index.ts';
import type { TandemNode } from '../node/tandem-node.ts';
import { CONFIG_KINDS, type ConfigKind, type ConfigNotice, type TagValue } from '../data/index.ts';
import { isAllowedHost } from './host-check.ts';

const AUTH_TIMEOUT_MS = 5000;
const LIVE_FLUSH_MS = 100;

/** The close code for a missing or wrong token, and for a session that ended (the dashboard signs out). */
export const LIVE_CLOSE_UNAUTHORIZED = 4401;

/**
 * Lets a token in: `null` refuses it; otherwise the answer is the unsubscribe of a watch that calls
 * `ended` once if the token's session ends (never, for the admin token).
 */
export type LiveAdmission = (token: string, ended: (reason: SessionEndReason) => void) => (() => void) | null;

/** The admission the API uses: the admin token never ends; a session's socket is told when its session does. */
export function admitTokens(
  isAdminToken: (token: string) => boolean,
  login: Pick<OperatorLogin, 'watch'> | undefined,
): LiveAdmission {
  return (token, ended) => (isAdminToken(token) ? () => undefined : (login?.watch(token, ended) ?? null));
}

/** The close reason a socket gets when its session ends (at most 123 bytes, as WebSocket allows). */
export const SESSION_ENDED_REASONS: Record<SessionEndReason, string> = {
  'logged-out': 'session ended: logged out',
  expired: 'session ended: expired',
  'user-removed': 'session ended: user removed',
  evicted: 'session ended: too many sessions open',
};

export function attachLive(
  server: Server,
  node: TandemNode,
  admit: LiveAdmission,
  allowedNames: ReadonlySet<string>,
): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node's HTTP server takes its error listener off a socket it hands over for an upgrade: a client that
    // resets the connection while it is refused (403) or upgraded must end that socket, not the process.
    socket.on('error', () => socket.destroy());
    const url = request.url ?? '';
    if (!url.startsWith('/api/live')) return void socket.destroy();
    if (!isAllowedHost(request.headers.host, allowedNames) || !sameOrigin(request)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => adopt(ws));
  };

  const adopt = (ws: WebSocket): void => {
    const timer = setTimeout(() => ws.close(LIVE_CLOSE_UNAUTHORIZED, 'no auth message'), AUTH_TIMEOUT_MS);
    let stopWatching = (): void => undefined;
    ws.once('message', (data) => {
      clearTimeout(timer);
      let message: unknown;
      try {
        message = JSON.parse((data as Buffer).toString('utf8'));
      } catch {
        message = null;
      }
      const given =
        typeof message === 'object' && message !== null ? (message as { token?: unknown }).token : undefined;
      const watch =
        typeof given === 'string'
          ? admit(given, (reason) => {
              clients.delete(ws);
              ws.close(LIVE_CLOSE_UNAUTHORIZED, SESSION_ENDED_REASONS[reason]);
            })
          : null;
      if (!watch) {
        ws.close(LIVE_CLOSE_UNAUTHORIZED, 'missing or wrong token');
        return;
      }
      stopWatching = watch;
      clients.add(ws);
      ws.send(JSON.stringify({ type: 'status', status: node.statusView() }));
    });
    ws.on('close', () => {
      clearTimeout(timer);
      stopWatching();
      clients.delete(ws);
    });
    ws.on('error', () => ws.terminate());
  };

  const broadcast = (message: unknown): void => {
    const text = JSON.stringify(message);
    for (const ws of clients) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  };
  const pushStatus = (): void => broadcast({ type: 'status', status: node.statusView() });
  // Values are batched: a tag that changes ten times a second costs one entry per flush, not ten messages.
  const pendingValues = new Map<string, { name: string; value: unknown; quality: string; ts: string }>();
  let pendingAlarms = false;
  const onData = (values: readonly TagValue[], alarms: readonly unknown[]): void => {
    if (clients.size === 0) return;
    for (const v of values)
      pendingValues.set(v.name, {
        name: v.name,
        value: v.value,
        quality: v.quality,
        ts: new Date(v.ts).toISOString(),
      });
    if (alarms.length > 0) pendingAlarms = true;
  };
  // Config changes reach dashboards as the kinds that changed, once per flush, however many changes there were:
  // a dashboard fetches its tag list again instead of showing tags that are gone and missing new ones.
  const changedKinds = new Set<ConfigKind>();
  const onConfig = (change: ConfigNotice): void => {
    if (clients.size === 0) return;
    for (const kind of change === 'all' ? CONFIG_KINDS : [change.kind]) changedKinds.add(kind);
    // An alarm rule made or deleted adds or removes an alarm: every alarm goes out again.
    if (change === 'all' || change.kind === 'alarm-rule') pendingAlarms = true;
  };
  const flush = setInterval(() => {
    if (changedKinds.size > 0) broadcast({ type: 'config', kinds: [...changedKinds] });
    changedKinds.clear();
    if (pendingValues.size > 0) broadcast({ type: 'values', values: [...pendingValues.values()] });
    if (pendingAlarms) broadcast({ type: 'alarms', alarms: node.data.alarms.list() });
    pendingValues.clear();
    pendingAlarms = false;
  }, LIVE_FLUSH_MS);
  flush.unref();
  const pushEvent = (event: unknown): void => {
    broadcast({ type: 'event', event });
    pushStatus();
  };

  server.on('upgrade', onUpgrade);
  node.on('status', pushStatus);
  node.on('link', pushStatus);
  node.on('event', pushEvent);
  node.on('data', onData);
  const unwatchConfig = node.data.config.watch(onConfig);
  // Heartbeat round trips and missed pings change without an event; one push a second keeps them current.
  const ticker = setInterval(() => clients.size > 0 && pushStatus(), 1000);
  ticker.unref();

  return () => {
    clearInterval(ticker);
    clearInterval(flush);
    node.off('data', onData);
    unwatchConfig();
    server.off('upgrade', onUpgrade);
    node.off('status', pushStatus);
    node.off('link', pushStatus);
    node.off('event', pushEvent);
    for (const ws of clients) ws.terminate();
    wss.close();
  };
}

/** Browsers always send Origin; tools (no Origin) are fine, since they still need the token. */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
