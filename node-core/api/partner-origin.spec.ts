/** CORS and CSP for the partner's dashboard: one origin, the peer's API as its hello names it, remembered. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartnerOrigin } from './partner-origin.ts';

const PEER = 'http://10.0.0.12:8088';

describe('PartnerOrigin', () => {
  let peerUrl: string | null = `${PEER}/`;
  let stored: string | undefined;
  let app: FastifyInstance;
  let partner: PartnerOrigin;

  beforeEach(async () => {
    peerUrl = `${PEER}/`;
    stored = undefined;
    partner = new PartnerOrigin(() => peerUrl, { get: () => stored, set: (o) => void (stored = o) });
    app = Fastify();
    app.addHook('onRequest', async (request, reply) => {
      if (partner.answer(request, reply)) return reply;
      if (request.headers.authorization !== 'Bearer t')
        return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'missing or wrong token' } });
    });
    app.get('/api/status', () => ({ ok: true }));
    await app.ready();
  });

  afterEach(async () => {
    await app.close();
  });

  it("answers the partner's preflight without a token, and allows its requests (still with a token)", async () => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/status',
      headers: {
        origin: PEER,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(PEER);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');

    const read = await app.inject({
      url: '/api/status',
      headers: { origin: PEER, authorization: 'Bearer t' },
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBe(PEER);
    const refused = await app.inject({ url: '/api/status', headers: { origin: PEER } });
    expect(refused.statusCode).toBe(401);
  });

  it('any other origin gets no CORS header and no preflight answer', async () => {
    const other = 'http://evil.example:8088';
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/status',
      headers: { origin: other, 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(401);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const read = await app.inject({
      url: '/api/status',
      headers: { origin: other, authorization: 'Bearer t' },
    });
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    expect(read.headers['vary']).toBe('Origin');
  });

  it('keeps the last known origin when the link is down, and across a restart (stored)', () => {
    expect(partner.get()).toBe(PEER);
    peerUrl = null;
    expect(partner.get()).toBe(PEER);
    const restarted = new PartnerOrigin(() => null, { get: () => stored, set: () => undefined });
    expect(restarted.get()).toBe(PEER);
    expect(new PartnerOrigin(() => null).get()).toBeNull();
  });
});
