import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, OperatorLogin } from '../auth/index.ts';
import { ManualClock } from '../clock/index.ts';
import { registerLoginRoutes } from './login-routes.ts';

const ADMIN = 'admin-token-0123456789';
const PASSWORD = 'correct horse battery';

describe('POST /api/logout', () => {
  let app: FastifyInstance;
  let login: OperatorLogin;

  beforeEach(async () => {
    const users = new Map([
      ['ops', { passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }), createdAt: 1 }],
    ]);
    login = new OperatorLogin({ get: (name) => users.get(name) }, undefined, undefined, {
      clock: new ManualClock(),
    });
    app = Fastify();
    registerLoginRoutes(app, login, (token) => token === ADMIN);
  });

  afterEach(async () => {
    login.stop();
    await app.close();
  });

  const signIn = async (): Promise<string> => {
    const answer = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { name: 'ops', password: PASSWORD },
    });
    return answer.json<{ token: string }>().token;
  };
  const logout = (token: string) =>
    app.inject({ method: 'POST', url: '/api/logout', headers: { authorization: `Bearer ${token}` } });

  it('ends the session of its own token at once and answers { loggedOut: true }', async () => {
    const token = await signIn();
    const other = await signIn();
    const answer = await logout(token);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.json()).toEqual({ loggedOut: true });
    expect(login.accepts(token)).toBe(false);
    expect(login.accepts(other)).toBe(true);
  });

  it('answers 401 for a token that is no open session (already logged out, or made up)', async () => {
    const token = await signIn();
    await logout(token);
    for (const given of [token, 'made-up-token', '']) {
      const answer = await logout(given);
      expect(answer.statusCode).toBe(401);
      expect(answer.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'missing or wrong token' } });
    }
  });

  it('refuses the admin token with 400: it is not a session and cannot be ended', async () => {
    const token = await signIn();
    const answer = await logout(ADMIN);
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toEqual({
      error: {
        code: 'NOT_A_SESSION',
        message:
          'the admin token is not a session and cannot be ended; log out with the token POST /api/login answered',
      },
    });
    expect(login.accepts(token)).toBe(true);
  });
});
