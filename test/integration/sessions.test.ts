/**
 * How operator sessions end on a real node: `POST /api/logout`, the live socket closed with its session,
 * and `tandem-node user list|remove` from another process while the node runs.
 */
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_PORT, makePair, NodeProcess, type Pair, runCli, SOURCE_CLI, tempDir } from './harness.ts';

const PASSWORD = 'correct horse battery';

interface Problem {
  error: { code: string; message: string };
}

function userAdd(dataDir: string, name: string): void {
  const result = spawnSync(
    process.execPath,
    [SOURCE_CLI, 'user', 'add', '--data-dir', dataDir, '--name', name],
    {
      input: `${PASSWORD}\n`,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  if (result.status !== 0) throw new Error(`user add failed: ${result.stderr}`);
}

async function login(node: NodeProcess, name: string): Promise<string> {
  const response = await fetch(`${node.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`login answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

const as = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** A live socket signed in with `token`, once the node sent its first status. */
async function openLive(
  node: NodeProcess,
  token: string,
): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${node.url.replace('http', 'ws')}/api/live`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.once('message', () => resolve());
    void closed.then(({ code }) => reject(new Error(`live closed ${code} before its first status`)));
  });
  return { ws, closed };
}

describe('operator sessions end', () => {
  const dir = tempDir('sessions');
  let node: NodeProcess;

  beforeAll(async () => {
    userAdd(dir, 'ops');
    userAdd(dir, 'night-shift');
    node = new NodeProcess(dir, ANY_PORT, []);
    await node.start();
  });

  afterAll(async () => {
    await node.kill('SIGKILL');
  });

  it('login → logout: { loggedOut: true }, then the token answers 401; the admin token cannot log out', async () => {
    const token = await login(node, 'ops');
    expect((await node.api('GET', '/api/status', undefined, as(token))).status).toBe(200);

    const out = await node.api('POST', '/api/logout', undefined, as(token));
    expect(out).toEqual({ status: 200, body: { loggedOut: true } });
    expect((await node.api('GET', '/api/status', undefined, as(token))).status).toBe(401);
    expect((await node.api('POST', '/api/logout', undefined, as(token))).status).toBe(401);

    const admin = await node.api<Problem>('POST', '/api/logout');
    expect(admin.status).toBe(400);
    expect(admin.body.error.message).toContain('the admin token is not a session and cannot be ended');
    expect((await node.api('GET', '/api/status')).status).toBe(200);
  });

  it('the live socket of a session closes with 4401 at its logout; the admin token’s socket stays', async () => {
    const token = await login(node, 'ops');
    const operator = await openLive(node, token);
    const admin = await openLive(node, node.token);
    await node.api('POST', '/api/logout', undefined, as(token));
    expect(await operator.closed).toEqual({ code: 4401, reason: 'session ended: logged out' });
    // The admin socket is still pushed to (status at least once a second).
    await new Promise<void>((resolve) => admin.ws.once('message', () => resolve()));
    expect(admin.ws.readyState).toBe(WebSocket.OPEN);
    admin.ws.close();
  });

  it('user list shows the users; user remove ends the removed user’s sessions: 401 and its live socket closed', async () => {
    const list = runCli(['user', 'list', '--data-dir', dir]);
    expect(list.code).toBe(0);
    expect(
      list.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(['night-shift', 'ops']);
    expect(list.stdout).toMatch(/^ops\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m);

    const removed = await login(node, 'night-shift');
    const kept = await login(node, 'ops');
    const live = await openLive(node, removed);

    const remove = runCli(['user', 'remove', '--data-dir', dir, '--name', 'night-shift']);
    expect(remove.stderr).toBe('');
    expect(remove.code).toBe(0);

    // The next request is refused at once (the node reads the user back); that ends the socket too.
    expect((await node.api('GET', '/api/status', undefined, as(removed))).status).toBe(401);
    expect(await live.closed).toEqual({ code: 4401, reason: 'session ended: user removed' });
    expect((await node.api('GET', '/api/status', undefined, as(kept))).status).toBe(200);
    const again = await fetch(`${node.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'night-shift', password: PASSWORD }),
    });
    expect(again.status).toBe(401);
  });

  it('user remove of an unknown name: one line on stderr, exit 1; a bad flag: exit 2', () => {
    const unknown = runCli(['user', 'remove', '--data-dir', dir, '--name', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('tandem-node: no user "nobody" on this node');
    const bad = runCli(['user', 'remove', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(runCli(['user', 'list', '--data-dir', dir, '--verbose']).code).toBe(2);
  });
});

describe('logout on a standby', () => {
  let pair: Pair | null = null;

  afterAll(async () => {
    await pair?.stop();
  });

  it('a standby ends its own sessions itself (no 307)', async () => {
    pair = await makePair();
    userAdd(pair.backup.dataDir, 'ops');
    await pair.master.start();
    await pair.backup.start();
    await pair.backup.waitStatus(
      (s) => s.node.status === 'standby' && s.peer?.link === 'connected',
      'linked',
    );

    const token = await login(pair.backup, 'ops');
    const out = await pair.backup.api('POST', '/api/logout', undefined, as(token));
    expect(out).toEqual({ status: 200, body: { loggedOut: true } });
    expect((await pair.backup.api('GET', '/api/status', undefined, as(token))).status).toBe(401);
  });
});
