/**
 * The admin token gets the pair view too (issue 15 items 1 and 2, docs/auth.md "The admin token and the pair
 * view"), on two real `tandem-node` processes over their real TLS peer link: `POST /api/partner-session` on
 * the master, with the master's admin token, answers a session of the backup's own that opens the backup's
 * API; the backup's admin token never travels; nothing is opened without a token; the backup ends what it
 * granted when it rejects the master's certificate; and with the backup gone the answer says why.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formPair, makePair, SOURCE_CLI, type Pair } from './harness.ts';

const PASSWORD = 'correct horse battery';

interface PartnerSession {
  apiUrl: string;
  token: string;
  user: string;
  expiresAt: string;
}

interface Problem {
  error: { code: string; message: string };
}

const as = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('a session on the partner for the admin token', () => {
  let pair: Pair;

  beforeAll(async () => {
    pair = await formPair(await makePair());
  }, 60_000);

  afterAll(async () => {
    await pair?.stop();
  });

  it('with the master’s admin token: a session of the backup’s that opens its API, ends at its logout, and never the backup’s admin token', async () => {
    const asked = await pair.master.api<PartnerSession>('POST', '/api/partner-session');
    expect(asked.status).toBe(200);
    expect(Object.keys(asked.body).sort()).toEqual(['apiUrl', 'expiresAt', 'token', 'user']);
    expect(asked.body.apiUrl).toBe(pair.backup.url);
    expect(asked.body.token).toMatch(/^[\w-]{43}$/);
    expect(asked.body.user).toBe('admin token');
    // A session as long as a login's: 12 hours.
    expect(Date.parse(asked.body.expiresAt) - Date.now()).toBeGreaterThan(11.9 * 3_600_000);
    expect(JSON.stringify(asked.body)).not.toContain(pair.backup.token);
    expect(asked.body.token).not.toBe(pair.master.token);

    const { token } = asked.body;
    const status = await pair.backup.api<{ node: { mode: string } }>(
      'GET',
      '/api/status',
      undefined,
      as(token),
    );
    expect(status.status).toBe(200);
    expect(status.body.node.mode).toBe('backup');
    expect((await pair.backup.api('GET', '/api/session', undefined, as(token))).body).toMatchObject({
      user: 'admin token',
    });
    // It opens the backup only: the master does not take it.
    expect((await pair.master.api('GET', '/api/status', undefined, as(token))).status).toBe(401);
    // A session like any other: its logout ends it.
    expect((await pair.backup.api('POST', '/api/logout', undefined, as(token))).status).toBe(200);
    expect((await pair.backup.api('GET', '/api/status', undefined, as(token))).status).toBe(401);
  });

  it('an operator’s session on the master gets a session of the same account on the backup', async () => {
    const added = spawnSync(
      process.execPath,
      [SOURCE_CLI, 'user', 'add', '--data-dir', pair.master.dataDir, '--name', 'ops'],
      { input: `${PASSWORD}\n`, encoding: 'utf8', timeout: 30_000 },
    );
    expect(added.status).toBe(0);
    const login = await fetch(`${pair.master.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ops', password: PASSWORD }),
    });
    const { token: opsOnMaster } = (await login.json()) as { token: string };
    const asked = await pair.master.api<PartnerSession>(
      'POST',
      '/api/partner-session',
      undefined,
      as(opsOnMaster),
    );
    expect(asked.status).toBe(200);
    expect(asked.body.user).toBe('ops');
    expect(
      (await pair.backup.api('GET', '/api/session', undefined, as(asked.body.token))).body,
    ).toMatchObject({
      user: 'ops',
    });
  });

  it('without a token, or with a wrong one: 401, and nothing opened on the backup', async () => {
    for (const headers of [{ authorization: '' }, as('not-a-token')]) {
      const answer = await pair.master.api<Problem>('POST', '/api/partner-session', undefined, headers);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('rejecting the master’s certificate on the backup ends the sessions the backup granted it', async () => {
    const asked = await pair.master.api<PartnerSession>('POST', '/api/partner-session');
    expect(asked.status).toBe(200);
    const session = as(asked.body.token);
    expect((await pair.backup.api('GET', '/api/status', undefined, session)).status).toBe(200);
    const { fingerprint } = (await pair.backup.status())!.peer!;
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const rejected = await pair.backup.api('POST', `/api/certificates/${fingerprint}/reject`);
    expect(rejected.status).toBe(200);
    expect((await pair.backup.api('GET', '/api/status', undefined, session)).status).toBe(401);
    // The backup's own admin token still opens it.
    expect((await pair.backup.api('GET', '/api/status')).status).toBe(200);
  });

  it('with the backup down: 503, naming the link that is down', async () => {
    await pair.backup.kill('SIGKILL');
    await pair.master.waitStatus((s) => s.peer?.link !== 'connected', 'the master to see the backup gone');
    const answer = await pair.master.api<Problem>('POST', '/api/partner-session');
    expect(answer.status).toBe(503);
    expect(answer.body.error).toEqual({
      code: 'PARTNER_UNREACHABLE',
      message: 'the link to the partner is down: it cannot be asked now',
    });
  });
});
