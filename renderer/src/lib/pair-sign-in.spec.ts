import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-client.ts';
import { statusView } from '../test/fixtures.ts';
import {
  askPartnerSession,
  partnerDashboardUrl,
  partnerSessionForToken,
  signInToPartner,
  signOutOfPartner,
} from './pair-sign-in.ts';

describe('one sign-in for both nodes', () => {
  it('logs in on the partner named by this node’s status, with the same name and password', async () => {
    const login = vi.fn(() => Promise.resolve({ token: 'peer-1', expiresAt: '2025-06-01T15:00:00Z' }));
    const peer = await signInToPartner('ops', 'correct horse battery', {
      ownStatus: () => Promise.resolve(statusView({ peer: { apiUrl: 'http://10.0.0.2:8088' } })),
      login,
    });
    expect(login).toHaveBeenCalledWith('http://10.0.0.2:8088', 'ops', 'correct horse battery');
    expect(peer).toEqual({ apiUrl: 'http://10.0.0.2:8088', token: 'peer-1', user: 'ops' });
  });

  it('a lone node, or a partner that refuses or is down, leaves this node’s sign-in standing alone', async () => {
    const refused = vi.fn(() => Promise.reject(new ApiError(401, 'LOGIN_FAILED', 'wrong name or password')));
    expect(
      await signInToPartner('ops', 'pw', { ownStatus: () => Promise.resolve(statusView()), login: refused }),
    ).toBeNull();
    const lone = vi.fn();
    expect(
      await signInToPartner('ops', 'pw', {
        ownStatus: () => Promise.resolve(statusView({ peer: null })),
        login: lone,
      }),
    ).toBeNull();
    expect(lone).not.toHaveBeenCalled();
  });

  it('signs out of the partner too, and a partner that cannot be told changes nothing here', async () => {
    const end = vi.fn(() => Promise.reject(new ApiError(0, 'UNREACHABLE', 'the node is not answering')));
    await expect(
      signOutOfPartner({ apiUrl: 'http://10.0.0.2:8088', token: 'peer-1', user: 'ops' }, end),
    ).resolves.toBeUndefined();
    expect(end).toHaveBeenCalledWith('http://10.0.0.2:8088', 'peer-1');
  });

  it('opens the partner’s dashboard signed in only with a session for that very node', () => {
    const peer = { apiUrl: 'http://10.0.0.2:8088', token: 'peer-1', user: 'ops' };
    expect(partnerDashboardUrl('http://10.0.0.2:8088', peer)).toBe(
      'http://10.0.0.2:8088/#session=peer-1&user=ops',
    );
    expect(partnerDashboardUrl('http://10.0.0.3:8088', peer)).toBe('http://10.0.0.3:8088/');
    expect(partnerDashboardUrl('http://10.0.0.2:8088/', null)).toBe('http://10.0.0.2:8088/');
  });
});

describe('the admin token’s session on the partner', () => {
  const granted = {
    apiUrl: 'http://10.0.0.2:8088',
    token: 'peer-2',
    user: 'admin token',
    expiresAt: '2025-06-01T15:00:00.000Z',
  };

  it('asks this node (POST /api/partner-session with the page’s token) and keeps what it answered', async () => {
    const fetchImpl = vi.fn((_input: RequestInfo | URL, _init?: RequestInit) =>
      Promise.resolve(new Response(JSON.stringify(granted), { status: 200 })),
    );
    expect(await askPartnerSession('http://10.0.0.1:8088/', 'admin-token', fetchImpl)).toEqual(granted);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe('http://10.0.0.1:8088/api/partner-session');
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer admin-token');
    const peer = await partnerSessionForToken(() => Promise.resolve(granted));
    expect(peer).toEqual({ apiUrl: 'http://10.0.0.2:8088', token: 'peer-2', user: 'admin token' });
  });

  it('a partner that cannot give one leaves the page on its own node, without an error', async () => {
    const down = () =>
      Promise.reject(new ApiError(503, 'PARTNER_UNREACHABLE', 'the link to the partner is down'));
    expect(await partnerSessionForToken(down)).toBeNull();
    const ownDown = () => Promise.reject(new ApiError(0, 'UNREACHABLE', 'the node is not answering'));
    expect(await partnerSessionForToken(ownDown)).toBeNull();
  });
});
