import { describe, expect, it } from 'vitest';
import {
  DENY_ALL_CSP,
  FIRST_RUN_CSP,
  dashboardCsp,
  guardSession,
  openSecureWindow,
  secureWindowOptions,
  siteOf,
  withCsp,
} from '../../electron/main/window.ts';
import { serveFirstRunPage } from '../../electron/main/first-run.ts';
import { FakeElectron, FakeSession, type FakeWindow } from './fake-electron.ts';

const spec = {
  url: 'http://127.0.0.1:8088/',
  title: 'Tandem',
  width: 1280,
  height: 820,
  preload: '/app/electron/preload/index.cjs',
};

function open(): { electron: FakeElectron; window: FakeWindow } {
  const electron = new FakeElectron('/tmp/unused');
  openSecureWindow(electron, spec);
  return { electron, window: electron.windows[0]! };
}

describe('secure window options', () => {
  it('isolates and sandboxes the page, with no Node and web security on', () => {
    const prefs = secureWindowOptions(spec).webPreferences!;
    expect(prefs).toMatchObject({
      preload: spec.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('is made hidden and shown on ready-to-show', () => {
    const { window } = open();
    expect(window.options.show).toBe(false);
    expect(window.shown).toBe(0);
    window.emit('ready-to-show');
    expect(window.shown).toBe(1);
    expect(window.loadedUrls).toEqual([spec.url]);
  });

  it('denies every window.open', () => {
    const { window } = open();
    expect(window.webContents.windowOpen('https://example.com/')).toEqual({ action: 'deny' });
    expect(window.webContents.windowOpen('http://127.0.0.1:8088/#/history')).toEqual({ action: 'deny' });
  });

  it("lets the page navigate within the node's own origin only", () => {
    const { window } = open();
    expect(window.webContents.navigate('http://127.0.0.1:8088/#/history')).toBe(true);
    expect(window.webContents.navigate('http://127.0.0.1:8089/')).toBe(false);
    expect(window.webContents.navigate('https://evil.example/')).toBe(false);
    expect(window.webContents.navigate('file:///etc/passwd')).toBe(false);
    expect(window.webContents.navigate('http://127.0.0.1:8089/', 'will-redirect')).toBe(false);
  });

  it('refuses to attach a webview', () => {
    const { window } = open();
    expect(window.webContents.count('will-attach-webview')).toBe(1);
  });

  it('reports a page that does not load instead of throwing', async () => {
    const electron = new FakeElectron('/tmp/unused');
    const failures: unknown[] = [];
    const original = electron.createWindow.bind(electron);
    electron.createWindow = (options) => {
      const w = original(options);
      w.loadError = new Error('ERR_CONNECTION_REFUSED');
      return w;
    };
    openSecureWindow(electron, spec, (error) => failures.push(error));
    await Promise.resolve();
    await Promise.resolve();
    expect(failures).toHaveLength(1);
  });

  it('tells a custom-scheme site from its host, which URL.origin cannot', () => {
    expect(siteOf('tandem://first-run/index.html')).toBe('tandem://first-run');
    expect(siteOf('http://127.0.0.1:8088/#/x')).toBe('http://127.0.0.1:8088');
    expect(siteOf('not a url')).toBeNull();
  });
});

describe('content security policy', () => {
  it('allows the dashboard its own origin and its live WebSocket, nothing inline', () => {
    const csp = dashboardCsp('http://127.0.0.1:8088');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:8088");
    expect(csp).not.toContain('unsafe');
  });

  it('lets the dashboard read its partner node’s API, by origin, when the partner is known', () => {
    expect(dashboardCsp('http://127.0.0.1:8088', 'http://10.0.0.12:8088/')).toContain(
      "connect-src 'self' ws://127.0.0.1:8088 http://10.0.0.12:8088;",
    );
    expect(dashboardCsp('http://127.0.0.1:8088', 'javascript:alert(1)')).toContain(
      "connect-src 'self' ws://127.0.0.1:8088;",
    );
  });

  it('replaces whatever CSP the server sent, whatever its case', () => {
    const headers = withCsp(
      { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] },
      FIRST_RUN_CSP,
    );
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [FIRST_RUN_CSP] });
  });

  it('puts a CSP on every response of the session, and grants no web permission', () => {
    const session = new FakeSession();
    guardSession(session, (url) =>
      url.startsWith('http://127.0.0.1:8088') ? dashboardCsp('http://127.0.0.1:8088') : DENY_ALL_CSP,
    );
    expect(
      session.respond('http://127.0.0.1:8088/', {}).responseHeaders?.['Content-Security-Policy'],
    ).toEqual([dashboardCsp('http://127.0.0.1:8088')]);
    expect(
      session.respond('https://elsewhere.example/', {}).responseHeaders?.['Content-Security-Policy'],
    ).toEqual([DENY_ALL_CSP]);
    let granted: boolean | null = null;
    session.permissionRequest?.(null, 'notifications', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(session.permissionCheck?.(null, 'clipboard-read')).toBe(false);
  });
});

describe('first-run page protocol', () => {
  const files = new Map([
    ['/pages/index.html', '<html></html>'],
    ['/pages/page.js', 'void 0;'],
    ['/pages/page.css', 'main{}'],
    ['/pages/secret.txt', 'no'],
  ]);
  const readFile = (file: string): Promise<Uint8Array> => {
    const text = files.get(file);
    return text === undefined
      ? Promise.reject(new Error('ENOENT'))
      : Promise.resolve(new TextEncoder().encode(text));
  };

  it('serves the page files with their type and the CSP', async () => {
    const response = await serveFirstRunPage('tandem://first-run/index.html', '/pages', readFile);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toBe(FIRST_RUN_CSP);
    expect(await response.text()).toBe('<html></html>');
    expect(
      (await serveFirstRunPage('tandem://first-run/page.js', '/pages', readFile)).headers.get('content-type'),
    ).toContain('text/javascript');
  });

  it.each([
    'tandem://first-run/secret.txt',
    'tandem://first-run/../../etc/passwd',
    'tandem://first-run/%2e%2e/secret.txt',
    'tandem://elsewhere/index.html',
    'http://first-run/index.html',
  ])('answers 404 to %s', async (url) => {
    const response = await serveFirstRunPage(url, '/pages', readFile);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(FIRST_RUN_CSP);
  });
});
