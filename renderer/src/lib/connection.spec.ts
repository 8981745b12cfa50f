import { describe, expect, it, vi } from 'vitest';
import type { Connection, DashboardRoute } from '../../../electron/shared/bridge.ts';
import {
  followDesktopRoutes,
  followPartnerLink,
  resolveConnection,
  type ConnectionWindow,
} from './connection.ts';

function page(hash: string, bridge?: ConnectionWindow['tandem']) {
  const storage = new Map<string, string>();
  const replaceState = vi.fn();
  const win: ConnectionWindow = {
    location: { hash, pathname: '/', search: '', origin: 'http://10.0.0.1:8088' },
    sessionStorage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
      removeItem: (key) => void storage.delete(key),
    },
    history: { replaceState },
    tandem: bridge,
  };
  return { win, storage, replaceState };
}

function bridge(getConnection: () => Promise<Connection>) {
  let listener: ((route: DashboardRoute) => void) | null = null;
  const unsubscribe = vi.fn();
  return {
    tandem: {
      getConnection: vi.fn(getConnection),
      onNavigate: (l: (route: DashboardRoute) => void) => {
        listener = l;
        return unsubscribe;
      },
    },
    navigate: (route: DashboardRoute) => listener?.(route),
    unsubscribe,
  };
}

describe('resolveConnection', () => {
  it('in the desktop window takes the API address and token from window.tandem, not the address', async () => {
    const desktop = bridge(() => Promise.resolve({ apiUrl: 'http://127.0.0.1:8123', token: 'from-main' }));
    const { win, storage, replaceState } = page('#/history', desktop.tandem);
    expect(await resolveConnection(win)).toEqual({
      baseUrl: 'http://127.0.0.1:8123',
      token: 'from-main',
      desktop: true,
      source: 'desktop',
    });
    expect(desktop.tandem.getConnection).toHaveBeenCalledOnce();
    // Nothing kept in the page: the app hands it over again on every load.
    expect(storage.size).toBe(0);
    expect(replaceState).not.toHaveBeenCalled();
  });

  it('in a plain browser keeps the fragment flow: the page’s origin and the token from #token=', async () => {
    const { win, storage, replaceState } = page('#token=abc123');
    expect(await resolveConnection(win)).toEqual({
      baseUrl: 'http://10.0.0.1:8088',
      token: 'abc123',
      desktop: false,
      source: 'link',
    });
    expect(storage.get('tandem.admin-token')).toBe('abc123');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/#/overview');
  });

  it('in a browser without a token answers none, so the operator logs in', async () => {
    expect(await resolveConnection(page('').win)).toEqual({
      baseUrl: 'http://10.0.0.1:8088',
      token: null,
      desktop: false,
      source: null,
    });
  });

  it('falls back to the browser way when the desktop app cannot hand over (its node is stopping)', async () => {
    const desktop = bridge(() => Promise.reject(new Error('NOT_RUNNING: the node is not running')));
    const { win } = page('#token=abc123', desktop.tandem);
    expect(await resolveConnection(win)).toEqual({
      baseUrl: 'http://10.0.0.1:8088',
      token: 'abc123',
      desktop: false,
      source: 'link',
    });
  });

  it('on a reload after a login knows the stored token is a session, which can be signed out', async () => {
    const { win, storage } = page('#/tags');
    storage.set('tandem.admin-token', 'session-1');
    storage.set('tandem.token-source', 'login');
    expect(await resolveConnection(win)).toMatchObject({ token: 'session-1', source: 'login' });
  });
});

describe('followDesktopRoutes', () => {
  it('shows the route the desktop app asks for, and stops when told', () => {
    const desktop = bridge(() => Promise.reject(new Error('unused')));
    const location = { hash: '#/overview' };
    const stop = followDesktopRoutes({ tandem: desktop.tandem, location });
    desktop.navigate('certificates');
    expect(location.hash).toBe('#/certificates');
    stop();
    expect(desktop.unsubscribe).toHaveBeenCalled();
  });

  it('does nothing in a plain browser', () => {
    const location = { hash: '#/overview' };
    followDesktopRoutes({ location })();
    expect(location.hash).toBe('#/overview');
  });
});

describe('followPartnerLink', () => {
  it('in a browser the link is followed as it is', () => {
    const event = { preventDefault: vi.fn() };
    followPartnerLink(event, 'http://10.0.0.2:8088/', { location: { assign: vi.fn() } });
    expect(event.preventDefault).not.toHaveBeenCalled();
  });

  it('in the desktop window the app switches the window; refused, the link is followed', async () => {
    const event = { preventDefault: vi.fn() };
    const assign = vi.fn();
    const openPartner = vi.fn(() => Promise.resolve());
    followPartnerLink(event, 'http://10.0.0.2:8088/', { tandem: { openPartner }, location: { assign } });
    expect(event.preventDefault).toHaveBeenCalled();
    expect(openPartner).toHaveBeenCalledWith('http://10.0.0.2:8088/');
    const refused = vi.fn(() => Promise.reject(new Error('FORBIDDEN_SENDER: not the dashboard')));
    followPartnerLink(event, 'http://10.0.0.1:8088/', {
      tandem: { openPartner: refused },
      location: { assign },
    });
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith('http://10.0.0.1:8088/'));
  });
});
