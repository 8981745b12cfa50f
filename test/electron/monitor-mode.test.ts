import { X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetView, RunningMonitor, startMonitor } from '../../node-core/monitor/index.ts';
import { NOTICE_INTERVAL_MS } from '../../electron/main/notification-rules.ts';
import type { Desktop } from '../../electron/main/desktop-app.ts';
import { dashboardCsp } from '../../electron/main/window.ts';
import { loadOrCreateIdentity } from '../../node-core/trust/index.ts';
import { FIRST_RUN_PAGE, REPO, cleanupAll, flush, startHarness, untilMonitor } from './desktop-harness.ts';
import { fleet, pairs } from './fleet-views.ts';

afterEach(cleanupAll);

/** A port nothing listens on: the monitor's reads there are refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A monitor file of three pairs whose nodes do not answer, in the harness's userData. */
async function monitorFile(dir: string, text?: string): Promise<string> {
  const file = path.join(dir, 'fleet.json');
  const port = await closedPort();
  const node = (n: number) => ({ url: `http://127.0.0.1:${port}/n${n}`, token: `token-${n}` });
  const config = {
    pairs: [1, 2, 3].map((n) => ({ name: `line-${n}`, nodes: [node(n * 2 - 1), node(n * 2)] })),
  };
  fs.writeFileSync(file, text ?? JSON.stringify(config));
  return file;
}

/** Resolves once `shown()` holds, looked at after each change of the monitor. */
function untilShown(desktop: Desktop, shown: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!shown()) return;
      desktop.monitor.off('changed', check);
      resolve();
    };
    desktop.monitor.on('changed', check);
    check();
  });
}

/** node-core's monitor as the desktop sees it, with a fleet the test sets. */
class FakeMonitor {
  /** Fingerprints the monitor file pins, by origin. */
  readonly pins = new Map<string, string>();
  readonly fleet = Object.assign(new EventEmitter(), {
    view: (): FleetView => this.#view,
    pinnedFingerprint: (url: string): string | null => this.pins.get(new URL(url).origin) ?? null,
  });
  readonly argv: string[][] = [];
  stops = 0;
  #view: FleetView = fleet(
    pairs.reading('line-1', 1),
    pairs.reading('line-2', 2),
    pairs.reading('line-3', 3),
  );

  readonly start: typeof startMonitor = (argv) => {
    this.argv.push(argv);
    const running = {
      url: 'http://127.0.0.1:45990',
      token: 'monitor-token-0123456789',
      fleet: this.fleet,
      stop: () => {
        this.stops++;
        return Promise.resolve();
      },
    };
    return Promise.resolve(running as unknown as RunningMonitor);
  };

  show(view: FleetView): void {
    this.#view = view;
    this.fleet.emit('change', view);
  }
}

const FLEET_URL = 'http://127.0.0.1:45990/#token=monitor-token-0123456789';

async function monitoringDesktop(options: { startHidden?: boolean } = {}) {
  const monitor = new FakeMonitor();
  const harness = startHarness({
    settings: { monitorConfig: '/srv/tandem/fleet.json' },
    startMonitor: monitor.start,
    ...options,
  });
  harness.electron.app.markReady();
  await harness.desktop.ready;
  await untilMonitor(harness.desktop, (s) => s.phase === 'running');
  await flush();
  return { ...harness, monitor };
}

describe('first run: Monitor pairs', () => {
  it('offers "Monitor pairs" alongside independent, master and backup, asking for the monitor file', () => {
    const html = fs.readFileSync(path.join(REPO, 'electron', 'first-run', 'index.html'), 'utf8');
    const modes = [...html.matchAll(/name="mode" value="([a-z]+)"/g)].map((m) => m[1]);
    expect(modes).toEqual(['independent', 'master', 'backup', 'monitor']);
    expect(html).toContain('<b>Monitor pairs</b>');
    expect(html).toMatch(/<label for="configFile">Monitor file \(full path\)<\/label>/);
    expect(html).toContain('data-error-for="configFile"');
  });

  it.each([
    ['not JSON', '{"pairs": [', (file: string) => `--config ${file}: not JSON`],
    [
      'a node address that is not http',
      JSON.stringify({
        pairs: [
          {
            name: 'a',
            nodes: [
              { url: 'ftp://x', token: 't' },
              { url: 'http://y', token: 't' },
            ],
          },
        ],
      }),
      (file: string) => `--config ${file}: pairs.0.nodes.0.url: must be an http:// or https:// address`,
    ],
    ['no pairs', '{"pairs": []}', (file: string) => `--config ${file}: pairs: must list at least one pair`],
  ])(
    'a monitor file with %s is refused with the monitor’s own message, and nothing is saved or started',
    async (_case, text, message) => {
      const monitor = new FakeMonitor();
      const { electron, desktop, userData, starts } = startHarness({ startMonitor: monitor.start });
      electron.app.markReady();
      await desktop.ready;
      const file = await monitorFile(userData, text);
      const result = (await electron.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, {
        mode: 'monitor',
        configFile: file,
      })) as { ok: false; error: { code: string; message: string; fields: { configFile: string } } };
      expect(result.ok).toBe(false);
      expect(result.error.code).toBe('BAD_INPUT');
      expect(result.error.fields.configFile.startsWith(message(file))).toBe(true);
      expect(result.error.message).toBe(`configFile: ${result.error.fields.configFile}`);
      expect(monitor.argv).toEqual([]);
      expect(starts).toEqual([]);
      expect(fs.existsSync(path.join(userData, 'desktop-settings.json'))).toBe(false);
      expect(electron.tray.menu[0]?.label).toBe('Set up this PC…');
    },
  );

  it.each([
    [
      'a relative path',
      'fleet.json',
      'must be a full path to the monitor file (like /home/operator/fleet.json)',
    ],
    [
      'a file that is not there',
      '/nonexistent/fleet.json',
      '--config /nonexistent/fleet.json: cannot be read (ENOENT)',
    ],
  ])('%s is refused naming the field', async (_case, configFile, problem) => {
    const monitor = new FakeMonitor();
    const { electron, desktop, userData } = startHarness({ startMonitor: monitor.start });
    electron.app.markReady();
    await desktop.ready;
    expect(
      await electron.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, { mode: 'monitor', configFile }),
    ).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: `configFile: ${problem}`, fields: { configFile: problem } },
    });
    expect(monitor.argv).toEqual([]);
    expect(fs.existsSync(path.join(userData, 'desktop-settings.json'))).toBe(false);
  });

  it('end to end with the real monitor: a good file starts it, it is remembered, the window shows the fleet dashboard, the tray and notifications follow three pairs', async () => {
    const { electron, desktop, userData, starts } = startHarness();
    electron.app.markReady();
    await desktop.ready;
    const file = await monitorFile(userData);
    const started = (await electron.ipcMain.invoke('first-run:submit', FIRST_RUN_PAGE, {
      mode: 'monitor',
      configFile: file,
    })) as { ok: true; value: { mode: string; pairs: number; apiUrl: string } };
    expect(started).toMatchObject({ ok: true, value: { mode: 'monitor', pairs: 3 } });
    expect(starts).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(userData, 'desktop-settings.json'), 'utf8'))).toMatchObject({
      monitorConfig: file,
      nodeConfigured: false,
    });

    await electron.ipcMain.invoke('window:open-dashboard', FIRST_RUN_PAGE);
    const [firstRun, dashboard] = electron.windows;
    expect(firstRun?.closed).toBe(true);
    const token = fs.readFileSync(path.join(userData, 'monitor', 'admin-token'), 'utf8').trim();
    expect(dashboard?.loadedUrls).toEqual([`${started.value.apiUrl}/#token=${token}`]);
    expect(electron.session.respond(`${started.value.apiUrl}/`, {})).toMatchObject({
      responseHeaders: { 'Content-Security-Policy': [dashboardCsp(started.value.apiUrl)] },
    });
    const answer = await fetch(`${started.value.apiUrl}/api/fleet`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await answer.json()) as FleetView).pairs.map((p) => p.name).sort()).toEqual([
      'line-1',
      'line-2',
      'line-3',
    ]);

    // Nothing answers at those addresses: every pair is down, the tray a fault, one notification per pair.
    // The snapshot's fleet may be ahead of the monitor's last `change` event: wait for what the app showed.
    await untilShown(desktop, () => electron.notifications.length === 3);
    expect(electron.tray.images.at(-1)).toMatch(/fault\.png$/);
    expect(electron.tray.tooltips.at(-1)).toBe(
      'Tandem monitor: 3 pairs\n3 down\n! line-1: Down: neither node answers',
    );
    expect(electron.notifications.map((n) => n.title).sort()).toEqual([
      'line-1: Down',
      'line-2: Down',
      'line-3: Down',
    ]);
  });
});

describe('a PC set up to monitor pairs', () => {
  it('starts the monitor with its file at the next start, no node, and opens the fleet dashboard', async () => {
    const { electron, monitor, starts, userData } = await monitoringDesktop();
    expect(starts).toEqual([]);
    expect(monitor.argv).toEqual([
      [
        '--config',
        '/srv/tandem/fleet.json',
        '--data-dir',
        path.join(userData, 'monitor'),
        '--api-host',
        '127.0.0.1',
        '--api-port',
        '0',
      ],
    ]);
    expect(electron.openWindows().map((w) => w.loadedUrls)).toEqual([[FLEET_URL]]);
    expect(electron.tray.menu[0]?.label).toBe('Open fleet dashboard');
  });

  it('started at login: the monitor runs in the tray, no window', async () => {
    const { electron } = await monitoringDesktop({ startHidden: true });
    expect(electron.windows).toEqual([]);
    expect(electron.tray.tooltips.at(-1)).toMatch(/^Tandem monitor/);
  });

  it('the tray shows the worst state of three pairs as they change', async () => {
    const { electron, monitor } = await monitoringDesktop();
    monitor.show(fleet(pairs.healthy('line-1', 1), pairs.healthy('line-2', 2), pairs.healthy('line-3', 3)));
    expect(electron.tray.images.at(-1)).toMatch(/active\.png$/);
    monitor.show(
      fleet(pairs.healthy('line-1', 1), pairs.failedOver('line-2', 2), pairs.healthy('line-3', 3)),
    );
    expect(electron.tray.images.at(-1)).toMatch(/attention\.png$/);
    monitor.show(fleet(pairs.healthy('line-1', 1), pairs.failedOver('line-2', 2), pairs.down('line-3', 3)));
    expect(electron.tray.images.at(-1)).toMatch(/fault\.png$/);
    expect(electron.tray.tooltips.at(-1)).toBe(
      'Tandem monitor: 3 pairs\n1 down, 1 failed over, 1 healthy\n! line-3: Down: neither node answers',
    );
    // A healthy start is no news; the two changes are.
    expect(electron.notifications.map((n) => [n.title, n.body])).toEqual([
      [
        'line-2: Failed over',
        'The backup runs the plant. Failover in 3 s: master lost (missed heartbeats). Before: healthy.',
      ],
      ['line-3: Down', 'Neither node answers. Before: healthy.'],
    ]);
  });

  it('a click on a notification opens that pair: the dashboard of the node that runs it, in the window', async () => {
    const { electron, monitor } = await monitoringDesktop();
    monitor.show(fleet(pairs.healthy('line-1', 1), pairs.healthy('line-2', 2), pairs.healthy('line-3', 3)));
    monitor.show(
      fleet(pairs.healthy('line-1', 1), pairs.failedOver('line-2', 2), pairs.healthy('line-3', 3)),
    );
    const [window] = electron.windows;
    electron.notifications[0]!.click();
    expect(window!.loadedUrls.at(-1)).toBe('http://10.0.2.12:8088/');
    expect(electron.windows).toHaveLength(1);
    // The node's page gets a dashboard's policy; other addresses still nothing.
    expect(electron.session.respond('http://10.0.2.12:8088/', {})).toMatchObject({
      responseHeaders: { 'Content-Security-Policy': [dashboardCsp('http://10.0.2.12:8088/')] },
    });
    expect(
      electron.session.respond('http://10.0.3.12:8088/', {}).responseHeaders?.['Content-Security-Policy'],
    ).toEqual(["default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"]);
    // The tray brings the fleet back.
    electron.tray.choose('Open fleet dashboard');
    expect(window!.loadedUrls.at(-1)).toBe(FLEET_URL);
  });

  it('a click with the window closed opens it on the pair as it is now; a pair with no node to show, on the fleet', async () => {
    const { electron, monitor } = await monitoringDesktop();
    monitor.show(fleet(pairs.healthy('line-1', 1)));
    monitor.show(fleet(pairs.down('line-1', 1)));
    electron.windows[0]!.close();
    electron.notifications[0]!.click();
    expect(electron.openWindows().map((w) => w.loadedUrls)).toEqual([[FLEET_URL]]);
    monitor.show(fleet(pairs.failedOver('line-1', 1)));
    electron.openWindows()[0]!.close();
    electron.notifications[0]!.click();
    expect(electron.openWindows().map((w) => w.loadedUrls)).toEqual([['http://10.0.1.12:8088/']]);
  });

  it('a tile’s link to a watched node opens in the window; any other is denied', async () => {
    const { electron, monitor } = await monitoringDesktop();
    monitor.show(fleet(pairs.healthy('line-1', 1), pairs.failedOver('line-2', 2)));
    const [window] = electron.windows;
    expect(window!.webContents.windowOpen('https://example.com/')).toEqual({ action: 'deny' });
    expect(window!.loadedUrls).toEqual([FLEET_URL]);
    expect(window!.webContents.windowOpen('http://10.0.2.12:8088/')).toEqual({ action: 'deny' });
    expect(window!.loadedUrls).toEqual([FLEET_URL, 'http://10.0.2.12:8088/']);
  });

  it('a watched https node with a self-signed certificate shows in the window when it is the certificate the monitor file pins; any other is refused', async () => {
    const { electron, monitor } = await monitoringDesktop();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-pin-'));
    const [pinned, other] = await Promise.all([
      loadOrCreateIdentity(path.join(dir, 'a'), 'node a'),
      loadOrCreateIdentity(path.join(dir, 'b'), 'node b'),
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
    const hex = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
    monitor.pins.set('https://10.0.2.12:8443', hex(pinned.certPem));
    const contents = electron.windows[0]!.webContents;
    expect(contents.certificateError('https://10.0.2.12:8443/', pinned.certPem)).toBe(true);
    expect(contents.certificateError('https://10.0.2.12:8443/', other.certPem)).toBe(false);
    expect(contents.certificateError('https://10.0.9.9:8443/', pinned.certPem)).toBe(false);
    expect(contents.certificateError('https://10.0.2.12:8443/', 'not a certificate')).toBe(false);
  });

  it('notifications are rate-limited per pair on the app’s clock', async () => {
    const { electron, monitor, clock } = await monitoringDesktop();
    monitor.show(fleet(pairs.healthy('line-1', 1)));
    monitor.show(fleet(pairs.down('line-1', 1)));
    monitor.show(fleet(pairs.healthy('line-1', 1)));
    monitor.show(fleet(pairs.failedOver('line-1', 1)));
    expect(electron.notifications.map((n) => n.title)).toEqual(['line-1: Down']);
    clock.advance(NOTICE_INTERVAL_MS);
    expect(electron.notifications.map((n) => [n.title, n.body])).toEqual([
      ['line-1: Down', 'Neither node answers. Before: healthy.'],
      [
        'line-1: Failed over',
        'The backup runs the plant. Failover in 3 s: master lost (missed heartbeats). 2 changes since the last notice; before: down.',
      ],
    ]);
  });

  it('Quit stops the monitor', async () => {
    const { electron, desktop, monitor } = await monitoringDesktop();
    electron.app.quit();
    await desktop.quit.settled;
    expect(monitor.stops).toBe(1);
    expect(electron.app.exitCodes).toEqual([0]);
  });
});
