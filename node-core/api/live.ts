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
import { systemClock, type Clock } from '../clock/index.ts';
import type { DataQueries, NodeNotices, StatusQueries } from '../node/ports.ts';
import { LIVE_AUTH_TIMEOUT_MS, LIVE_FLUSH_MS, LIVE_STATUS_EVERY_MS } from '../node/timing-bounds.ts';
import { CONFIG_KINDS, type ConfigKind, type ConfigNotice, type TagValue } from '../data/index.ts';
import { isAllowedHost } from './host-check.ts';

// The close code for a missing or wrong token or an ended session, and the messages: the wire protocol's.
import { LIVE_CLOSE_UNAUTHORIZED } from '../protocol/close-codes.ts';
import type { FailoverEvent, TagValueView } from '../protocol/api-dto.ts';
import type { LiveMessage } from '../protocol/live-messages.ts';

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
const SESSION_ENDED_REASONS: Record<SessionEndReason, string> = {
  'logged-out': 'session ended: logged out',
  expired: 'session ended: expired',
  'user-removed': 'session ended: user removed',
  evicted: 'session ended: too many sessions open',
  'trust-withdrawn': 'session ended: the partner node it was opened for is no longer trusted',
};

/** What the live socket reads of its node: the status, what the node tells, the alarms and config changes. */
export interface LivePorts {
  readonly status: Pick<StatusQueries, 'statusView'>;
  readonly notices: NodeNotices;
  readonly data: Pick<DataQueries, 'alarms' | 'watchConfig'>;
}

/** `clock`: the sockets' timers (the token's bound, the batches, the status push); the system clock by default. */
export function attachLive(
  server: Server,
  ports: LivePorts,
  admit: LiveAdmission,
  allowedNames: ReadonlySet<string>,
  clock: Clock = systemClock,
): () => void {
  const { status, notices, data } = ports;
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
    const timer = clock.setTimeout(
      () => ws.close(LIVE_CLOSE_UNAUTHORIZED, 'no auth message'),
      LIVE_AUTH_TIMEOUT_MS,
    );
    let stopWatching = (): void => undefined;
    ws.once('message', (received) => {
      clock.clearTimeout(timer);
      let message: unknown;
      try {
        message = JSON.parse((received as Buffer).toString('utf8'));
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
      ws.send(JSON.stringify({ type: 'status', status: status.statusView() }));
    });
    ws.on('close', () => {
      clock.clearTimeout(timer);
      stopWatching();
      clients.delete(ws);
    });
    ws.on('error', () => ws.terminate());
  };

  const broadcast = (message: LiveMessage): void => {
    const text = JSON.stringify(message);
    for (const ws of clients) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  };
  const pushStatus = (): void => broadcast({ type: 'status', status: status.statusView() });
  // Values are batched: a tag that changes ten times a second costs one entry per flush, not ten messages.
  const pendingValues = new Map<string, TagValueView>();
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
  const stopFlushing = every(clock, LIVE_FLUSH_MS, () => {
    if (changedKinds.size > 0) broadcast({ type: 'config', kinds: [...changedKinds] });
    changedKinds.clear();
    if (pendingValues.size > 0) broadcast({ type: 'values', values: [...pendingValues.values()] });
    if (pendingAlarms) broadcast({ type: 'alarms', alarms: data.alarms() });
    pendingValues.clear();
    pendingAlarms = false;
  });
  const pushEvent = (event: FailoverEvent): void => {
    broadcast({ type: 'event', event });
    pushStatus();
  };

  server.on('upgrade', onUpgrade);
  notices.on('status', pushStatus);
  notices.on('link', pushStatus);
  notices.on('event', pushEvent);
  notices.on('data', onData);
  const unwatchConfig = data.watchConfig(onConfig);
  // Heartbeat round trips and missed pings change without an event; a regular push keeps them current.
  const stopTicking = every(clock, LIVE_STATUS_EVERY_MS, () => clients.size > 0 && pushStatus());

  return () => {
    stopTicking();
    stopFlushing();
    notices.off('data', onData);
    unwatchConfig();
    server.off('upgrade', onUpgrade);
    notices.off('status', pushStatus);
    notices.off('link', pushStatus);
    notices.off('event', pushEvent);
    for (const ws of clients) ws.terminate();
    wss.close();
  };
}

/** Calls `task` every `periodMs` on `clock` until the answer is called. */
function every(clock: Clock, periodMs: number, task: () => void): () => void {
  let timer = clock.setTimeout(function tick() {
    timer = clock.setTimeout(tick, periodMs);
    task();
  }, periodMs);
  return () => clock.clearTimeout(timer);
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
