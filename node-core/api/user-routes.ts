/**
 * The pair's operator accounts on the API (docs/auth.md): `GET /api/users`, `POST /api/users` with
 * `{ name, password }`, `DELETE /api/users/{name}`; `GET /api/session` says who a token is; `GET /api/login`
 * (no token) names the node and the pair for the sign-in card. Accounts are config: they change on the
 * active node only (a standby answers 307 to it, as for every config change) and an answer of 200 means both
 * nodes hold the change. A removed account's sessions end at once here, and on the peer within its next
 * round of session checks (about a second after the change reached it).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ACCOUNT_KIND,
  hashPassword,
  passwordProblem,
  PASSWORD_MAX_LENGTH,
  USER_NAME,
  USER_NAME_RULE,
  type OperatorLogin,
  type PairAccounts,
} from '../auth/index.ts';
import type { AccountDefinition } from '../auth/index.ts';
import type { AccountView, SessionView, SignInView } from '../dto.ts';
import type { DataCommands, RoleQueries } from '../node/ports.ts';
import type { NodeSettings } from '../node/settings.ts';
import { onlyOnActive } from './data-routes.ts';
import { bearerToken } from './token.ts';

const USERS_ROUTE = '/api/users';

const nameParam = z.object({ name: z.string().regex(USER_NAME, USER_NAME_RULE) });
const addBody = z
  .object({
    name: z.string({ error: 'must be text' }).regex(USER_NAME, USER_NAME_RULE),
    password: z
      .string({ error: 'must be text' })
      .max(PASSWORD_MAX_LENGTH)
      .superRefine((password, context) => {
        const problem = passwordProblem(password);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      }),
  })
  .strict();

export interface UserRoutesPorts {
  /** The node's role: a standby redirects account changes to the active node. */
  readonly status: RoleQueries;
  /** Accounts are config: made and removed as config changes. */
  readonly commands: Pick<DataCommands, 'putConfig' | 'deleteConfig'>;
  readonly accounts: Pick<PairAccounts, 'list' | 'get'>;
  readonly login: OperatorLogin;
  readonly now: () => number;
}

export function registerUserRoutes(app: FastifyInstance, ports: UserRoutesPorts): void {
  const { commands, accounts, login, now } = ports;
  const onlyActive = onlyOnActive(ports.status);

  app.get(USERS_ROUTE, (): AccountView[] =>
    accounts.list().map((a) => ({ name: a.name, createdAt: new Date(a.createdAt).toISOString() })),
  );

  app.post(USERS_ROUTE, onlyActive, async (request, reply) => {
    const { name, password } = addBody.parse(request.body ?? {});
    if (accounts.get(name)) {
      return reply
        .code(409)
        .send({ error: { code: 'USER_EXISTS', message: `user "${name}" exists already in this pair` } });
    }
    const definition: AccountDefinition = {
      passwordHash: await hashPassword(password),
      createdAt: now(),
    };
    await commands.putConfig(ACCOUNT_KIND, name, definition);
    const answer: AccountView = { name, createdAt: new Date(definition.createdAt).toISOString() };
    return reply.code(201).send(answer);
  });

  app.delete(`${USERS_ROUTE}/:name`, onlyActive, async (request, reply) => {
    const { name } = nameParam.parse(request.params);
    if (!(await commands.deleteConfig(ACCOUNT_KIND, name))) {
      return reply
        .code(404)
        .send({ error: { code: 'USER_NOT_FOUND', message: `no user "${name}" in this pair` } });
    }
    // Its sessions on this node end now, their live sockets with them (the peer's at its next round).
    login.checkSessions();
    return { name, removed: true };
  });

  app.get('/api/session', (request): SessionView => {
    const session = login.sessions.sessionOf(bearerToken(request.headers.authorization));
    return session
      ? { user: session.user, expiresAt: new Date(session.expiresAt).toISOString() }
      : { user: null, expiresAt: null };
  });
}

/** `GET /api/login`, answered without a token: only what a sign-in card shows anyway. */
export function registerSignInView(
  app: FastifyInstance,
  settings: Pick<NodeSettings, 'name' | 'mode'>,
): void {
  app.get('/api/login', (): SignInView => ({ name: settings.name, mode: settings.mode }));
}
