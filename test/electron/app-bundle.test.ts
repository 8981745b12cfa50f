/**
 * The desktop app as `npm run build:electron` builds it: one bundle of the main process and node-core
 * (dist/app/electron/main/index.js, electron/build/bundle-main.ts), loaded here against the fake `electron`
 * module. It must find its files in dist/app (preload, first-run page, tray images, package.json for the
 * version) and start a real node from the bundle, store thread included.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakeElectron } from './fake-electron.ts';
import { FIRST_RUN_PAGE, REPO, flush } from './desktop-harness.ts';

const APP = path.join(REPO, 'dist/app');
const BUNDLE = path.join(APP, 'electron/main/index.js');

const state = vi.hoisted(() => ({
  fake: null as unknown as import('./fake-electron.ts').FakeElectron,
  calls: [] as string[],
  userData: '',
}));

vi.mock('electron', async () => {
  const { fakeElectronModule } = await import('./electron-module.ts');
  return fakeElectronModule(state);
});

beforeAll(() => {
  const result = spawnSync('npm', ['run', 'build:electron'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 170_000,
  });
  if (result.status !== 0)
    throw new Error(`npm run build:electron failed:\n${result.stdout}\n${result.stderr}`);
}, 180_000);

afterAll(async () => {
  const fake = state.fake as FakeElectron | null;
  if (fake && fake.app.exitCodes.length === 0) {
    // Quit as the operator does: the active node asks first, then hands over and the app exits.
    fake.app.quit();
    await vi.waitFor(() => expect(fake.dialog.open).toBe(1));
    fake.dialog.answer(0);
    await vi.waitFor(() => expect(fake.app.exitCodes).not.toEqual([]), { timeout: 20_000 });
  }
  if (state.userData) fs.rmSync(state.userData, { recursive: true, force: true });
}, 30_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('the built desktop app (dist/app)', () => {
  it('is one bundle: no compiled node-core beside it, the store thread program next to it', () => {
    expect(fs.existsSync(BUNDLE)).toBe(true);
    expect(fs.existsSync(path.join(APP, 'electron/main/store-worker.js'))).toBe(true);
    expect(fs.existsSync(path.join(APP, 'node-core'))).toBe(false);
    expect(fs.existsSync(path.join(APP, 'electron/main/desktop-app.js'))).toBe(false);
  });

  it('opens the first-run window with the preload and page from dist/app', async () => {
    await import(BUNDLE);
    expect(state.calls[0]).toBe('enableSandbox');
    const fake: FakeElectron = state.fake;
    fake.app.markReady();
    await flush();
    const window = fake.windows[0]!;
    expect(window.options.webPreferences?.preload).toBe(path.join(APP, 'electron/preload/index.cjs'));
    expect(fs.existsSync(window.options.webPreferences!.preload!)).toBe(true);
    expect(fake.tray.images[0]).toBe(path.join(APP, 'assets/tray/attention.png'));
    const page = await fake.protocol.handlers.get('tandem')!(new Request('tandem://first-run/index.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Set up this PC');
  });

  it('starts a real node from the bundle, which reports the package version', async () => {
    const fake: FakeElectron = state.fake;
    const started = (await fake.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, {
      mode: 'independent',
      name: 'bundle-test',
      apiPort: await freePort(),
    })) as { ok: boolean; value: { apiUrl: string } };
    expect(started).toMatchObject({ ok: true });
    const token = fs.readFileSync(path.join(state.userData, 'node', 'admin-token'), 'utf8').trim();
    const status = (await (
      await fetch(`${started.value.apiUrl}/api/status`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { node: { status: string; version: string } };
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(status.node).toMatchObject({ status: 'active', version: pkg.version });
  });
});
