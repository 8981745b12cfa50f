import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError, type RunningNode } from '../../node-core/index.ts';
import { startDesktop } from '../../electron/main/desktop-app.ts';
import { CONFIRM_BUTTON, CANCEL_BUTTON } from '../../electron/main/quit-flow.ts';
import { AUTOSTART_FILE, autostartEntry, quoteExecArg } from '../../electron/main/login-item.ts';
import { DASHBOARD_NOT_READY } from './expect-helpers.ts';
import { FakeElectron, cancellable } from './fake-electron.ts';
import { failoverEvent } from './fixtures.ts';
import { cleanupAll, flush, startHarness, untilSnapshot } from './desktop-harness.ts';

afterEach(cleanupAll);

async function runningDesktop(options: Parameters<typeof startHarness>[0] = {}) {
  const harness = startHarness({ configured: true, ...options });
  harness.electron.app.markReady();
  await harness.desktop.ready;
  await untilSnapshot(harness.desktop, (s) => s.phase === 'running' || s.phase === 'failed');
  await flush();
  return harness;
}

function running(harness: { desktop: { host: { running: RunningNode | null } } }): RunningNode {
  const node = harness.desktop.host.running;
  if (!node) throw new Error('no node running');
  return node;
}

describe('one instance per PC', () => {
  it('a second instance quits at once and touches nothing', () => {
    const electron = new FakeElectron(path.join(os.tmpdir(), 'tandem-never-created'));
    electron.app.gotLock = false;
    const desktop = startDesktop(electron, {
      createNode: () => Promise.reject(new Error('must not start')),
      startMonitor: () => Promise.reject(new Error('must not start')),
      clock: { now: () => 0, setTimeout: () => ({ id: 0 }), clearTimeout: () => undefined },
      hostName: 'x',
      platform: 'linux',
      executable: '/x',
      startHidden: false,
      log: () => undefined,
      paths: {
        preload: '',
        firstRunDir: '',
        trayDir: '',
        windowIcon: '',
        dashboardDir: null,
        autostartDir: '',
      },
    });
    expect(desktop).toBeNull();
    expect(electron.app.quitCalls).toBe(1);
    expect(electron.windows).toEqual([]);
    expect(electron.trays).toEqual([]);
    expect(electron.ipcMain.handlers.size).toBe(0);
    expect(fs.existsSync(path.join(os.tmpdir(), 'tandem-never-created'))).toBe(false);
  });

  it('the first instance focuses its window when a second one starts', async () => {
    const { electron } = await runningDesktop();
    const [window] = electron.windows;
    window!.minimized = true;
    electron.app.emit('second-instance');
    expect(electron.windows).toHaveLength(1);
    expect(window!.minimized).toBe(false);
    expect(window!.focused).toBe(1);
  });
});

describe('a configured PC', () => {
  it('starts its node from the stored settings and opens the dashboard on its origin, without the token', async () => {
    const harness = await runningDesktop();
    const { electron, starts, userData } = harness;
    expect(starts).toEqual([{ dataDir: path.join(userData, 'node'), dashboardDir: null }]);
    const node = running(harness);
    expect(electron.windows).toHaveLength(1);
    expect(electron.windows[0]!.loadedUrls).toEqual([`${new URL(node.apiUrl).origin}/`]);
    expect(electron.windows[0]!.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
    });
    expect(electron.app.appUserModelId).toBe('com.tandem.desktop');
    // The session puts the dashboard's CSP on the node's responses.
    const csp = electron.session.respond(`${node.apiUrl}/`, {}).responseHeaders?.['Content-Security-Policy'];
    expect(String(csp)).toContain(`connect-src 'self' ws://${new URL(node.apiUrl).host}`);
  });

  it('started at login (--hidden) it runs in the tray without a window', async () => {
    const { electron, desktop } = await runningDesktop({ startHidden: true });
    expect(desktop.host.snapshot.phase).toBe('running');
    expect(electron.windows).toEqual([]);
    electron.tray.choose('Open dashboard');
    expect(electron.openWindows()).toHaveLength(1);
  });

  it('closing the window keeps the node running in the tray, and says so once', async () => {
    const harness = await runningDesktop();
    const { electron, desktop } = harness;
    electron.windows[0]!.close();
    electron.app.emit('window-all-closed');
    expect(desktop.host.snapshot.phase).toBe('running');
    expect(electron.app.quitCalls).toBe(0);
    expect(electron.notifications.map((n) => n.title)).toEqual(['Tandem is still running']);
    const status = await fetch(`${running(harness).apiUrl}/api/status`, {
      headers: { authorization: `Bearer ${running(harness).token}` },
    });
    expect(status.status).toBe(200);
    electron.tray.choose('Open dashboard');
    electron.windows[1]!.close();
    expect(electron.notifications).toHaveLength(1);
  });

  it('shows the node in the tray: image, tooltip with its status, menu', async () => {
    const { electron } = await runningDesktop();
    expect(electron.tray.images.at(-1)).toMatch(/assets[/\\]tray[/\\]active\.png$/);
    expect(electron.tray.tooltips.at(-1)).toBe('Tandem gateway-a\nThis PC (independent): Running');
    expect(electron.tray.menu.map((i) => i.label ?? i.type)).toEqual([
      'Open dashboard',
      'separator',
      'Start at login',
      'separator',
      'Quit Tandem',
    ]);
  });

  it('notifies what the node reports about itself, and a click opens the dashboard where it matters', async () => {
    const harness = await runningDesktop();
    const { electron } = harness;
    const node = running(harness).node;
    node.emit(
      'event',
      failoverEvent('certificate-pending', { nodeId: node.nodeId, reason: 'certificate ab12 waits' }),
    );
    node.emit('event', failoverEvent('peer-lost', { nodeId: 'someone-else' }));
    expect(electron.notifications.map((n) => n.title)).toEqual(['A certificate waits for approval']);
    electron.notifications[0]!.click();
    expect(electron.windows[0]!.webContents.sent).toEqual([
      { channel: 'window:navigate', args: ['certificates'] },
    ]);
  });

  it('a node that stops by itself turns the tray to fault and tells the operator', async () => {
    const harness = await runningDesktop();
    const { electron, desktop } = harness;
    await running(harness).node.stop();
    expect(desktop.host.snapshot).toEqual({ phase: 'failed', reason: 'the node stopped unexpectedly' });
    expect(electron.tray.images.at(-1)).toMatch(/fault\.png$/);
    expect(electron.notifications.map((n) => n.title)).toContain('Tandem node is not running');
  });
});

describe('a node that cannot start', () => {
  it('shows fault, says why, and starts again from the tray', async () => {
    let attempts = 0;
    const harness = await runningDesktop({
      createNode: (options, deps) => {
        attempts++;
        if (attempts === 1)
          return Promise.reject(new StartupError('PORT_TAKEN', 'API port 8088 is already in use'));
        return import('../../node-core/index.ts').then(({ createNode }) =>
          createNode({ ...options, settings: { apiPort: 0, peerPort: 0 } }, deps),
        );
      },
    });
    const { electron, desktop } = harness;
    expect(desktop.host.snapshot.phase).toBe('failed');
    expect(electron.tray.images.at(-1)).toMatch(/fault\.png$/);
    expect(electron.tray.tooltips.at(-1)).toContain('API port 8088 is already in use');
    expect(electron.notifications.map((n) => n.title)).toEqual(['Tandem node is not running']);
    expect(electron.dialog.shown[0]?.detail).toContain('API port 8088 is already in use');
    expect(electron.windows).toEqual([]);

    electron.tray.choose('Start the node again');
    await untilSnapshot(desktop, (s) => s.phase === 'running');
    expect(electron.tray.images.at(-1)).toMatch(/active\.png$/);
  });
});

describe('quit', () => {
  it('an active node asks, then hands over and stops before the app exits', async () => {
    const harness = await runningDesktop();
    const { electron, desktop } = harness;
    const { apiUrl, token } = running(harness);

    electron.tray.choose('Quit Tandem');
    expect(electron.dialog.shown.at(-1)?.message).toContain('is active');
    electron.dialog.answer(CONFIRM_BUTTON);
    await desktop.quit.settled;

    expect(desktop.host.snapshot.phase).toBe('stopped');
    expect(electron.app.exitCodes).toEqual([0]);
    expect(electron.tray.destroyed).toBe(true);
    await expect(
      fetch(`${apiUrl}/api/status`, { headers: { authorization: `Bearer ${token}` } }),
    ).rejects.toThrow();
  });

  it('cancelled, the node keeps running', async () => {
    const harness = await runningDesktop();
    const { electron, desktop } = harness;
    const event = electron.app.beforeQuit();
    expect(event.prevented).toBe(true);
    electron.dialog.answer(CANCEL_BUTTON);
    await desktop.quit.settled;
    expect(desktop.host.snapshot.phase).toBe('running');
    expect(electron.app.exitCodes).toEqual([]);
  });

  it('a system shutdown stops cleanly without asking', async () => {
    const harness = await runningDesktop();
    const { electron, desktop } = harness;
    const event = cancellable();
    for (const listener of electron.shutdownListeners) listener(event);
    expect(event.prevented).toBe(true);
    await desktop.quit.settled;
    expect(electron.dialog.shown).toEqual([]);
    expect(electron.app.exitCodes).toEqual([0]);
  });
});

describe('start at login', () => {
  it('on Linux writes and removes an XDG autostart entry that starts hidden', async () => {
    const { electron, userData } = await runningDesktop({ platform: 'linux' });
    const dashboard = { url: `${new URL(electron.windows[0]!.loadedUrls[0]!).origin}/` };
    expect(await electron.ipcMain.invoke('preferences:set', dashboard, { openAtLogin: true })).toEqual({
      ok: true,
      value: { openAtLogin: true },
    });
    const file = path.join(userData, 'autostart', AUTOSTART_FILE);
    expect(fs.readFileSync(file, 'utf8')).toContain('Exec=/opt/Tandem/tandem --hidden');
    expect(electron.tray.menu.find((i) => i.label === 'Start at login')?.checked).toBe(true);
    electron.tray.choose('Start at login');
    expect(fs.existsSync(file)).toBe(false);
    expect(await electron.ipcMain.invoke('preferences:get', dashboard)).toEqual({
      ok: true,
      value: { openAtLogin: false },
    });
  });

  it("on Windows uses Electron's login item with --hidden", async () => {
    const { electron } = await runningDesktop({ platform: 'win32' });
    electron.tray.choose('Start at login');
    expect(electron.app.loginItems).toEqual([{ openAtLogin: true, args: ['--hidden'] }]);
  });

  it('quotes the executable the way the Desktop Entry spec wants', () => {
    expect(quoteExecArg('/opt/Tandem/tandem')).toBe('/opt/Tandem/tandem');
    expect(quoteExecArg('/home/op/My Apps/Tandem.AppImage')).toBe('"/home/op/My Apps/Tandem.AppImage"');
    expect(quoteExecArg('/x/$HOME "y"')).toBe('"/x/\\\\$HOME \\\\"y\\\\""');
    expect(autostartEntry('/x')).toContain('[Desktop Entry]');
  });
});

describe('while the node is not there yet', () => {
  it('the dashboard may not ask for a connection', async () => {
    let fail: (error: Error) => void = () => undefined;
    const harness = startHarness({
      configured: true,
      createNode: () => new Promise((_resolve, reject) => (fail = reject)),
    });
    harness.electron.app.markReady();
    await harness.desktop.ready;
    expect(harness.desktop.host.snapshot.phase).toBe('starting');
    expect(await harness.electron.ipcMain.invoke('connection:get', DASHBOARD_NOT_READY)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_SENDER' },
    });
    expect(harness.electron.tray.tooltips.at(-1)).toContain('Starting');
    // Asked to open meanwhile, the dashboard opens once the node runs; here the start fails instead.
    harness.electron.tray.choose('Open dashboard');
    fail(new Error('gave up'));
    await untilSnapshot(harness.desktop, (s) => s.phase === 'failed');
    expect(harness.electron.windows).toEqual([]);
  });
});
