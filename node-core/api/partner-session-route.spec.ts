import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorLogin, PARTNER_ADMIN_USER, type PartnerSessionAnswer } from '../auth/index.ts';
import { ManualClock } from '../clock/index.ts';
import { registerPartnerSessionRoute } from './partner-session-route.ts';

const ADMIN = 'admin-token-0123456789';
const PEER_API = 'http://10.0.0.12:8088';

interface Problem {
  error: { code: string; message: string };
}
const GRANTED: PartnerSessionAnswer = {
  kind: 'granted',
  grant: { token: 'partner-session-token', user: PARTNER_ADMIN_USER, expiresAt: Date.UTC(2026, 11, 6, 18) },
};

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

function route(answer: PartnerSessionAnswer, options: { paired?: boolean; peerApiUrl?: string | null } = {}) {
  const asked: (string | null)[] = [];
  const clock = new ManualClock(1_000_000);
  const login = new OperatorLogin(
    { get: (name) => (name === 'ops' ? { passwordHash: 'x', createdAt: 1 } : undefined) },
    undefined,
    undefined,
    { clock },
  );
  app = Fastify();
  registerPartnerSessionRoute(app, {
    partnerSessions: {
      ask: (account) => {
        asked.push(account);
        return Promise.resolve(answer);
      },
    },
    paired: options.paired ?? true,
    peerApiUrl: () => (options.peerApiUrl === undefined ? PEER_API : options.peerApiUrl),
    isAdminToken: (token) => token === ADMIN,
    login,
    now: () => clock.now(),
  });
  const post = (token: string, ip = '127.0.0.1') =>
    app!.inject({
      method: 'POST',
      url: '/api/partner-session',
      headers: { authorization: `Bearer ${token}` },
      remoteAddress: ip,
    });
  return { asked, post, login, clock };
}

describe('POST /api/partner-session', () => {
  it('the admin token: asks the partner for its admin-token session and answers where and what it is', async () => {
    const { asked, post } = route(GRANTED);
    const answer = await post(ADMIN);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.json()).toEqual({
      apiUrl: PEER_API,
      token: 'partner-session-token',
      user: PARTNER_ADMIN_USER,
      expiresAt: '2026-12-06T18:00:00.000Z',
    });
    expect(asked).toEqual([null]);
    // The caller's own token never goes anywhere.
    expect(answer.body).not.toContain(ADMIN);
  });

  it('an operator’s session asks for that account; a session the partner’s admin token opened asks as the admin token', async () => {
    const { asked, post, login } = route(GRANTED);
    const ops = login.sessions.open('ops', 1).token;
    const partnersAdmin = login.openForPartner(null, 'f'.repeat(64));
    if ('refused' in partnersAdmin) throw new Error(partnersAdmin.refused);
    expect((await post(ops)).statusCode).toBe(200);
    expect((await post(partnersAdmin.token)).statusCode).toBe(200);
    expect(asked).toEqual(['ops', null]);
    login.stop();
  });

  it('a token that opens nothing gets 401 and asks nothing (the route is safe without the API’s token check)', async () => {
    const { asked, post } = route(GRANTED);
    const answer = await post('made-up');
    expect(answer.statusCode).toBe(401);
    expect(answer.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'missing or wrong token' } });
    expect(asked).toEqual([]);
  });

  it.each([
    [
      { kind: 'no-link' },
      503,
      'PARTNER_UNREACHABLE',
      'the link to the partner is down: it cannot be asked now',
    ],
    [
      { kind: 'no-answer', afterMs: 3000 },
      503,
      'PARTNER_NO_ANSWER',
      'the partner did not answer within 3000 ms',
    ],
    [
      { kind: 'refused', reason: 'no account "ops" on this node yet' },
      409,
      'PARTNER_REFUSED',
      'the partner opened no session: no account "ops" on this node yet',
    ],
    [
      { kind: 'not-offered' },
      409,
      'PARTNER_REFUSED',
      'the partner runs an earlier version, which opens no sessions for its peer: update it',
    ],
  ] as const)('%o: %i %s, naming the cause', async (outcome, status, code, message) => {
    const { post } = route(outcome);
    const answer = await post(ADMIN);
    expect(answer.statusCode).toBe(status);
    expect(answer.json()).toEqual({ error: { code, message } });
  });

  it('an independent node has no partner: 409 NO_PARTNER, nothing asked', async () => {
    const { asked, post } = route(GRANTED, { paired: false });
    const answer = await post(ADMIN);
    expect(answer.statusCode).toBe(409);
    expect(answer.json<Problem>().error.code).toBe('NO_PARTNER');
    expect(asked).toEqual([]);
  });

  it('each address may ask 10 times a minute, then 429 with Retry-After; another address still may', async () => {
    const { asked, post, clock } = route(GRANTED);
    for (let i = 0; i < 10; i++) expect((await post(ADMIN)).statusCode).toBe(200);
    const limited = await post(ADMIN);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.json<Problem>().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect((await post(ADMIN, '10.0.0.7')).statusCode).toBe(200);
    expect(asked).toHaveLength(11);
    clock.advance(60_000);
    expect((await post(ADMIN)).statusCode).toBe(200);
  });
});
