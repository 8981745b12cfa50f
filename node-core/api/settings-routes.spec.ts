import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../../test/support/temp-database.ts';
import { defaultSettings, type NodeSettings } from '../node/settings.ts';
import { SettingsStore } from '../store/index.ts';
import { registerSettingsRoutes } from './settings-routes.ts';

describe('settings routes', () => {
  let app: FastifyInstance;
  let store: SettingsStore;
  let dispose: () => void;
  const inEffect: NodeSettings = defaultSettings('host-1');

  beforeEach(() => {
    const temp = tempDatabase();
    dispose = temp.dispose;
    store = new SettingsStore(temp.db);
    store.save(inEffect);
    app = Fastify();
    registerSettingsRoutes(app, inEffect, store);
  });

  afterEach(async () => {
    await app.close();
    dispose();
  });

  const get = async (): Promise<Record<string, unknown>> =>
    (await app.inject({ method: 'GET', url: '/api/settings' })).json();
  const put = (payload: unknown) =>
    app.inject({ method: 'PUT', url: '/api/settings', payload: payload as object });

  it('answers the settings in effect and nothing pending on a fresh start', async () => {
    expect(await get()).toEqual({ ...inEffect, pending: null });
  });

  it('saves a partial change for the next start; the settings in effect stay as they are', async () => {
    const answer = await put({ timing: { pingRateMs: 500 }, standby: 'cold' });
    expect(answer.statusCode).toBe(200);
    const expected = { ...inEffect, standby: 'cold', timing: { ...inEffect.timing, pingRateMs: 500 } };
    expect(answer.json()).toEqual({ saved: true, restartRequired: true, settings: expected, warnings: [] });
    expect(await get()).toEqual({ ...inEffect, pending: expected });
    // A second change builds on the first, not on what runs now.
    await put({ timing: { missedPings: 5 } });
    expect((await get())['pending']).toMatchObject({
      standby: 'cold',
      timing: { pingRateMs: 500, missedPings: 5 },
    });
  });

  it('takes a GET answer back as it is, and saving what runs now leaves nothing pending', async () => {
    await put({ standby: 'cold' });
    const answer = await put({ ...(await get()) });
    expect(answer.json()).toMatchObject({ saved: true, restartRequired: false });
    expect((await get())['pending']).toBeNull();
  });

  it('refuses a bad body with 400 naming the field, and stores nothing of it', async () => {
    const cases: [unknown, string][] = [
      [
        { timing: { pingRateMs: 0 } },
        'timing.pingRateMs: must be a whole number of milliseconds from 1 to 3600000',
      ],
      [{ standby: 'cold', timing: { pingTimeoutMs: 'slow' } }, 'timing.pingTimeoutMs: must be'],
      [{ mode: 'backup' }, 'masterHost: is required for a backup'],
      [{ recovery: 'window' }, 'restoreWindow: is required for recovery "window"'],
      [{ pingRateMs: 100 }, 'pingRateMs: is not a setting'],
      [[1, 2], 'settings: must be an object of settings'],
    ];
    for (const [body, message] of cases) {
      const answer = await put(body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(400);
      expect(answer.json<{ error: { message: string } }>().error.message).toContain(message);
    }
    expect(await get()).toEqual({ ...inEffect, pending: null });
  });

  it('saves a master whose connection wait is too short for manual recovery, with a warning', async () => {
    const answer = await put({ mode: 'master', recovery: 'manual', timing: { connectionWaitMs: 1000 } });
    expect(answer.statusCode).toBe(200);
    expect(answer.json<{ warnings: string[] }>().warnings).toEqual([
      expect.stringContaining('timing.connectionWaitMs: 1000 ms is shorter than the 4000 ms'),
    ]);
  });
});
