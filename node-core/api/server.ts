/**
 * The admin and client API of contract.md, plus `/metrics` and the dashboard, on one port.
 * Every `/api` and `/metrics` request needs the bearer token (the admin token or an operator's session
 * token; `POST /api/login`, which opens a session, needs none; `POST /api/logout` ends the session of
 * its own token); the Host header must name this machine by address or as localhost, so that a
 * DNS-rebinding page cannot reach the API.
 */
import fs from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { problem, tooManyAttempts } from './problem.ts';
import { z } from 'zod';
import type { EventKind } from '../dto.ts';
import { systemClock, type Clock } from '../clock/index.ts';
import type { ApiPorts, SettingsMemory } from '../node/ports.ts';
import { bearerToken, tokensEqual } from './token.ts';
import { eventsToCsv } from './events-csv.ts';
import { isAllowedHost } from './host-check.ts';
import { admitTokens, attachLive } from './live.ts';
import { registerDataRoutes } from './data-routes.ts';
import { registerHistoryRoutes } from './history-routes.ts';
import { registerDashboardAssets } from './dashboard-assets.ts';
import { registerSettingsRoutes } from './settings-routes.ts';
import { isLoginRequest, registerLoginRoutes } from './login-routes.ts';
import { TokenLimiter, type OperatorLogin, type PairAccounts, type PartnerSessions } from '../auth/index.ts';
import { registerPartnerSessionRoute } from './partner-session-route.ts';
import { PartnerOrigin, type PartnerOriginMemory } from './partner-origin.ts';
import { registerSignInView, registerUserRoutes } from './user-routes.ts';
import { errorAnswer } from './error-answer.ts';
import { createLogger, type Logger } from '../logging.ts';

export interface ApiOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Extra host names operators use to reach this node (beyond IP addresses and localhost). */
  readonly allowedHostNames?: readonly string[];
  readonly bodyLimitBytes?: number;
  /** Folder of the built dashboard, if any. */
  readonly dashboardDir?: string | null;
  /** Operator logins (`POST /api/login`); their session tokens open the API like the admin token. */
  readonly login?: OperatorLogin;
  /** The pair's operator accounts (`/api/users`); with `login`. */
  readonly accounts?: PairAccounts;
  /** Sessions asked of the partner (`POST /api/partner-session`, docs/auth.md); with `login`. */
  readonly partnerSessions?: Pick<PartnerSessions, 'ask'>;
  /** Where the peer's API origin is remembered across restarts (partner-origin.ts). */
  readonly partnerOriginMemory?: PartnerOriginMemory;
  /** The clock of account creation times. */
  readonly now?: () => number;
  /** The node's saved settings (`GET`/`PUT /api/settings`). */
  readonly settingsStore?: SettingsMemory;
  /** Where the API logs every answer it gives for a failure of its own (5xx); one on stderr if none is given. */
  readonly logger?: Logger;
  /** Wrong bearer tokens per remote address: 429 after 5 within a minute, like failed logins. */
  readonly tokenLimiter?: TokenLimiter;
  /**
   * How long `close` lets requests still open finish before it cuts their connections (the node passes its
   * ping timeout, node/timing-bounds.ts): a client that never finishes a request must not hold a stopping node up.
   */
  readonly closeGraceMs?: number;
  /**
   * The clock of the API's own bounds (the close grace, the live sockets' timers): the system clock by default,
   * so that a stopping node does not wait on a manual clock that nobody advances.
   */
  readonly clock?: Clock;
}

/**
 * The longest path parameter the router takes: the longest request line Node reads (its 16 KiB header limit).
 * A name past its own limit (200 characters) then gets a 400 that names the field, where fastify's default of
 * 100 answered 414 for names the rule allows.
 */
const MAX_PARAM_LENGTH = 16 * 1024;

export interface ApiServer {
  readonly url: string;
  /** Every route it answers, as `METHOD /path/:param` (the fuzzer's coverage is checked against these). */
  readonly routes: readonly string[];
  close(): Promise<void>;
}

const fingerprintParam = z.object({
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
});
const eventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100_000).default(100),
  kind: z.string().optional(),
});

export async function startApiServer(ports: ApiPorts, options: ApiOptions): Promise<ApiServer> {
  const logger = options.logger ?? createLogger();
  const clock = options.clock ?? systemClock;
  const tokenLimiter = options.tokenLimiter ?? new TokenLimiter();
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    logger: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Every error answer in contract.md's shape `{ error: { code, message } }`, also those fastify and Node
    // give before a route runs (a URL that is no percent-encoding, bytes that are no HTTP request).
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // Routes validate with zod, never with fastify's JSON schemas: without this, fastify loads its Ajv and
    // serializer compilers at start (~100 ms and several MB) for nothing.
    schemaController: {
      compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler },
    },
  });
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    // HEAD routes are fastify's own copies of the GET ones.
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
  });
  const allowed = new Set((options.allowedHostNames ?? []).map((h) => h.toLowerCase()));
  const isAdminToken = (given: string): boolean => tokensEqual(given, options.token);
  const accepts = (given: string): boolean => isAdminToken(given) || (options.login?.accepts(given) ?? false);
  const partner = new PartnerOrigin(
    () => ports.status.statusView().peer?.apiUrl ?? null,
    options.partnerOriginMemory ?? null,
  );

  app.addHook('onRequest', async (request, reply) => {
    if (!isAllowedHost(request.headers.host, allowed)) {
      return reply
        .code(421)
        .send(problem('HOST_NOT_ALLOWED', `host "${request.headers.host ?? ''}" is not this node`));
    }
    if (partner.answer(request, reply)) return reply;
    const needsToken =
      request.url.startsWith('/api/') || request.url === '/metrics' || request.url.startsWith('/metrics?');
    if (!needsToken || isLoginRequest(request.method, request.url)) return;
    const retryAfterMs = tokenLimiter.retryAfterMs(request.ip);
    if (retryAfterMs > 0) {
      return tooManyAttempts(
        reply,
        retryAfterMs,
        (seconds) => `too many wrong tokens from this address; try again in ${seconds} s`,
      );
    }
    const token = bearerToken(request.headers.authorization);
    if (!accepts(token)) {
      if (token !== '') tokenLimiter.refused(request.ip, token);
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(problem('UNAUTHORIZED', 'missing or wrong token'));
    }
  });

  app.setErrorHandler((error: Error, request, reply) => {
    const answer = errorAnswer(error);
    if (answer.status >= 500) {
      logger.error(
        { err: error, method: request.method, url: request.url, status: answer.status, code: answer.code },
        `API ${request.method} ${request.routeOptions.url ?? request.url}: ${answer.message}`,
      );
    }
    if (answer.retryAfterS !== undefined) void reply.header('retry-after', String(answer.retryAfterS));
    return reply.code(answer.status).send(problem(answer.code, answer.message));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(problem('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`)),
  );

  app.get('/api/status', () => ports.status.statusView());

  app.get('/api/events', (request) => {
    const query = eventsQuery.parse(request.query);
    return ports.events.listEvents(query.limit, kinds(query.kind));
  });

  app.get('/api/events.csv', (request, reply) => {
    const query = eventsQuery.parse(request.query);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="tandem-${ports.settings.name}-events.csv"`)
      .send(eventsToCsv(ports.events.listEvents(query.limit, kinds(query.kind))));
  });

  app.get('/api/certificates', () => ports.certificates.listCertificates());

  for (const [verb, decision] of [
    ['approve', 'trusted'],
    ['reject', 'rejected'],
  ] as const) {
    app.post(`/api/certificates/:fingerprint/${verb}`, async (request, reply) => {
      const { fingerprint } = fingerprintParam.parse(request.params);
      const record = await ports.certificates.decideCertificate(fingerprint, decision);
      if (!record) return reply.code(404).send(problem('NOT_FOUND', `no certificate ${fingerprint}`));
      return { fingerprint, state: record.state, sharedWithPeer: record.shared };
    });
  }

  app.post('/api/redundancy/switchover', async () => {
    return { requested: true, ...(await ports.redundancy.switchOver()) };
  });

  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', ports.metrics.contentType).send(await ports.metrics.scrape()),
  );

  registerDataRoutes(app, ports);
  registerHistoryRoutes(app, ports.history, {
    tagExists: (tag) => ports.data.tagDefinition(tag) !== undefined,
  });
  registerSettingsRoutes(app, ports.settings, options.settingsStore);
  if (options.login) registerLoginRoutes(app, options.login, isAdminToken);
  if (options.login && options.accounts) {
    registerUserRoutes(app, {
      status: ports.status,
      commands: ports.commands,
      accounts: options.accounts,
      login: options.login,
      now: options.now ?? Date.now,
    });
  }
  if (options.login && options.partnerSessions) {
    registerPartnerSessionRoute(app, {
      partnerSessions: options.partnerSessions,
      paired: ports.settings.mode !== 'independent',
      peerApiUrl: () => ports.status.statusView().peer?.apiUrl ?? null,
      isAdminToken,
      login: options.login,
      now: options.now ?? Date.now,
    });
  }
  registerSignInView(app, ports.settings);
  registerDashboard(app, options.dashboardDir ?? null, () => partner.get());
  registerDashboardAssets(app, options.dashboardDir ?? null);

  const detachLive = attachLive(app.server, ports, admitTokens(isAdminToken, options.login), allowed, clock);
  app.addHook('onClose', (_instance, done) => {
    detachLive();
    done();
  });

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`,
    routes,
    close: async () => {
      const cut = clock.setTimeout(() => app.server.closeAllConnections(), options.closeGraceMs ?? 0);
      try {
        await app.close();
      } finally {
        clock.clearTimeout(cut);
      }
    },
  };
}

/**
 * The page itself: never cached (its asset names change with every build), and a strict CSP: scripts and
 * styles from this origin only, no inline script, connections to this origin (API and live WebSocket) and to
 * the partner's API (partner-origin.ts), which the dashboard reads to show the pair when this node stops.
 */
function dashboardCsp(partnerOrigin: string | null): string {
  const connect = partnerOrigin ? `connect-src 'self' ${partnerOrigin}` : "connect-src 'self'";
  return DASHBOARD_CSP.replace("connect-src 'self'", connect);
}

/**
 * The page is told which partner origin its CSP lets it connect to (`<meta name="tandem-partner-origin">`,
 * written with the policy in the same answer): a page loaded before the link named the partner must not try
 * to read it, which the browser would refuse with a CSP violation (renderer/src/lib/partner-reach.ts).
 */
function withPartnerMeta(html: string, partner: string | null): string {
  const escaped = (partner ?? '').replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return html.replace('</head>', `<meta name="tandem-partner-origin" content="${escaped}"></head>`);
}

const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function registerDashboard(
  app: FastifyInstance,
  dir: string | null,
  partnerOrigin: () => string | null,
): void {
  const index = dir ? path.join(dir, 'index.html') : null;
  app.get('/', (_request, reply) => {
    if (index && fs.existsSync(index)) {
      const partner = partnerOrigin();
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', dashboardCsp(partner))
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(withPartnerMeta(fs.readFileSync(index, 'utf8'), partner));
    }
    return reply
      .header('content-type', 'text/plain; charset=utf-8')
      .send(
        'Tandem node is running. The dashboard is not built in this installation; the API is under /api.\n',
      );
  });
}

function noSchemaCompiler(): () => never {
  return () => {
    throw new Error('route schemas are not used in Tandem: validate with zod in the handler');
  };
}

/** A URL the router cannot take (a `%` that starts no escape): 400 in the contract's shape. */
function answerFrameworkError(error: FastifyError, _request: unknown, reply: FastifyReply): void {
  void reply.code(400).send(problem('BAD_URL', `the URL is not valid: ${error.message.slice(0, 200)}`));
}

/**
 * Bytes Node cannot read as a request (a bad request line, a header too large): one answer in the contract's
 * shape, then the connection closes. No body for HEAD, whose answer has none (fastify's default sends one,
 * which the client then reads as the start of its next answer).
 */
function answerClientError(error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'the request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time']
        : [400, 'BAD_REQUEST', 'the request is not valid HTTP'];
  const head = Buffer.isBuffer(error.rawPacket) && error.rawPacket.toString('latin1', 0, 5) === 'HEAD ';
  const body = head ? '' : JSON.stringify(problem(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function kinds(value: string | undefined): EventKind[] | undefined {
  return value ? (value.split(',').filter(Boolean) as EventKind[]) : undefined;
}
