/**
 * Runs in electron-main. The desktop shell's lifecycle, wired from plain modules: one instance per PC, the
 * first run or the start of the node (or, in "Monitor pairs" mode, of the fleet monitor: monitor-mode.ts), the
 * dashboard window, the tray, notifications, start at login and the quit.
 * Everything Electron is reached through `ElectronApi`, so the tests drive this with a fake.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunningNode } from '../../node-core/index.ts';
import type { DashboardRoute, DesktopPreferences } from '../shared/bridge.ts';
import type { PageKind } from '../shared/ipc-contract.ts';
import type { DesktopDeps } from './desktop-deps.ts';
import { DesktopSettingsFile } from './desktop-settings.ts';
import type { ElectronApi, WindowPort } from './electron-api.ts';
import { DesktopError, describeError, showStartFailure } from './errors.ts';
import {
  FIRST_RUN_SITE,
  firstRunDefaults,
  openFirstRunWindow,
  serveFirstRunPage,
  submitFirstRun,
  submitMonitorFirstRun,
} from './first-run.ts';
import { registerIpcHandlers, sendEvent, type Handlers } from './ipc-main.ts';
import { applyOpenAtLogin } from './login-item.ts';
import type { MonitorHost } from './monitor-host.ts';
import { MonitorMode } from './monitor-mode.ts';
import { NodeHost } from './node-host.ts';
import { NotificationRules, type Notice } from './notification-rules.ts';
import { QuitFlow } from './quit-flow.ts';
import { TrayController } from './tray.ts';
import { trayPresentation, type TrayAction, type TrayPresentation } from './tray-state.ts';
import {
  APP_SCHEME,
  DENY_ALL_CSP,
  FIRST_RUN_CSP,
  dashboardCsp,
  PartnerAwareCsp,
  guardSession,
  openSecureWindow,
  siteOf,
} from './window.ts';

export type { DesktopDeps } from './desktop-deps.ts';

/** Also the Windows AppUserModelID, which notifications need; the same as `appId` in electron-builder.yml. */
export const APP_ID = 'com.tandem.desktop';

export interface Desktop {
  readonly host: NodeHost;
  readonly monitor: MonitorHost;
  readonly quit: QuitFlow;
  /** Resolves once the app is ready and the first window (or the node's start) is under way. */
  readonly ready: Promise<void>;
  openDashboard(route?: DashboardRoute): void;
  /** The windows now open, for tests. */
  windows(): { dashboard: WindowPort | null; firstRun: WindowPort | null };
}

/** Starts the shell; `null` when another instance runs (it gets focused instead). */
export function startDesktop(api: ElectronApi, deps: DesktopDeps): Desktop | null {
  if (!api.app.requestSingleInstanceLock()) {
    api.app.quit();
    return null;
  }
  api.registerPrivilegedScheme(APP_SCHEME);

  const userData = api.app.getPath('userData');
  const settings = new DesktopSettingsFile(userData, deps.log);
  const host = new NodeHost({
    createNode: deps.createNode,
    dataDir: path.join(userData, 'node'),
    dashboardDir: deps.paths.dashboardDir,
    clock: deps.clock,
    hostName: deps.hostName,
  });
  const notifications = new NotificationRules(deps.clock, (notice) => notify(notice));
  const monitorMode = new MonitorMode({
    api,
    startMonitor: deps.startMonitor,
    dataDir: path.join(userData, 'monitor'),
    dashboardDir: deps.paths.dashboardDir,
    clock: deps.clock,
    preload: deps.paths.preload,
    windowIcon: deps.paths.windowIcon,
    log: deps.log,
    notify: (notice, onClick) => {
      if (api.notificationsSupported()) api.showNotification(notice, onClick);
    },
    changed: () => refreshTray(),
    startHidden: deps.startHidden,
  });
  const monitorHost = monitorMode.host;
  /** "Monitor pairs" mode: the monitor file this PC watches (desktop-settings.json), else null: a node. */
  let monitorConfig: string | null = null;
  let tray: TrayController | null = null;
  let dashboardWindow: WindowPort | null = null;
  let firstRunWindow: WindowPort | null = null;
  let openWhenRunning: DashboardRoute | 'none' | null = null;
  let toldAboutTray = false;
  let refreshTimer: { readonly id: number } | null = null;
  let stopped = false;

  const quit = new QuitFlow({
    app: api.app,
    dialog: api.dialog,
    node: {
      get snapshot() {
        return host.snapshot;
      },
      stop: async () => {
        await Promise.all([host.stop(), monitorHost.stop()]);
      },
    },
    log: deps.log,
    beforeExit: () => {
      stopped = true;
      if (refreshTimer) deps.clock.clearTimeout(refreshTimer);
      notifications.stop();
      monitorMode.stop();
      tray?.destroy();
    },
  });

  api.app.on('before-quit', (event) => quit.onBeforeQuit(event));
  api.app.on('second-instance', () => openDashboard());
  // Closing the window leaves the node running, in the tray; only Quit ends it.
  api.app.on('window-all-closed', () => undefined);
  api.onSystemShutdown((event) => quit.onSystemShutdown(event));

  const dashboardSite = (): string | null => {
    const running = host.running;
    return running ? siteOf(running.apiUrl) : null;
  };
  /** The partner node's API while the window shows its dashboard (window:open-partner), else null. */
  let shownPartner: string | null = null;
  const sites = (kind: PageKind): string | null => (kind === 'dashboard' ? dashboardSite() : FIRST_RUN_SITE);

  // Read once; changed only through setPreferences (the tray is refreshed on every node event and ping).
  let openAtLogin = settings.load().openAtLogin;

  function preferences(): DesktopPreferences {
    return { openAtLogin };
  }

  function setPreferences(next: DesktopPreferences): DesktopPreferences {
    applyOpenAtLogin(next.openAtLogin, {
      platform: deps.platform,
      app: api.app,
      autostartDir: deps.paths.autostartDir,
      executable: deps.executable,
    });
    openAtLogin = settings.save({ openAtLogin: next.openAtLogin }).openAtLogin;
    refreshTray();
    return preferences();
  }

  function presentation(): TrayPresentation {
    return monitorConfig === null
      ? trayPresentation(host.snapshot, openAtLogin)
      : monitorMode.trayPresentation(openAtLogin);
  }

  function refreshTray(): void {
    if (stopped) return;
    tray?.show(presentation());
  }

  /** The tray's tooltip shows the peer's status, which changes without an event here: look again each ping. */
  function scheduleRefresh(): void {
    if (refreshTimer) deps.clock.clearTimeout(refreshTimer);
    refreshTimer = null;
    const running = host.running;
    if (stopped || !running) return;
    refreshTimer = deps.clock.setTimeout(() => {
      refreshTimer = null;
      refreshTray();
      scheduleRefresh();
    }, running.node.settings.timing.pingRateMs);
  }

  function notify(notice: Pick<Notice, 'title' | 'body' | 'route'>): void {
    if (!api.notificationsSupported()) return;
    api.showNotification({ title: notice.title, body: notice.body }, () => openDashboard(notice.route));
  }

  function openDashboard(route?: DashboardRoute): void {
    if (monitorConfig !== null) return monitorMode.open();
    const snapshot = host.snapshot;
    const running = host.running;
    if (snapshot.phase === 'unconfigured') {
      openFirstRun();
      return;
    }
    if (!running) {
      if (snapshot.phase === 'starting') openWhenRunning = route ?? 'none';
      else if (snapshot.phase === 'failed') showStartFailure(api.dialog, 'node', snapshot.reason, deps.log);
      return;
    }
    if (dashboardWindow && !dashboardWindow.isDestroyed()) {
      // Showing the partner's dashboard: "Open dashboard" brings this node's own back.
      if (shownPartner !== null) {
        shownPartner = null;
        dashboardWindow.loadURL(`${new URL(running.apiUrl).origin}/`).catch((error: unknown) => {
          deps.log(`dashboard did not load: ${describeError(error).message}`);
        });
      }
      if (dashboardWindow.isMinimized()) dashboardWindow.restore();
      dashboardWindow.show();
      dashboardWindow.focus();
      if (route) sendEvent(dashboardWindow.webContents, 'window:navigate', route);
      return;
    }
    dashboardWindow = openDashboardWindow(running, route);
  }

  function openDashboardWindow(running: RunningNode, route: DashboardRoute | undefined): WindowPort {
    shownPartner = null;
    // The origin only: the token comes over IPC (connection:get), never in the address.
    const url = `${new URL(running.apiUrl).origin}/${route ? `#/${route}` : ''}`;
    const win = openSecureWindow(
      api,
      {
        url,
        title: 'Tandem',
        width: 1280,
        height: 820,
        preload: deps.paths.preload,
        icon: deps.paths.windowIcon,
      },
      (error) => deps.log(`dashboard did not load: ${describeError(error).message}`),
    );
    win.on('closed', () => {
      if (dashboardWindow === win) dashboardWindow = null;
      if (!toldAboutTray && !stopped && quit.state === 'idle') {
        toldAboutTray = true;
        notify({
          title: 'Tandem is still running',
          body: 'The node keeps running in the tray. Use Quit in the tray menu to stop it.',
          route: 'overview',
        });
      }
    });
    return win;
  }

  function openFirstRun(): void {
    if (firstRunWindow && !firstRunWindow.isDestroyed()) {
      firstRunWindow.show();
      firstRunWindow.focus();
      return;
    }
    const win = openFirstRunWindow(api, deps.paths, deps.log);
    win.on('closed', () => {
      if (firstRunWindow === win) firstRunWindow = null;
    });
    firstRunWindow = win;
  }

  async function startNode(): Promise<void> {
    try {
      await host.start();
    } catch (error) {
      deps.log(`node did not start: ${describeError(error).message}`);
      if (!deps.startHidden) showStartFailure(api.dialog, 'node', describeError(error).message, deps.log);
    }
  }

  const handlers: Handlers = {
    'connection:get': () => {
      const running = host.running;
      if (!running) throw new DesktopError('NOT_RUNNING', 'the node is not running');
      return { apiUrl: running.apiUrl, token: running.token };
    },
    'window:open-dashboard': () => {
      openDashboard();
      const started = host.running ?? monitorHost.running;
      if (started && firstRunWindow && !firstRunWindow.isDestroyed()) firstRunWindow.close();
      return null;
    },
    'window:open-partner': (url) => {
      openPartner(url);
      return null;
    },
    'first-run:get-defaults': () => firstRunDefaults(deps.hostName),
    'first-run:submit': (answers) => {
      if (host.snapshot.phase !== 'unconfigured' || monitorConfig !== null) {
        throw new DesktopError('BUSY', 'this PC is already set up; change its settings in the dashboard');
      }
      if (answers.mode === 'monitor') {
        return submitMonitorFirstRun(answers, {
          monitor: monitorHost,
          markMonitoring: (file) => {
            monitorConfig = settings.save({ monitorConfig: file }).monitorConfig;
            refreshTray();
          },
        });
      }
      return submitFirstRun(answers, { host, markConfigured: () => settings.save({ nodeConfigured: true }) });
    },
    'preferences:get': () => preferences(),
    'preferences:set': (next) => setPreferences(next),
  };

  /**
   * Switches the dashboard window to the partner node (issue 15 item 2, issue 16 item 6): only to the address
   * of this node's peer as its link names it, never elsewhere. The page there has no bridge of its own (its
   * site is not this node's): it signs in as in a browser.
   */
  function openPartner(url: string): void {
    const running = host.running;
    if (!running) throw new DesktopError('NOT_RUNNING', 'the node is not running');
    const partner = running.node.statusView().peer?.apiUrl ?? null;
    if (partner === null || siteOf(url) !== siteOf(partner)) {
      throw new DesktopError('BAD_INPUT', "url: is not the dashboard of this node's partner");
    }
    if (!dashboardWindow || dashboardWindow.isDestroyed()) return openDashboard();
    shownPartner = partner;
    dashboardWindow.loadURL(url).catch((error: unknown) => {
      deps.log(`partner dashboard did not load: ${describeError(error).message}`);
    });
  }

  const ownCsp = new PartnerAwareCsp();
  const partnerApiUrl = (): string | null => host.running?.node.statusView().peer?.apiUrl ?? null;

  const trayActions: Record<TrayAction, () => void> = {
    'open-dashboard': () => openDashboard(),
    'switch-over': () => host.running?.node.requestSwitchover(),
    'start-node': () => void (monitorConfig === null ? startNode() : monitorMode.start(monitorConfig)),
    'toggle-open-at-login': () => {
      setPreferences({ openAtLogin: !preferences().openAtLogin });
    },
    quit: () => api.app.quit(),
  };

  host.on('observation', (observation, self) => notifications.observe(observation, self));
  host.on('changed', (snapshot) => {
    refreshTray();
    const showsOwn = dashboardWindow && !dashboardWindow.isDestroyed() && shownPartner === null;
    if (showsOwn && ownCsp.needsReload(partnerApiUrl())) dashboardWindow!.webContents.reload();
    if (snapshot.phase === 'running') {
      scheduleRefresh();
      if (openWhenRunning !== null) {
        const route = openWhenRunning;
        openWhenRunning = null;
        openDashboard(route === 'none' ? undefined : route);
      }
    }
  });

  const ready = (async () => {
    await api.app.whenReady();
    api.app.setAppUserModelId(APP_ID);
    guardSession(api.session, (url) => {
      const monitored = monitorMode.policyFor(url);
      if (monitored !== null) return monitored;
      const site = siteOf(url);
      // The partner's API too, as this node's link names it: the page reads the pair view there.
      if (site !== null && site === dashboardSite())
        return ownCsp.policy(url, host.running!.apiUrl, partnerApiUrl());
      if (site !== null && shownPartner !== null && site === siteOf(shownPartner))
        return dashboardCsp(shownPartner);
      if (site === FIRST_RUN_SITE) return FIRST_RUN_CSP;
      return DENY_ALL_CSP;
    });
    const readFile = deps.readFile ?? ((file: string) => fs.promises.readFile(file));
    api.protocol.handle(APP_SCHEME, (request) =>
      serveFirstRunPage(request.url, deps.paths.firstRunDir, readFile),
    );
    registerIpcHandlers(api.ipcMain, sites, handlers);

    const stored = settings.load();
    monitorConfig = stored.monitorConfig;
    const configured = stored.nodeConfigured || monitorConfig !== null;
    if (!configured) host.markUnconfigured();
    tray = new TrayController(api, deps.paths.trayDir, trayActions, presentation());
    if (monitorConfig !== null) {
      void monitorMode.start(monitorConfig);
      return;
    }
    if (!configured) {
      openFirstRun();
      return;
    }
    if (!deps.startHidden) openWhenRunning = 'none';
    void startNode();
  })();

  return {
    host,
    monitor: monitorHost,
    quit,
    ready,
    openDashboard,
    windows: () => ({ dashboard: dashboardWindow ?? monitorMode.window, firstRun: firstRunWindow }),
  };
}
