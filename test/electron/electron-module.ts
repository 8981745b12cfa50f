/**
 * A stand-in for the `electron` module itself (what `vi.mock('electron', …)` returns), built on FakeElectron:
 * the composition root (electron/main/index.ts) and the built app's bundle load it instead of Electron.
 * `calls` records what the root does before `ready` that FakeElectron does not keep.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';
import { FakeElectron, type FakeWindow } from './fake-electron.ts';

export interface ElectronModuleState {
  fake: FakeElectron;
  calls: string[];
  userData: string;
}

export function fakeElectronModule(state: ElectronModuleState): Record<string, unknown> {
  state.userData = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-root-'));
  const fake = new FakeElectron(state.userData);
  state.fake = fake;
  const app = Object.assign(fake.app, {
    enableSandbox: () => state.calls.push('enableSandbox'),
  });
  function BrowserWindow(options: BrowserWindowConstructorOptions): FakeWindow {
    return fake.createWindow(options);
  }
  function Tray(image: string) {
    const tray = fake.createTray(image);
    return {
      setImage: (p: string) => tray.setImage(p),
      setToolTip: (t: string) => tray.setToolTip(t),
      setContextMenu: (menu: MenuItemConstructorOptions[]) => tray.setMenu(menu),
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
}
