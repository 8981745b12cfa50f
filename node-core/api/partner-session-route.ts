/**
 * `POST /api/partner-session` (no body): a session on the partner node for the caller of this one, so that a
 * dashboard opened with the admin token (the desktop window, a `#token=` link) reads the pair as the partner
 * sees it, as one opened with an account's sign-in does (docs/auth.md "The admin token and the pair view").
 * The token check in front of every API route has let the caller in; this node asks its partner over the
 * pair's peer link (node-core/auth/partner-sessions.ts) and answers the partner's API and session:
 * `{ apiUrl, token, user, expiresAt }`. The caller's own token never leaves this node.
 *
 * Every request counts against its address, as a failed login does (PARTNER_SESSION_LIMIT): each one opens a
 * session on the partner, and a flood of them would push the partner's operators' sessions out of its store.
 */
import type { FastifyInstance } from 'fastify';
import { problem, tooManyAttempts } from './problem.ts';
import { LoginLimiter, PARTNER_ADMIN_USER, type OperatorLogin, type PartnerSessions } from '../auth/index.ts';
import type { PartnerSessionView } from '../dto.ts';
import { bearerToken } from './token.ts';

export interface PartnerSessionRoutePorts {
  readonly partnerSessions: Pick<PartnerSessions, 'ask'>;
  /** False for an independent node, which has no partner to ask. */
  readonly paired: boolean;
  /** The partner's API as its hello on the link named it (`status.peer.apiUrl`); null before it linked. */
  peerApiUrl(): string | null;
  isAdminToken(token: string): boolean;
  /** Who an operator's session token is (its user is asked for on the partner). */
  readonly login: Pick<OperatorLogin, 'sessions'>;
  /** The clock of the limit on requests per address. */
  now(): number;
}

/** Requests per remote address in a window, each one counted: a dashboard asks once each time the link connects. */
const PARTNER_SESSION_LIMIT = { maxFailures: 10, windowMs: 60_000 } as const;

export function registerPartnerSessionRoute(app: FastifyInstance, ports: PartnerSessionRoutePorts): void {
  const limiter = new LoginLimiter({ ...PARTNER_SESSION_LIMIT, now: () => ports.now() });
  app.post('/api/partner-session', async (request, reply) => {
    const retryAfterMs = limiter.retryAfterMs(request.ip);
    if (retryAfterMs > 0)
      return tooManyAttempts(
        reply,
        retryAfterMs,
        (seconds) => `too many partner sessions asked from this address; try again in ${seconds} s`,
      );
    if (!ports.paired) {
      return reply.code(409).send(problem('NO_PARTNER', 'this node runs independent: it has no partner'));
    }
    const caller = callerOf(bearerToken(request.headers.authorization), ports);
    if (!caller) {
      // The token check in front of the API answers this first; kept so the route is safe on its own.
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(problem('UNAUTHORIZED', 'missing or wrong token'));
    }
    limiter.failed(request.ip);
    const answer = await ports.partnerSessions.ask(caller.account);
    const apiUrl = ports.peerApiUrl();
    switch (answer.kind) {
      case 'granted': {
        if (!apiUrl) break;
        const view: PartnerSessionView = {
          apiUrl,
          token: answer.grant.token,
          user: answer.grant.user,
          expiresAt: new Date(answer.grant.expiresAt).toISOString(),
        };
        return reply.header('cache-control', 'no-store').send(view);
      }
      case 'refused':
        return reply
          .code(409)
          .send(problem('PARTNER_REFUSED', `the partner opened no session: ${answer.reason}`));
      case 'not-offered':
        return reply
          .code(409)
          .send(
            problem(
              'PARTNER_REFUSED',
              'the partner runs an earlier version, which opens no sessions for its peer: update it',
            ),
          );
      case 'no-answer':
        return reply
          .code(503)
          .send(problem('PARTNER_NO_ANSWER', `the partner did not answer within ${answer.afterMs} ms`));
      case 'no-link':
        break;
    }
    return reply
      .code(503)
      .send(problem('PARTNER_UNREACHABLE', 'the link to the partner is down: it cannot be asked now'));
  });
}

/**
 * The account to ask for on the partner: the caller's own, or null for the admin token and for a session the
 * partner's admin token opened here (it asks for the same on the way back); null for a token that opens nothing.
 */
function callerOf(
  token: string,
  ports: PartnerSessionRoutePorts,
): { readonly account: string | null } | null {
  if (ports.isAdminToken(token)) return { account: null };
  const user = ports.login.sessions.sessionOf(token)?.user;
  if (user === undefined) return null;
  return { account: user === PARTNER_ADMIN_USER ? null : user };
}
