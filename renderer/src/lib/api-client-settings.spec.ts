// The client's settings, login and logout calls: the requests they make and how failures come back.
import { describe, expect, it, vi } from 'vitest';
import { nodeSettings, settingsSaved, settingsView } from '../test/settings-fixtures.ts';
import { ApiClient, ApiError, login, logout } from './api-client.ts';

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('ApiClient settings', () => {
  it('GETs the settings and PUTs a change as JSON with the token', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>((_input, init) =>
      Promise.resolve(
        init?.method === 'PUT' ? answer(200, settingsSaved(nodeSettings())) : answer(200, settingsView()),
      ),
    );
    const client = new ApiClient({ baseUrl: 'http://node:8088/', token: 'secret', fetch });
    expect(await client.settings()).toEqual(settingsView());
    expect(await client.saveSettings({ timing: { pingRateMs: 500 } })).toMatchObject({ saved: true });

    const [url, init] = fetch.mock.calls[1]!;
    expect(url).toBe('http://node:8088/api/settings');
    expect(init).toMatchObject({ method: 'PUT', body: '{"timing":{"pingRateMs":500}}' });
    expect(init?.headers).toMatchObject({
      authorization: 'Bearer secret',
      'content-type': 'application/json',
    });
  });

  it('a refused change is an ApiError 400 with the node’s message', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(() =>
      Promise.resolve(
        answer(400, { error: { code: 'BAD_REQUEST', message: 'timing.pingRateMs: must be …' } }),
      ),
    );
    const client = new ApiClient({ baseUrl: 'http://node:8088', token: 'secret', fetch });
    const error = await client.saveSettings({ timing: { pingRateMs: 0 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'timing.pingRateMs: must be …',
    });
  });
});

describe('login', () => {
  it('POSTs name and password without a token and answers the session', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(() =>
      Promise.resolve(answer(200, { token: 'session-1', expiresAt: '2025-06-01T15:00:00.000Z' })),
    );
    expect(await login('http://node:8088/', 'ops', 'pw', fetch)).toEqual({
      token: 'session-1',
      expiresAt: '2025-06-01T15:00:00.000Z',
    });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('http://node:8088/api/login');
    expect(init).toMatchObject({ method: 'POST', body: '{"name":"ops","password":"pw"}' });
    expect(init?.headers).not.toHaveProperty('authorization');
  });

  it('a wrong password, too many failures or no answer are ApiErrors', async () => {
    const refused = vi.fn<typeof globalThis.fetch>(() =>
      Promise.resolve(answer(401, { error: { code: 'LOGIN_FAILED', message: 'wrong name or password' } })),
    );
    await expect(login('', 'ops', 'x', refused)).rejects.toMatchObject({ status: 401, code: 'LOGIN_FAILED' });
    const limited = vi.fn<typeof globalThis.fetch>(() =>
      Promise.resolve(answer(429, { error: { code: 'TOO_MANY_ATTEMPTS', message: 'try again in 9 s' } })),
    );
    await expect(login('', 'ops', 'x', limited)).rejects.toMatchObject({ status: 429 });
    const down = vi.fn<typeof globalThis.fetch>(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(login('', 'ops', 'x', down)).rejects.toMatchObject({ status: 0, code: 'UNREACHABLE' });
  });
});

describe('logout', () => {
  it('POSTs with the session token and no body, and answers { loggedOut: true }', async () => {
    const fetch = vi.fn<typeof globalThis.fetch>(() => Promise.resolve(answer(200, { loggedOut: true })));
    expect(await logout('http://node:8088/', 'session-1', fetch)).toEqual({ loggedOut: true });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('http://node:8088/api/logout');
    expect(init).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer session-1' } });
    expect(init).not.toHaveProperty('body');
  });

  it('a session that ended already, the admin token or no answer are ApiErrors', async () => {
    const ended = vi.fn<typeof globalThis.fetch>(() =>
      Promise.resolve(answer(401, { error: { code: 'UNAUTHORIZED', message: 'missing or wrong token' } })),
    );
    await expect(logout('', 'gone', ended)).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    const admin = vi.fn<typeof globalThis.fetch>(() =>
      Promise.resolve(
        answer(400, { error: { code: 'NOT_A_SESSION', message: 'the admin token is not a session' } }),
      ),
    );
    await expect(logout('', 'admin', admin)).rejects.toMatchObject({ status: 400, code: 'NOT_A_SESSION' });
    const down = vi.fn<typeof globalThis.fetch>(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(logout('', 'session-1', down)).rejects.toMatchObject({ status: 0, code: 'UNREACHABLE' });
  });
});
