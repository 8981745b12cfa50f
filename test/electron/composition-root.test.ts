/**
 * electron/main/index.ts, the one file that loads `electron`, run against a fake `electron` module
 * (vi.mock): the adapter it builds around the real API, the paths it finds, what it does before `ready`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { FakeElectron } from './fake-electron.ts';
import { REPO, flush } from './desktop-harness.ts';

const state = vi.hoisted(() => ({
  fake: null as unknown as import('./fake-electron.ts').FakeElectron,
  calls: [] as string[],
  userData: '',
}));

vi.mock('electron', async () => {
  const { fakeElectronModule } = await import('./electron-module.ts');
  return fakeElectronModule(state);
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
