import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../history/index.ts';
import { openDatabase } from '../store/index.ts';
import { registerHistoryRoutes } from './history-routes.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const T0 = Date.parse('2024-05-01T12:00:00Z');

function setup(): { app: FastifyInstance; history: HistoryStore } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-history-api-'));
  const db = openDatabase(dir);
  cleanups.push(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const history = new HistoryStore(db);
  const app = Fastify();
  cleanups.push(() => app.close());
  registerHistoryRoutes(app, history, { now: () => T0 + 60_000, tagExists: (tag) => tag === 'configured' });
  return { app, history };
}

describe('GET /api/history/:tag', () => {
  it('answers raw samples with ISO times, the last hour by default', async () => {
    const { app, history } = setup();
    history.record([
      { tag: 'temp', ts: T0 - 3_600_000, value: 1, quality: 'good', origin: 'n' },
      { tag: 'temp', ts: T0, value: 21.5, quality: 'good', origin: 'n' },
      { tag: 'temp', ts: T0 + 1000, value: null, quality: 'bad', origin: 'n' },
    ]);
    const response = await app.inject({ url: '/api/history/temp' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      tag: 'temp',
      from: '2024-05-01T11:01:00.000Z',
      to: '2024-05-01T12:01:00.000Z',
      kind: 'raw',
      samples: [
        { ts: '2024-05-01T12:00:00.000Z', value: 21.5, quality: 'good' },
        { ts: '2024-05-01T12:00:01.000Z', value: null, quality: 'bad' },
      ],
    });
  });

  it('downsamples to maxPoints buckets', async () => {
    const { app, history } = setup();
    history.record(
      Array.from({ length: 100 }, (_, i) => ({
        tag: 'temp',
        ts: T0 + i * 1000,
        value: i,
        quality: 'good' as const,
        origin: 'n',
      })),
    );
    const response = await app.inject({
      url: '/api/history/temp?from=2024-05-01T12:00:00Z&to=2024-05-01T12:01:39.999Z&maxPoints=4',
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      kind: string;
      bucketMs: number;
      buckets: { min: number; max: number; count: number }[];
    }>();
    expect(body.kind).toBe('buckets');
    expect(body.bucketMs).toBe(25_000);
    expect(body.buckets.map((b) => [b.min, b.max, b.count])).toEqual([
      [0, 24, 25],
      [25, 49, 25],
      [50, 74, 25],
      [75, 99, 25],
    ]);
  });

  it('answers 400 naming the field for bad parameters', async () => {
    const { app } = setup();
    const message = async (url: string): Promise<string> => {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(400);
      return response.json<{ error: { message: string } }>().error.message;
    };
    expect(await message('/api/history/temp?from=yesterday')).toMatch(/^from: must be an ISO 8601 time/);
    expect(await message('/api/history/temp?to=2024-13-45T00:00:00Z')).toMatch(/^to: /);
    // Named once, though it is neither in the pattern nor a time.
    expect(await message('/api/history/temp?to=1765000000000')).toBe(
      'to: must be an ISO 8601 time, e.g. 2024-05-01T12:00:00Z',
    );
    expect(await message('/api/history/temp?maxPoints=0')).toMatch(/^maxPoints: /);
    expect(await message('/api/history/temp?maxPoints=abc')).toMatch(/^maxPoints: /);
    expect(await message('/api/history/temp?maxPoints=10001')).toMatch(/^maxPoints: /);
    expect(await message('/api/history/temp?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z')).toBe(
      'from: must not be after to',
    );
    expect(await message('/api/history/temp?limit=5')).toMatch(/limit/);
    expect(await message('/api/history/bad%20name')).toMatch(/^tag: /);
  });

  it('answers 404 for a tag neither configured nor recorded; an empty history of a known tag is fine', async () => {
    const { app } = setup();
    expect((await app.inject({ url: '/api/history/nope' })).statusCode).toBe(404);
    const known = await app.inject({ url: '/api/history/configured' });
    expect(known.statusCode).toBe(200);
    expect(known.json()).toMatchObject({ kind: 'raw', samples: [] });
  });
});
