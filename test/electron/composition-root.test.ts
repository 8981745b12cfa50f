/**
 * electron/main/index.ts, the one file that loads `electron`, run against a fake `electron` module
 * (vi.mock): the adapter it builds around the real API, the paths it finds, what it does before `ready`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FakeElectron, type FakeWindow } from './fake-electron.ts';
import { REPO, flush } from './desktop-harness.ts';

const state = vi.hoisted(() => ({
  fake: null as unknown as import('./fake-electron.ts').FakeElectron,
  calls: [] as string[],
  userData: '',
}));

vi.mock('electron', async () => {
  const { FakeElectron: Fake } = await import('./fake-electron.ts');
  const nodeFs = await import('node:fs');
  const nodeOs = await import('node:os');
  const nodePath = await import('node:path');
  state.userData = nodeFs.mkdtempSync(nodePath.join(nodeOs.tmpdir(), 'tandem-root-'));
  const fake = new Fake(state.userData);
  state.fake = fake;
  const app = Object.assign(fake.app, {
    enableSandbox: () => state.calls.push('enableSandbox'),
  });
  function BrowserWindow(options: import('electron').BrowserWindowConstructorOptions): FakeWindow {
    return fake.createWindow(options);
  }
  function Tray(image: string) {
    const tray = fake.createTray(image);
    return {
      setImage: (p: string) => tray.setImage(p),
      setToolTip: (t: string) => tray.setToolTip(t),
      setContextMenu: (menu: import('electron').MenuItemConstructorOptions[]) => tray.setMenu(menu),
      on: (_event: 'click', listener: () => void) => tray.onClick(listener),
      destroy: () => tray.destroy(),
    };
  }
  class Notification {
    static isSupported = (): boolean => true;
    readonly options: { title: string; body: string };
    constructor(options: { title: string; body: string }) {
      this.options = options;
    }
    on(): this {
      return this;
    }
    show(): void {
      fake.showNotification(this.options, () => undefined);
    }
  }
  return {
    app,
    BrowserWindow,
    Tray,
    Notification,
    dialog: fake.dialog,
    ipcMain: fake.ipcMain,
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (menu: unknown) => state.calls.push(`setApplicationMenu:${String(menu)}`),
    },
    powerMonitor: { on: () => undefined },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) =>
        state.calls.push(`privileged:${JSON.stringify(schemes)}`),
      handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>) =>
        fake.protocol.handle(scheme, handler),
    },
    session: {
      get defaultSession() {
        return fake.session;
      },
    },
  };
});

afterAll(() => {
  fs.rmSync(state.userData, { recursive: true, force: true });
});

describe('the composition root', () => {
  it('sandboxes every renderer, drops the default menu and registers tandem:// before ready', async () => {
    await import('../../electron/main/index.ts');
    expect(state.calls).toEqual([
      'enableSandbox',
      'setApplicationMenu:null',
      `privileged:${JSON.stringify([{ scheme: 'tandem', privileges: { standard: true, secure: true } }])}`,
    ]);
    expect(state.fake.windows).toEqual([]);
  });

  it('on ready, opens the first-run window with the secure preferences forced by the adapter', async () => {
    const fake: FakeElectron = state.fake;
    fake.app.markReady();
    await flush();
    expect(fake.windows).toHaveLength(1);
    const window = fake.windows[0]!;
    expect(window.loadedUrls).toEqual(['tandem://first-run/index.html']);
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      preload: path.join(REPO, 'electron', 'preload', 'index.cjs'),
    });
  });

  it('finds the tray images and serves the first-run page from the app folder', async () => {
    const fake: FakeElectron = state.fake;
    const image = fake.tray.images[0]!;
    expect(image).toBe(path.join(REPO, 'assets', 'tray', 'attention.png'));
    expect(fs.existsSync(image)).toBe(true);
    const response = await fake.protocol.handlers.get('tandem')!(
      new Request('tandem://first-run/index.html'),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Set up this PC');
  });
});
