import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError } from '../../node-core/index.ts';
import { FIRST_RUN_PAGE, cleanupAll, fakeRunningNode, startHarness } from './desktop-harness.ts';

afterEach(cleanupAll);

describe('first run', () => {
  it('opens the set-up window, not the dashboard, when nothing is stored', async () => {
    const { electron, desktop } = startHarness();
    electron.app.markReady();
    await desktop.ready;
    expect(electron.openWindows().map((w) => w.loadedUrls[0])).toEqual(['tandem://first-run/index.html']);
    expect(electron.privilegedSchemes).toEqual(['tandem']);
    expect(electron.protocol.handlers.has('tandem')).toBe(true);
    expect(desktop.host.snapshot.phase).toBe('unconfigured');
    expect(electron.tray.images.at(-1)).toMatch(/attention\.png$/);
    expect(electron.tray.menu[0]?.label).toBe('Set up this PC…');
  });

  it('offers this PC as the pair name and node-core’s default ports', async () => {
    const { electron, desktop } = startHarness();
    electron.app.markReady();
    await desktop.ready;
    expect(await electron.ipcMain.invoke('first-run:get-defaults', FIRST_RUN_PAGE)).toEqual({
      ok: true,
      value: { name: 'gateway-a', apiPort: 8088, peerPort: 8099, masterPort: 8099 },
    });
  });

  it.each([
    [{ masterHost: 'plc 7' }, 'masterHost', 'is not a host name or IP address'],
    [{ masterHost: '' }, 'masterHost', 'is required'],
    [{ masterPort: 0 }, 'masterPort', 'must be between 1 and 65535'],
    [{ masterPort: 99999 }, 'masterPort', 'must be between 1 and 65535'],
    [{ masterPort: Number.NaN }, 'masterPort', 'must be a number'],
    [{ apiPort: 'eighty' }, 'apiPort', 'must be a number'],
  ])('refuses %o with an error naming %s, and starts nothing', async (change, field, problem) => {
    const { electron, desktop, starts } = startHarness();
    electron.app.markReady();
    await desktop.ready;
    const answers = {
      mode: 'backup',
      name: 'line-1',
      apiPort: 8088,
      masterHost: '10.0.0.11',
      masterPort: 8099,
      ...change,
    };
    const result = await electron.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, answers);
    expect(result).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: `${field}: ${problem}`, fields: { [field]: problem } },
    });
    expect(starts).toEqual([]);
    expect(desktop.host.snapshot.phase).toBe('unconfigured');
  });

  it.each([
    [
      { mode: 'independent', name: 'line-1', apiPort: 8088 },
      { name: 'line-1', mode: 'independent', apiPort: 8088 },
    ],
    [
      { mode: 'master', name: ' line-1 ', apiPort: 8088, peerPort: 9000 },
      { name: 'line-1', mode: 'master', apiPort: 8088, peerPort: 9000 },
    ],
    [
      { mode: 'backup', name: 'line-1', apiPort: 8089, masterHost: '10.0.0.11', masterPort: 9000 },
      { name: 'line-1', mode: 'backup', apiPort: 8089, masterHost: '10.0.0.11', masterPort: 9000 },
    ],
  ])('passes %o to createNode as %o, in userData/node', async (answers, settings) => {
    const running = fakeRunningNode();
    const { electron, desktop, starts, userData } = startHarness({
      createNode: () => Promise.resolve(running),
    });
    electron.app.markReady();
    await desktop.ready;
    const result = await electron.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, answers);
    expect(result).toMatchObject({ ok: true, value: { fingerprint: 'ab'.repeat(32) } });
    expect(starts).toEqual([{ dataDir: path.join(userData, 'node'), dashboardDir: null, settings }]);
    // Remembered: the next start uses the node's stored settings.
    expect(JSON.parse(fs.readFileSync(path.join(userData, 'desktop-settings.json'), 'utf8'))).toMatchObject({
      nodeConfigured: true,
    });
  });

  it('a port that is taken comes back naming the field, and the PC stays unconfigured', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const { electron, desktop, userData } = startHarness({ realPorts: true });
      electron.app.markReady();
      await desktop.ready;
      const result = await electron.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, {
        mode: 'independent',
        name: 'line-1',
        apiPort: taken,
      });
      expect(result).toEqual({
        ok: false,
        error: {
          code: 'PORT_TAKEN',
          message: `API port ${taken} is already in use`,
          fields: { apiPort: `API port ${taken} is already in use` },
        },
      });
      expect(desktop.host.snapshot.phase).toBe('unconfigured');
      expect(fs.existsSync(path.join(userData, 'desktop-settings.json'))).toBe(false);
      // No fault notification: the form shows the error.
      expect(electron.notifications).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('maps any other start error to its code', async () => {
    const { electron, desktop } = startHarness({
      createNode: () => Promise.reject(new StartupError('LICENSE_KEY', 'license public key cannot be read')),
    });
    electron.app.markReady();
    await desktop.ready;
    expect(
      await electron.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, {
        mode: 'independent',
        name: 'x',
        apiPort: 8088,
      }),
    ).toEqual({ ok: false, error: { code: 'LICENSE_KEY', message: 'license public key cannot be read' } });
  });

  it('end to end with a real node: set up, open the dashboard, hand the page its connection', async () => {
    const { electron, desktop } = startHarness();
    electron.app.markReady();
    await desktop.ready;
    const started = (await electron.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, {
      mode: 'independent',
      name: 'line-1',
      apiPort: 8088,
    })) as { ok: true; value: { apiUrl: string; fingerprint: string; mode: string } };
    expect(started.ok).toBe(true);
    expect(started.value.mode).toBe('independent');
    expect(started.value.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(electron.tray.images.at(-1)).toMatch(/active\.png$/);

    // Answering again is refused: later changes go through the dashboard.
    expect(
      await electron.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, {
        mode: 'independent',
        name: 'x',
        apiPort: 8088,
      }),
    ).toMatchObject({ ok: false, error: { code: 'BUSY' } });

    expect(await electron.ipcMain.invoke('window:open-dashboard', FIRST_RUN_PAGE)).toEqual({
      ok: true,
      value: null,
    });
    const [firstRun, dashboard] = electron.windows;
    expect(firstRun?.closed).toBe(true);
    const origin = new URL(started.value.apiUrl).origin;
    expect(dashboard?.loadedUrls).toEqual([`${origin}/`]);
    expect(dashboard?.loadedUrls[0]).not.toContain('token');

    const connection = (await electron.ipcMain.invoke('connection:get', { url: `${origin}/#/overview` })) as {
      ok: true;
      value: { apiUrl: string; token: string };
    };
    expect(connection.value.apiUrl).toBe(started.value.apiUrl);
    const status = await fetch(`${connection.value.apiUrl}/api/status`, {
      headers: { authorization: `Bearer ${connection.value.token}` },
    });
    expect(status.status).toBe(200);
    // The first-run page never gets the token.
    expect(await electron.ipcMain.invoke('connection:get', FIRST_RUN_PAGE)).toMatchObject({
      error: { code: 'FORBIDDEN_SENDER' },
    });
  });
});
