/**
 * One sign-in serves both nodes of a pair (issue 15 item 1, docs/auth.md), on real `tandem-node` processes:
 * an account added on the active master signs in on the backup, the backup's API answers the master's
 * dashboard origin (CORS), and `user remove` on the master ends the user's sessions on both nodes, live
 * sockets included. An account added to a stopped backup reaches the master when the pair links.
 */
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formPair, makePair, runCli, SOURCE_CLI, waitFor, type NodeProcess, type Pair } from './harness.ts';

const PASSWORD = 'correct horse battery';

function userAdd(dataDir: string, name: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    [SOURCE_CLI, 'user', 'add', '--data-dir', dataDir, '--name', name],
    {
      input: `${PASSWORD}\n`,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function login(node: NodeProcess, name: string): Promise<{ status: number; token: string }> {
  const response = await fetch(`${node.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: PASSWORD }),
  });
  const body = (await response.json()) as { token?: string };
  return { status: response.status, token: body.token ?? '' };
}

const as = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** A live socket signed in with `token`, once the node sent its first status; resolves when it closes. */
async function openLive(
  node: NodeProcess,
  token: string,
): Promise<{ closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${node.url.replace('http', 'ws')}/api/live`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.once('message', () => resolve());
    void closed.then(({ code }) => reject(new Error(`live closed ${code} before its first status`)));
  });
  return { closed };
}

describe('accounts replicated with the pair', () => {
  let pair: Pair;

  beforeAll(async () => {
    pair = await formPair(await makePair());
  }, 60_000);

  afterAll(async () => {
    await pair?.stop();
  });

  it('a user added on the master signs in on the backup; the backup refuses it on its CLI as a standby', async () => {
    const added = userAdd(pair.master.dataDir, 'ops');
    expect(added.stderr).toBe('');
    expect(added.stdout.trim()).toBe(
      'User "ops" added: it can log in to the dashboard of both nodes of the pair.',
    );
    // Answered once the backup stored it: signing in there works at once.
    const onBackup = await login(pair.backup, 'ops');
    expect(onBackup.status).toBe(200);
    expect((await pair.backup.api('GET', '/api/session', undefined, as(onBackup.token))).body).toMatchObject({
      user: 'ops',
    });
    expect(runCli(['user', 'list', '--data-dir', pair.backup.dataDir]).stdout).toMatch(/^ops {2}\d{4}-/);

    const onStandby = userAdd(pair.backup.dataDir, 'night-shift');
    expect(onStandby.code).toBe(1);
    expect(onStandby.stderr).toContain(`the active node is at ${pair.master.url}`);
    expect((await login(pair.master, 'night-shift')).status).toBe(401);
  });

  it("the backup answers the master's dashboard origin (CORS), and only that one", async () => {
    const { token } = await login(pair.backup, 'ops');
    const preflight = await fetch(`${pair.backup.url}/api/status`, {
      method: 'OPTIONS',
      headers: { origin: pair.master.url, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(pair.master.url);
    const read = await fetch(`${pair.backup.url}/api/status`, {
      headers: { origin: pair.master.url, ...as(token) },
    });
    expect(read.headers.get('access-control-allow-origin')).toBe(pair.master.url);
    const other = await fetch(`${pair.backup.url}/api/status`, {
      headers: { origin: 'http://127.0.0.1:1', ...as(token) },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // The master's page may connect to the backup (CSP).
    const page = await fetch(`${pair.master.url}/`);
    const csp = page.headers.get('content-security-policy');
    if (csp) {
      expect(csp).toContain(`connect-src 'self' ${pair.backup.url}`);
      // And the page is told so, in the same answer (renderer/src/lib/partner-reach.ts).
      expect(await page.text()).toContain(`<meta name="tandem-partner-origin" content="${pair.backup.url}">`);
    }
  });

  it('user remove on the master ends the sessions on both nodes: 401, live sockets closed with 4401', async () => {
    const master = await login(pair.master, 'ops');
    const backup = await login(pair.backup, 'ops');
    const masterLive = await openLive(pair.master, master.token);
    const backupLive = await openLive(pair.backup, backup.token);
    const removed = runCli(['user', 'remove', '--data-dir', pair.master.dataDir, '--name', 'ops']);
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect((await pair.master.api('GET', '/api/status', undefined, as(master.token))).status).toBe(401);
    expect(await masterLive.closed).toEqual({ code: 4401, reason: 'session ended: user removed' });
    expect(await backupLive.closed).toEqual({ code: 4401, reason: 'session ended: user removed' });
    expect((await pair.backup.api('GET', '/api/status', undefined, as(backup.token))).status).toBe(401);
    expect((await login(pair.backup, 'ops')).status).toBe(401);
    expect(runCli(['user', 'list', '--data-dir', pair.backup.dataDir]).stdout.trim()).toBe(
      'No users in this pair (add one with tandem-node user add).',
    );
  });
});

describe('an account added to a node that does not run', () => {
  let pair: Pair;

  afterAll(async () => {
    await pair?.stop();
  });

  it('reaches the other node when the pair links (merged by key)', async () => {
    pair = await makePair();
    expect(userAdd(pair.backup.dataDir, 'ops').code).toBe(0);
    await formPair(pair);
    await waitFor(
      async () => ((await login(pair.master, 'ops')).status === 200 ? true : undefined),
      10_000,
      'merged',
    );
    expect((await login(pair.backup, 'ops')).status).toBe(200);
  }, 60_000);
});
