/**
 * `/api/live`: status and failover events pushed over a WebSocket, so the dashboard never polls.
 * A browser cannot set headers on a WebSocket, so the first message carries the token (the admin token or
 * an operator's session token: `accepts` decides); the Origin must be
 * this node's own (a foreign page cannot open it even with a stolen token in hand).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { TandemNode } from '../node/tandem-node.ts';
import type { TagValue } from '../data/index.ts';
import { isAllowedHost } from './host-check.ts';

const AUTH_TIMEOUT_MS = 5000;
const LIVE_FLUSH_MS = 100;

export function attachLive(
  server: Server,
  node: TandemNode,
  accepts: (token: string) => boolean,
  allowedNames: ReadonlySet<string>,
): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = request.url ?? '';
    if (!url.startsWith('/api/live')) return void socket.destroy();
    if (!isAllowedHost(request.headers.host, allowedNames) || !sameOrigin(request)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => adopt(ws));
  };

  const adopt = (ws: WebSocket): void => {
    const timer = setTimeout(() => ws.close(4401, 'no auth message'), AUTH_TIMEOUT_MS);
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
      if (typeof given !== 'string' || !accepts(given)) {
        ws.close(4401, 'missing or wrong token');
        return;
      }
      clients.add(ws);
      ws.send(JSON.stringify({ type: 'status', status: node.statusView() }));
    });
    ws.on('close', () => {
      clearTimeout(timer);
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
  const flush = setInterval(() => {
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
  // Heartbeat round trips and missed pings change without an event; one push a second keeps them current.
  const ticker = setInterval(() => clients.size > 0 && pushStatus(), 1000);
  ticker.unref();

  return () => {
    clearInterval(ticker);
    clearInterval(flush);
    node.off('data', onData);
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
