/**
 * The monitor's own API and the fleet dashboard, on one port, guarded like a node's API (docs/contract.md):
 * the bearer token for `/api/*`, the Host header naming this machine, wrong tokens rate-limited.
 * `GET /api/fleet` answers the fleet; `/api/fleet/live` pushes it on every change (first message: the token),
 * so a wall screen follows a failover as the monitor sees it. `/` is the fleet page of the dashboard build.
 */
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import Fastify from 'fastify';
import WebSocket, { WebSocketServer } from 'ws';
import { TokenLimiter } from '../auth/index.ts';
import { registerDashboardAssets } from '../api/dashboard-assets.ts';
import { isAllowedHost } from '../api/host-check.ts';
import { problem, tooManyAttempts } from '../api/problem.ts';
import { bearerToken, tokensEqual } from '../api/token.ts';
import { LIVE_CLOSE_UNAUTHORIZED } from '../protocol/close-codes.ts';
import type { FleetMonitor } from './fleet-monitor.ts';

export interface MonitorServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** The dashboard build (its `fleet.html` and `assets/`), if installed. */
  readonly dashboardDir: string | null;
}

export interface MonitorServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The fleet page's policy: like a node's dashboard, everything from this origin only. */
const FLEET_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const AUTH_TIMEOUT_MS = 5000;

export async function startMonitorServer(
  monitor: FleetMonitor,
  options: MonitorServerOptions,
): Promise<MonitorServer> {
  const app = Fastify({ logger: false });
  const limiter = new TokenLimiter();
  const allowed = new Set<string>();

  app.addHook('onRequest', async (request, reply) => {
    if (!isAllowedHost(request.headers.host, allowed))
      return reply
        .code(421)
        .send(problem('HOST_NOT_ALLOWED', `host "${request.headers.host ?? ''}" is not this monitor`));
    if (!request.url.startsWith('/api/')) return;
    const retryAfterMs = limiter.retryAfterMs(request.ip);
    if (retryAfterMs > 0)
      return tooManyAttempts(reply, retryAfterMs, () => 'too many wrong tokens from this address');
    const token = bearerToken(request.headers.authorization);
    if (!tokensEqual(token, options.token)) {
      if (token !== '') limiter.refused(request.ip, token);
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(problem('UNAUTHORIZED', 'missing or wrong token'));
    }
  });

  app.get('/api/fleet', () => monitor.view());
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(problem('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`)),
  );

  const page = options.dashboardDir ? path.join(options.dashboardDir, 'fleet.html') : null;
  app.get('/', (_request, reply) => {
    if (page && fs.existsSync(page))
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', FLEET_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(fs.readFileSync(page));
    return reply
      .header('content-type', 'text/plain; charset=utf-8')
      .send(
        'Tandem monitor is running. The fleet dashboard is not built in this installation; see GET /api/fleet.\n',
      );
  });
  registerDashboardAssets(app, options.dashboardDir);

  const detachLive = attachFleetLive(app.server, monitor, options.token, allowed);
  app.addHook('onClose', (_instance, done) => {
    detachLive();
    done();
  });

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

/** `/api/fleet/live`: the first message carries the token; then the whole fleet on every change. */
function attachFleetLive(
  server: import('node:http').Server,
  monitor: FleetMonitor,
  token: string,
  allowed: ReadonlySet<string>,
): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const clients = new Set<WebSocket>();
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (!(request.url ?? '').startsWith('/api/fleet/live')) return void socket.destroy();
    // Browsers always send Origin: only this page's own; tools send none and still need the token.
    const origin = request.headers.origin;
    const sameOrigin =
      origin === undefined || (URL.canParse(origin) && new URL(origin).host === request.headers.host);
    if (!isAllowedHost(request.headers.host, allowed) || !sameOrigin) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const timer = setTimeout(() => ws.close(LIVE_CLOSE_UNAUTHORIZED, 'no auth message'), AUTH_TIMEOUT_MS);
      ws.once('message', (data) => {
        clearTimeout(timer);
        let given: unknown;
        try {
          given = (JSON.parse((data as Buffer).toString('utf8')) as { token?: unknown }).token;
        } catch {
          given = undefined;
        }
        if (typeof given !== 'string' || !tokensEqual(given, token))
          return ws.close(LIVE_CLOSE_UNAUTHORIZED, 'missing or wrong token');
        clients.add(ws);
        ws.send(JSON.stringify({ type: 'fleet', fleet: monitor.view() }));
      });
      ws.on('close', () => {
        clearTimeout(timer);
        clients.delete(ws);
      });
      ws.on('error', () => ws.terminate());
    });
  };
  const onChange = (): void => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ type: 'fleet', fleet: monitor.view() });
    for (const ws of clients) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  };
  server.on('upgrade', onUpgrade);
  monitor.on('change', onChange);
  return () => {
    server.off('upgrade', onUpgrade);
    monitor.off('change', onChange);
    for (const ws of clients) ws.terminate();
    wss.close();
  };
}
