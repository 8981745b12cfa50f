import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, OperatorLogin, SessionStore } from '../auth/index.ts';
import { ManualClock } from '../clock/index.ts';
import { AlarmService, AlarmStore, ConfigStore } from '../data/index.ts';
import type { StatusView } from '../dto.ts';
import type { NodeEvents } from '../node/ports.ts';
import { MetaStore, openDatabase } from '../store/index.ts';
import { admitTokens, attachLive, type LivePorts } from './live.ts';

const ADMIN = 'admin-token-0123456789';
const PASSWORD = 'correct horse battery';

/**
 * What `/api/live` reads of a node: its status, what it tells, its alarms and its config (a real store on a
 * real database, so the notices are the ones a node's changes make).
 */
function fakeNode(): LivePorts & { notices: EventEmitter<NodeEvents>; config: ConfigStore } {
  const db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-live-')));
  cleanups.push(() => void db.close());
  const config = new ConfigStore(db, new MetaStore(db));
  const alarms = new AlarmService(new AlarmStore(db), config);
  return {
    status: { statusView: () => ({ node: { name: 'test-node' } }) as StatusView },
    notices: new EventEmitter<NodeEvents>(),
    data: {
      alarms: () => alarms.list(),
      watchConfig: (listener) => config.watch(listener),
    },
    config,
  };
}

interface Socket {
  ws: WebSocket;
  messages: { type: string }[];
  closed: Promise<{ code: number; reason: string }>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const clock = new ManualClock(1_000_000);
  const users = new Map([
    ['ops', { passwordHash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }), createdAt: 1 }],
  ]);
  const login = new OperatorLogin(
    { get: (name) => users.get(name) },
    new SessionStore({ ttlMs: 60_000, now: () => clock.now() }),
    undefined,
    { clock },
  );
  const node = fakeNode();
  const server = http.createServer();
  const detach = attachLive(
    server,
    node,
    admitTokens((t) => t === ADMIN, login),
    new Set(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () => new Promise<void>((resolve) => server.close(() => resolve())),
    () => {
      detach();
      login.stop();
    },
  );
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/live`;

  /** A socket that sent its token; resolves once the node answered (first status) or closed it. */
  const open = async (token: string): Promise<Socket> => {
    const ws = new WebSocket(url);
    const messages: { type: string }[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    const answered = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        messages.push(JSON.parse((data as Buffer).toString('utf8')) as { type: string });
        resolve();
      });
      void closed.then(() => resolve());
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    await answered;
    cleanups.push(() => ws.terminate());
    return { ws, messages, closed };
  };

  const session = async (): Promise<string> => {
    const outcome = await login.login('ops', PASSWORD, '127.0.0.1');
    if (outcome.kind !== 'ok') throw new Error(`login ${outcome.kind}`);
    return outcome.session.token;
  };

  return { clock, users, login, node, open, session };
}

describe('/api/live and sessions', () => {
  it('closes a session’s socket with 4401 when the session logs out; the admin token’s socket stays', async () => {
    const { login, node, open, session } = await setup();
    const token = await session();
    const operator = await open(token);
    const admin = await open(ADMIN);
    expect(operator.messages[0]?.type).toBe('status');

    login.logout(token);
    expect(await operator.closed).toEqual({ code: 4401, reason: 'session ended: logged out' });

    const pushed = new Promise<void>((resolve) => admin.ws.once('message', () => resolve()));
    node.notices.emit('status', 'active', 'test');
    await pushed;
    expect(admin.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes the socket when its session expires', async () => {
    const { clock, open, session } = await setup();
    const operator = await open(await session());
    clock.advance(60_000);
    expect(await operator.closed).toEqual({ code: 4401, reason: 'session ended: expired' });
  });

  it('closes the socket when its user is removed from the database', async () => {
    const { clock, users, open, session } = await setup();
    const operator = await open(await session());
    users.delete('ops');
    clock.advance(1000);
    expect(await operator.closed).toEqual({ code: 4401, reason: 'session ended: user removed' });
  });

  it('refuses a token that is no session, and one logged out already', async () => {
    const { login, open, session } = await setup();
    const token = await session();
    login.logout(token);
    for (const given of ['made-up-token', token]) {
      const socket = await open(given);
      expect(await socket.closed).toEqual({ code: 4401, reason: 'missing or wrong token' });
      expect(socket.messages).toEqual([]);
    }
  });
});

describe('/api/live and config changes', () => {
  /** The next message of `type` on the socket. */
  const next = (socket: Socket, type: string): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const message = JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>;
        if (message['type'] !== type) return;
        socket.ws.off('message', onMessage);
        resolve(message);
      };
      socket.ws.on('message', onMessage);
    });

  it('tells a dashboard which kinds of config changed, once for many changes, so it fetches its tag list again', async () => {
    const { node, open } = await setup();
    const dashboard = await open(ADMIN);
    const told = next(dashboard, 'config');
    for (const name of ['pump.speed', 'pump.flow', 'tank.level'])
      node.config.commitLocal(
        'put',
        'tag',
        name,
        { dataType: 'float', source: { kind: 'memory' } },
        1,
        'me',
        0,
      );
    expect(await told).toEqual({ type: 'config', kinds: ['tag'] });
    const messages: string[] = [];
    dashboard.ws.on('message', (data) => messages.push((data as Buffer).toString('utf8')));
    await new Promise((resolve) => setTimeout(resolve, 250)); // two more flushes: nothing new to tell
    expect(messages.filter((m) => m.includes('"config"'))).toEqual([]);
  });

  it('sends every alarm again when an alarm rule is made or deleted', async () => {
    const { node, open } = await setup();
    const dashboard = await open(ADMIN);
    const told = next(dashboard, 'config');
    const alarms = next(dashboard, 'alarms');
    node.config.commitLocal('put', 'alarm-rule', 'rule-count', { tag: 'pump.speed' }, 1, 'me', 0);
    expect(await told).toEqual({ type: 'config', kinds: ['alarm-rule'] });
    expect(await alarms).toEqual({
      type: 'alarms',
      alarms: [
        {
          id: 'rule-count',
          rule: { tag: 'pump.speed' },
          active: false,
          acked: false,
          ackedBy: null,
          activatedAt: null,
          clearedAt: null,
          ackedAt: null,
        },
      ],
    });
  });
});
