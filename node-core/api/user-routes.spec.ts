/**
 * /api/users and /api/session on a real config store (SQLite) behind a stand-in node: what each answer says,
 * and that a removed account's session ends at once. The replication itself: test/integration/pair-accounts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OperatorLogin, PairAccounts } from '../auth/index.ts';
import { ManualClock } from '../clock/index.ts';
import { ConfigStore, type ConfigKind } from '../data/index.ts';
import type { RoleQueries } from '../node/ports.ts';
import { MetaStore, openDatabase, type Db } from '../store/index.ts';
import { errorAnswer } from './error-answer.ts';
import { registerLoginRoutes } from './login-routes.ts';
import { registerSignInView, registerUserRoutes, type UserRoutesPorts } from './user-routes.ts';

const PASSWORD = 'correct horse battery';

describe('/api/users', () => {
  let dir = '';
  let db: Db;
  let app: FastifyInstance;
  let login: OperatorLogin;
  let status: 'active' | 'standby' = 'active';

  beforeEach(async () => {
    status = 'active';
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-user-routes-'));
    db = openDatabase(dir);
    const config = new ConfigStore(db, new MetaStore(db));
    const accounts = new PairAccounts(config);
    const role: RoleQueries = {
      get status() {
        return status;
      },
      activePeerApiUrl: () => 'http://10.0.0.12:8088',
    };
    const commands: UserRoutesPorts['commands'] = {
      putConfig: (kind: ConfigKind, key: string, definition: unknown) =>
        Promise.resolve(void config.commitLocal('put', kind, key, definition, 1, 'node-a', 1)),
      deleteConfig: (kind: ConfigKind, key: string) => {
        if (config.get(kind, key) === undefined) return Promise.resolve(false);
        config.commitLocal('delete', kind, key, null, 1, 'node-a', 2);
        return Promise.resolve(true);
      },
    };
    login = new OperatorLogin(accounts, undefined, undefined, { clock: new ManualClock() });
    app = Fastify();
    app.setErrorHandler((error: Error, _request, reply) => {
      const answer = errorAnswer(error);
      return reply.code(answer.status).send({ error: { code: answer.code, message: answer.message } });
    });
    registerLoginRoutes(app, login, (token) => token === 'admin');
    registerUserRoutes(app, {
      status: role,
      commands,
      accounts,
      login,
      now: () => Date.parse('2025-06-01T03:00:00Z'),
    });
    registerSignInView(app, { name: 'line-1', mode: 'master' });
    await app.ready();
  });

  afterEach(async () => {
    login.stop();
    await app.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const add = (name: string, password = PASSWORD) =>
    app.inject({ method: 'POST', url: '/api/users', payload: { name, password } });
  const signIn = async (name: string): Promise<string> =>
    (await app.inject({ method: 'POST', url: '/api/login', payload: { name, password: PASSWORD } })).json<{
      token: string;
    }>().token;

  it('adds an account (201), lists it without its hash, refuses it twice (409)', async () => {
    const added = await add('ops');
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({ name: 'ops', createdAt: '2025-06-01T03:00:00.000Z' });
    const list = await app.inject({ url: '/api/users' });
    expect(list.json()).toEqual([{ name: 'ops', createdAt: '2025-06-01T03:00:00.000Z' }]);
    expect(list.body).not.toContain('scrypt');
    const again = await add('ops');
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({
      error: { code: 'USER_EXISTS', message: 'user "ops" exists already in this pair' },
    });
  });

  it('refuses a short password or a bad name with 400 naming the field; nothing is added', async () => {
    const short = await add('ops', 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json<{ error: { message: string } }>().error.message).toContain(
      'password: the password is too short',
    );
    expect((await add('bad name')).json<{ error: { message: string } }>().error.message).toMatch(/^name: /);
    expect((await app.inject({ url: '/api/users' })).json()).toEqual([]);
  });

  it('removes an account: its session ends at once; an unknown name is 404', async () => {
    await add('ops');
    const token = await signIn('ops');
    const session = await app.inject({ url: '/api/session', headers: { authorization: `Bearer ${token}` } });
    expect(session.json()).toMatchObject({ user: 'ops' });
    // What a live socket of the session watches: told at the removal, not at the session's next request.
    const ended = vi.fn();
    login.watch(token, ended);
    const removed = await app.inject({ method: 'DELETE', url: '/api/users/ops' });
    expect(removed.json()).toEqual({ name: 'ops', removed: true });
    expect(ended).toHaveBeenCalledExactlyOnceWith('user-removed');
    expect(login.accepts(token)).toBe(false);
    const unknown = await app.inject({ method: 'DELETE', url: '/api/users/ops' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('USER_NOT_FOUND');
  });

  it('on a standby, changes go to the active node (307); reads answer here', async () => {
    status = 'standby';
    const answer = await add('ops');
    expect(answer.statusCode).toBe(307);
    expect(answer.headers['location']).toBe('http://10.0.0.12:8088/api/users');
    expect((await app.inject({ method: 'DELETE', url: '/api/users/ops' })).statusCode).toBe(307);
    expect((await app.inject({ url: '/api/users' })).statusCode).toBe(200);
  });

  it('GET /api/session names nobody for the admin token; GET /api/login names the node and the pair', async () => {
    const admin = await app.inject({ url: '/api/session', headers: { authorization: 'Bearer admin' } });
    expect(admin.json()).toEqual({ user: null, expiresAt: null });
    expect((await app.inject({ url: '/api/login' })).json()).toEqual({ name: 'line-1', mode: 'master' });
  });
});
