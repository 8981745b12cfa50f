/**
 * `POST /api/login` with `{ name, password }`: the one API route that needs no token. Answers a session token
 * (`{ token, expiresAt }`) that the API and `/api/live` accept like the admin token. A wrong password and an
 * unknown name get the same 401; too many failures from one address in a minute get 429.
 *
 * `POST /api/logout` ends the session of its own bearer token at once (its live sockets close too). The
 * admin token is no session: it gets 400. Both are this node's own business, so a standby answers them.
 */
import type { FastifyInstance } from 'fastify';
import { tooManyAttempts } from './problem.ts';
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, type OperatorLogin } from '../auth/index.ts';
import type { LoginAnswer, LogoutAnswer } from '../dto.ts';
import { bearerToken } from './token.ts';

const LOGIN_ROUTE = '/api/login';
const LOGOUT_ROUTE = '/api/logout';

const loginBody = z
  .object({
    name: z.string({ error: 'must be text' }).min(1, { error: 'must not be empty' }).max(64, {
      error: 'must be 64 characters or fewer',
    }),
    password: z
      .string({ error: 'must be text' })
      .min(1, { error: 'must not be empty' })
      .max(PASSWORD_MAX_LENGTH, { error: `must be ${PASSWORD_MAX_LENGTH} characters or fewer` }),
  })
  .strict();

export function registerLoginRoutes(
  app: FastifyInstance,
  login: OperatorLogin,
  isAdminToken: (token: string) => boolean,
): void {
  app.post(LOGIN_ROUTE, async (request, reply) => {
    const { name, password } = loginBody.parse(request.body ?? {});
    const outcome = await login.login(name, password, request.ip);
    switch (outcome.kind) {
      case 'ok': {
        const answer: LoginAnswer = {
          token: outcome.session.token,
          expiresAt: new Date(outcome.session.expiresAt).toISOString(),
        };
        return reply.header('cache-control', 'no-store').send(answer);
      }
      case 'refused':
        return reply.code(401).send({ error: { code: 'LOGIN_FAILED', message: 'wrong name or password' } });
      case 'limited':
        return tooManyAttempts(
          reply,
          outcome.retryAfterMs,
          (seconds) => `too many failed logins from this address; try again in ${seconds} s`,
        );
    }
  });

  app.post(LOGOUT_ROUTE, (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    if (isAdminToken(token)) {
      return reply.code(400).send({
        error: {
          code: 'NOT_A_SESSION',
          message:
            'the admin token is not a session and cannot be ended; log out with the token POST /api/login answered',
        },
      });
    }
    if (!login.logout(token)) {
      // The server's token check normally answers this first; kept so the route is safe on its own.
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: { code: 'UNAUTHORIZED', message: 'missing or wrong token' } });
    }
    const answer: LogoutAnswer = { loggedOut: true };
    return reply.header('cache-control', 'no-store').send(answer);
  });
}

/**
 * True for a request to the login route itself, which is answered without a token: the login, and what the
 * sign-in card names (`GET`, user-routes.ts).
 */
export function isLoginRequest(method: string, url: string): boolean {
  return (
    (method === 'POST' || method === 'GET') && (url === LOGIN_ROUTE || url.startsWith(`${LOGIN_ROUTE}?`))
  );
}
