import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanAll, weakCsp, type Finding } from './security-check.ts';
import { REPO } from './desktop-harness.ts';

/** A folder that exists only in memory, inside the repository so that 'electron' resolves to its types. */
const VIRTUAL = path.join(REPO, 'test', 'electron', '__virtual__');

function scanFiles(files: Record<string, string>): Finding[] {
  const overrides = new Map(Object.entries(files).map(([name, text]) => [path.join(VIRTUAL, name), text]));
  return scanAll({ dir: VIRTUAL, overrides });
}

const ids = (findings: readonly Finding[]): string[] =>
  [...new Set(findings.filter((f) => !f.answered).map((f) => f.id))].sort();

const GOOD_CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'" />`;

describe('electron/ as it is', () => {
  it('has no finding that is not answered in code', () => {
    const open = scanAll({ dir: path.join(REPO, 'electron') }).filter((f) => !f.answered);
    expect(open).toEqual([]);
  });
});

describe('the checker finds', () => {
  it('every insecure preference, and the guards a window lacks', () => {
    const findings = scanFiles({
      'main.ts': `
        import { BrowserWindow } from 'electron';
        export function open(): void {
          const win = new BrowserWindow({
            webPreferences: {
              nodeIntegration: true,
              contextIsolation: false,
              sandbox: false,
              webSecurity: false,
              allowRunningInsecureContent: true,
              experimentalFeatures: true,
              webviewTag: true,
            },
          });
          void win.loadURL('http://127.0.0.1:8088/');
        }`,
    });
    expect(ids(findings)).toEqual([
      'CONTEXT_ISOLATION',
      'CSP_MISSING',
      'EXPERIMENTAL_FEATURES',
      'INSECURE_CONTENT',
      'LIMIT_NAVIGATION',
      'NODE_INTEGRATION',
      'PERMISSION_HANDLER',
      'SANDBOX',
      'WEBVIEW_TAG',
      'WEB_SECURITY',
      'WINDOW_OPEN_HANDLER',
    ]);
  });

  it('preferences left to defaults, and options it cannot see', () => {
    expect(
      ids(
        scanFiles({
          'a.ts': `import { BrowserWindow } from 'electron';
            export const w = new BrowserWindow({ webPreferences: { preload: '/p.js' } });`,
          'b.ts': `import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
            export function make(o: BrowserWindowConstructorOptions) { return new BrowserWindow(o); }`,
        }),
      ),
    ).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION', 'HIDDEN_WEB_PREFERENCES']));
  });

  it('a preferences object typed WebPreferences anywhere, not only inside a window', () => {
    const findings = scanFiles({
      'prefs.ts': `import type { WebPreferences } from 'electron';
        export function prefs(): WebPreferences { return { contextIsolation: true, sandbox: true, nodeIntegration: true, webSecurity: true }; }`,
    });
    expect(ids(findings)).toEqual(['NODE_INTEGRATION']);
  });

  it('a window made through an adapter whose caller sets no guards', () => {
    const findings = scanFiles({
      'root.ts': `import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
        export const api = { createWindow: (o: BrowserWindowConstructorOptions) => new BrowserWindow({ ...o,
          webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true } }) };`,
      'caller.ts': `import { api } from './root.ts';
        export function open() { return api.createWindow({ width: 10 }); }`,
    });
    const guards = findings.filter((f) => f.id === 'WINDOW_OPEN_HANDLER' || f.id === 'LIMIT_NAVIGATION');
    expect(guards.map((f) => path.basename(f.file))).toEqual(['caller.ts', 'caller.ts']);
  });

  it('ipcRenderer handed to the page, directly or in pieces', () => {
    const findings = scanFiles({
      'preload.cts': `
        const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');
        contextBridge.exposeInMainWorld('a', ipcRenderer);
        contextBridge.exposeInMainWorld('b', { ipc: ipcRenderer });
        contextBridge.exposeInMainWorld('c', { on: ipcRenderer.on });
        const api = { ok: () => ipcRenderer.invoke('connection:get') };
        contextBridge.exposeInMainWorld('d', api);`,
    });
    expect(findings.filter((f) => f.id === 'EXPOSED_IPC_RENDERER')).toHaveLength(3);
  });

  it('an IPC channel typed string (a generic pass-through)', () => {
    const findings = scanFiles({
      'preload.cts': `
        const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');
        type Channel = 'a:get' | 'b:set';
        const typed = <C extends Channel>(c: C) => ipcRenderer.invoke(c);
        contextBridge.exposeInMainWorld('x', {
          typed: () => typed('a:get'),
          send: (channel: string, data: unknown) => ipcRenderer.send(channel, data),
        });`,
    });
    expect(findings.filter((f) => f.id === 'IPC_CHANNEL_NOT_LITERAL').map((f) => f.message)).toEqual([
      'ipcRenderer.send channel is typed string, not a contract channel',
    ]);
  });

  it('openExternal with unchecked input, unless answered in code', () => {
    const findings = scanFiles({
      'open.ts': `import { shell } from 'electron';
        export function go(url: string) {
          void shell.openExternal(url);
          void shell.openExternal('https://tandem.example/help');
          // security-check: allow OPEN_EXTERNAL the URL is one of three fixed help pages, checked above
          void shell.openExternal(url);
        }`,
    });
    const external = findings.filter((f) => f.id === 'OPEN_EXTERNAL');
    expect(external).toHaveLength(2);
    expect(external.filter((f) => !f.answered)).toHaveLength(1);
    expect(external.find((f) => f.answered)?.answered).toBe(
      'the URL is one of three fixed help pages, checked above',
    );
  });

  it('pages without a CSP, with a weak one, or with inline script', () => {
    expect(ids(scanFiles({ 'a.html': '<html><head></head></html>' }))).toEqual(['CSP_MISSING']);
    expect(
      ids(
        scanFiles({
          'b.html': `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'unsafe-inline'">`,
        }),
      ),
    ).toEqual(['CSP_WEAK']);
    expect(
      ids(scanFiles({ 'c.html': `${GOOD_CSP}<script>alert(1)</script><button onclick="x()">` })),
    ).toEqual(['INLINE_SCRIPT']);
    expect(ids(scanFiles({ 'd.html': `${GOOD_CSP}<webview src="https://x"></webview>` }))).toEqual([
      'WEBVIEW_TAG',
    ]);
    expect(ids(scanFiles({ 'e.html': `${GOOD_CSP}<script src="page.js"></script>` }))).toEqual([]);
  });

  it('a weak CSP built in code', () => {
    const findings = scanFiles({
      'csp.ts': `export const csp = ["default-src 'none'", "script-src 'self' 'unsafe-eval'"].join('; ');`,
    });
    expect(ids(findings)).toEqual(['CSP_WEAK']);
  });

  it('eval, innerHTML, bypassCSP and certificate overrides', () => {
    const findings = scanFiles({
      'bad.ts': `import { app, protocol } from 'electron';
        declare const el: { innerHTML: string };
        export function f(code: string) {
          eval(code);
          el.innerHTML = code;
          protocol.registerSchemesAsPrivileged([{ scheme: 'x', privileges: { bypassCSP: true } }]);
          app.on('certificate-error', (e) => e.preventDefault());
        }`,
    });
    expect(ids(findings)).toEqual(['BYPASS_CSP', 'CERTIFICATE_ERRORS', 'DANGEROUS_FUNCTIONS']);
    expect(findings.filter((f) => f.id === 'DANGEROUS_FUNCTIONS')).toHaveLength(2);
  });
});

describe('weakCsp', () => {
  it.each([
    ["default-src 'none'; script-src 'self'", null],
    ["default-src 'self'", "the CSP does not restrict object-src (set object-src 'none')"],
    ["script-src 'self'; object-src 'none'", null],
    ['default-src *', 'script sources allow *'],
    ["style-src 'self'", 'the CSP sets neither script-src nor default-src'],
  ])('%s → %s', (policy, expected) => {
    expect(weakCsp(policy)).toBe(expected);
  });
});
