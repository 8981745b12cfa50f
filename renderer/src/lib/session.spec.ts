import { describe, expect, it, vi } from 'vitest';
import {
  forgetToken,
  storedPeerSession,
  storedTokenSource,
  storedUser,
  storePeerSession,
  storeToken,
  takeToken,
  type SessionWindow,
} from './session.ts';

function fakeWindow(hash: string, stored: string | null = null) {
  const storage = new Map<string, string>(stored ? [['tandem.admin-token', stored]] : []);
  const replaceState = vi.fn();
  const win: SessionWindow = {
    location: { hash, pathname: '/', search: '' },
    sessionStorage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
      removeItem: (key) => void storage.delete(key),
    },
    history: { replaceState },
  };
  return { win, storage, replaceState };
}

describe('takeToken', () => {
  it('takes the token from the fragment, keeps it for the tab and removes it from the address', () => {
    const { win, storage, replaceState } = fakeWindow('#token=abc123');
    expect(takeToken(win)).toBe('abc123');
    expect(storage.get('tandem.admin-token')).toBe('abc123');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/#/overview');
  });

  it('uses the stored token on a reload, leaving the route alone', () => {
    const { win, replaceState } = fakeWindow('#/history', 'abc123');
    expect(takeToken(win)).toBe('abc123');
    expect(replaceState).not.toHaveBeenCalled();
  });

  it('answers null when there is no token at all', () => {
    expect(takeToken(fakeWindow('').win)).toBeNull();
  });
});

describe('storeToken', () => {
  it('keeps a login’s session token for the tab, where a reload finds it', () => {
    const { win, storage } = fakeWindow('#/settings');
    expect(storeToken(win, 'session-1', 'ops')).toBe(true);
    expect(storage.get('tandem.admin-token')).toBe('session-1');
    expect(takeToken(win)).toBe('session-1');
  });

  it('answers false when storage is disabled', () => {
    const win = {
      sessionStorage: {
        getItem: () => null,
        setItem: () => {
          throw new Error('SecurityError');
        },
        removeItem: () => undefined,
      },
    };
    expect(storeToken(win, 'session-1', 'ops')).toBe(false);
  });
});

describe('where the token came from', () => {
  it('a #token= link gives the admin token, which cannot be signed out; a login a session, which can', () => {
    const { win } = fakeWindow('#token=admin-1');
    takeToken(win);
    expect(storedTokenSource(win)).toBe('link');
    storeToken(win, 'session-1', 'ops');
    expect(storedTokenSource(win)).toBe('login');
    // A link opened later in the same tab replaces the session, and is a link again.
    win.location.hash = '#token=admin-2';
    expect(takeToken(win)).toBe('admin-2');
    expect(storedTokenSource(win)).toBe('link');
  });

  it('survives a reload, and counts a token stored before the source was kept as a link', () => {
    const { win, storage } = fakeWindow('#/overview');
    storeToken(win, 'session-1', 'ops');
    expect(takeToken(win)).toBe('session-1');
    expect(storedTokenSource(win)).toBe('login');
    storage.delete('tandem.token-source');
    expect(storedTokenSource(win)).toBe('link');
  });
});

describe('a session handed over by the partner node', () => {
  it('#session=…&user=… signs the tab in as that operator, with a sign-out (a login), and leaves the address', () => {
    const { win, replaceState } = fakeWindow('#session=s-9&user=ops');
    expect(takeToken(win)).toBe('s-9');
    expect(storedTokenSource(win)).toBe('login');
    expect(storedUser(win)).toBe('ops');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/#/overview');
  });

  it('a #token= link is the admin token: no operator name', () => {
    const { win } = fakeWindow('#token=admin-1');
    takeToken(win);
    expect(storedUser(win)).toBeNull();
  });

  it("keeps the partner's session for the tab; a sign-out forgets it with the rest", () => {
    const { win, storage } = fakeWindow('#/overview');
    storeToken(win, 'session-1', 'ops');
    storePeerSession(win, { apiUrl: 'http://10.0.0.12:8088', token: 'peer-1', user: 'ops' });
    expect(storedPeerSession(win)).toEqual({ apiUrl: 'http://10.0.0.12:8088', token: 'peer-1', user: 'ops' });
    storage.set('tandem.peer-session', '{"apiUrl":1}');
    expect(storedPeerSession(win)).toBeNull();
    forgetToken(win);
    expect(storage.size).toBe(0);
  });
});

describe('forgetToken', () => {
  it('forgets the token and its source, so a reload asks for a login', () => {
    const { win, storage } = fakeWindow('#/overview');
    storeToken(win, 'session-1', 'ops');
    forgetToken(win);
    expect(storage.size).toBe(0);
    expect(takeToken(win)).toBeNull();
  });
});
