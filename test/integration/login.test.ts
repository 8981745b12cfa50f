/** Operator logins: `tandem-node user add`, `POST /api/login`, and the session token on the API and live. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_PORT, NodeProcess, runCli, SOURCE_CLI, tempDir } from './harness.ts';

const CLI = SOURCE_CLI;
const PASSWORD = 'correct horse battery';

/** `{ token, expiresAt }` on success, `{ error }` otherwise. */
interface LoginAnswer {
  token: string;
  expiresAt: string;
  error: { code: string; message: string };
}

/** The CLI with text on its stdin (the password, as an installer script would pipe it). */
function userAdd(args: string[], stdin: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, 'user', 'add', ...args], {
    input: stdin,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function login(
  node: NodeProcess,
  body: unknown,
): Promise<{ status: number; body: LoginAnswer; headers: Headers }> {
  const response = await fetch(`${node.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as LoginAnswer, headers: response.headers };
}

describe('operator login', () => {
  const dir = tempDir('login');
  let node: NodeProcess;

  beforeAll(() => {
    node = new NodeProcess(dir, ANY_PORT, []);
  });

  afterAll(async () => {
    await node.kill('SIGKILL');
  });

  it('user add refuses an empty or short password with one line and exit 2, and adds nothing', () => {
    for (const [stdin, said] of [
      ['\n', 'the password is empty'],
      ['short\n', 'the password is too short'],
    ] as const) {
      const result = userAdd(['--data-dir', dir, '--name', 'ops'], stdin);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(said);
    }
    expect(userAdd(['--data-dir', dir, '--name', 'bad name'], `${PASSWORD}\n`).stderr).toContain('--name');
    expect(runCli(['user', 'add', '--name', 'ops']).code).toBe(2);
  });

  it('user add takes the password from stdin or from a file; a second add of the name fails', () => {
    const first = userAdd(['--data-dir', dir, '--name', 'ops'], `${PASSWORD}\n`);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('User "ops" added');

    const file = path.join(tempDir('pw'), 'password');
    fs.writeFileSync(file, 'another long password\n', { mode: 0o600 });
    expect(userAdd(['--data-dir', dir, '--name', 'night-shift', '--password-file', file], '').code).toBe(0);

    const again = userAdd(['--data-dir', dir, '--name', 'ops'], 'a different password\n');
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('tandem-node: user "ops" exists already on this node');
  });

  it('a login answers a session token that opens the API and the live WebSocket', async () => {
    await node.start();
    const answer = await login(node, { name: 'ops', password: PASSWORD });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body.token).toMatch(/^[\w-]{43}$/);
    expect(Date.parse(answer.body.expiresAt)).toBeGreaterThan(Date.now());

    const status = await node.api('GET', '/api/status', undefined, {
      authorization: `Bearer ${answer.body.token}`,
    });
    expect(status.status).toBe(200);
    const settings = await node.api('GET', '/api/settings', undefined, {
      authorization: `Bearer ${answer.body.token}`,
    });
    expect(settings.status).toBe(200);

    const ws = new WebSocket(`${node.url.replace('http', 'ws')}/api/live`);
    const first = await new Promise<{ type: string }>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token: answer.body.token })));
      ws.once('message', (data) =>
        resolve(JSON.parse((data as Buffer).toString('utf8')) as { type: string }),
      );
      ws.once('close', (code) => reject(new Error(`closed ${code}`)));
    });
    ws.close();
    expect(first.type).toBe('status');

    const other = await login(node, { name: 'night-shift', password: 'another long password' });
    expect(other.status).toBe(200);
    expect(other.body.token).not.toBe(answer.body.token);
  });

  it('a wrong password and an unknown user get the same 401; a bad body gets 400', async () => {
    const wrong = await login(node, { name: 'ops', password: 'not the password' });
    const unknown = await login(node, { name: 'nobody', password: PASSWORD });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: 'LOGIN_FAILED', message: 'wrong name or password' } });
    expect(unknown.body).toEqual(wrong.body);
    const bad = await login(node, { name: 'ops' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('password');
    // A made-up bearer is no session.
    const status = await node.api('GET', '/api/status', undefined, {
      authorization: 'Bearer made-up-token-000000',
    });
    expect(status.status).toBe(401);
  });

  it('after five failures in a minute the address gets 429, even with the right password', async () => {
    // Two failures so far (previous test); three more reach the limit.
    for (let i = 0; i < 3; i++)
      expect((await login(node, { name: 'ops', password: `wrong-${i}` })).status).toBe(401);
    const limited = await login(node, { name: 'ops', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The admin token still works: the limit is on logins only.
    expect((await node.api('GET', '/api/status')).status).toBe(200);
  });

  it('sessions live in memory: after a restart the old session token is refused', async () => {
    // Failed logins are counted in memory too: a restart clears the limit reached above.
    const fresh = new NodeProcess(dir, ANY_PORT, []);
    await node.kill('SIGTERM');
    await fresh.start();
    node = fresh;
    const session = (await login(node, { name: 'night-shift', password: 'another long password' })).body
      .token;
    expect(
      (await node.api('GET', '/api/status', undefined, { authorization: `Bearer ${session}` })).status,
    ).toBe(200);
    await node.kill('SIGTERM');
    await node.start();
    expect(
      (await node.api('GET', '/api/status', undefined, { authorization: `Bearer ${session}` })).status,
    ).toBe(401);
  });
});
