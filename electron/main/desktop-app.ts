/**
 * Runs in electron-main. The desktop shell's lifecycle, wired from plain modules: one instance per PC, the
 * first run or the node's start, the dashboard window, the tray, notifications, start at login and the quit.
 * Everything Electron is reached through `ElectronApi`, so the tests drive this with a fake.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock, createNode, RunningNode } from '../../node-core/index.ts';
import type { DashboardRoute, DesktopPreferences } from '../shared/bridge.ts';
import type { PageKind } from '../shared/ipc-contract.ts';
import { DesktopSettingsFile } from './desktop-settings.ts';
import type { ElectronApi, WindowPort } from './electron-api.ts';
import { DesktopError, describeError } from './errors.ts';
import {
  FIRST_RUN_SITE,
  FIRST_RUN_URL,
  firstRunDefaults,
  serveFirstRunPage,
  submitFirstRun,
} from './first-run.ts';
import { registerIpcHandlers, sendEvent, type Handlers } from './ipc-main.ts';
import { applyOpenAtLogin } from './login-item.ts';
import { NodeHost } from './node-host.ts';
import { NotificationRules, type Notice } from './notification-rules.ts';
import { QuitFlow } from './quit-flow.ts';
import { TrayController } from './tray.ts';
import { trayPresentation, type TrayAction } from './tray-state.ts';
import {
  APP_SCHEME,
  DENY_ALL_CSP,
  FIRST_RUN_CSP,
  dashboardCsp,
  guardSession,
  openSecureWindow,
  siteOf,
} from './window.ts';

/** Also the Windows AppUserModelID, which notifications need; the same as `appId` in electron-builder.yml. */
export const APP_ID = 'com.tandem.desktop';

export interface DesktopPaths {
  /** The compiled preload (CommonJS: sandboxed preloads cannot be modules). */
  readonly preload: string;
  /** Folder of the first-run page: index.html, page.js, page.css. */
  readonly firstRunDir: string;
  /** assets/tray. */
  readonly trayDir: string;
  /** The window icon (Linux; Windows takes the executable's). */
  readonly windowIcon: string;
  /** The built dashboard, served by the node (dist/renderer). */
  readonly dashboardDir: string | null;
  /** `$XDG_CONFIG_HOME/autostart`, for start at login on Linux. */
  readonly autostartDir: string;
}

export interface DesktopDeps {
  readonly createNode: typeof createNode;
  readonly clock: Clock;
  readonly paths: DesktopPaths;
  readonly hostName: string;
  readonly platform: NodeJS.Platform;
  /** What start at login runs: the AppImage when run from one, else the executable. */
  readonly executable: string;
  /** Started at login (`--hidden`): run in the tray without opening a window. */
  readonly startHidden: boolean;
  readonly log: (message: string) => void;
  readonly readFile?: (file: string) => Promise<Uint8Array>;
}

export interface Desktop {
  readonly host: NodeHost;
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
    node: host,
    log: deps.log,
    beforeExit: () => {
      stopped = true;
      if (refreshTimer) deps.clock.clearTimeout(refreshTimer);
      notifications.stop();
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

  function refreshTray(): void {
    if (stopped) return;
    tray?.show(trayPresentation(host.snapshot, openAtLogin));
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
    const snapshot = host.snapshot;
    const running = host.running;
    if (snapshot.phase === 'unconfigured') {
      openFirstRun();
      return;
    }
    if (!running) {
      if (snapshot.phase === 'starting') openWhenRunning = route ?? 'none';
      else if (snapshot.phase === 'failed') showStartFailure(snapshot.reason);
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
    const win = openSecureWindow(
      api,
      {
        url: FIRST_RUN_URL,
        title: 'Set up Tandem',
        width: 640,
        height: 720,
        preload: deps.paths.preload,
        icon: deps.paths.windowIcon,
      },
      (error) => deps.log(`first-run page did not load: ${describeError(error).message}`),
    );
    win.on('closed', () => {
      if (firstRunWindow === win) firstRunWindow = null;
    });
    firstRunWindow = win;
  }

  function showStartFailure(reason: string): void {
    api.dialog
      .showMessageBox({
        type: 'error',
        title: 'Tandem',
        message: 'The Tandem node is not running.',
        detail: `${reason}\n\nFix the cause, then choose "Start the node again" in the tray menu.`,
        buttons: ['OK'],
      })
      .catch((error: unknown) => deps.log(`dialog failed: ${String(error)}`));
  }

  async function startNode(): Promise<void> {
    try {
      await host.start();
    } catch (error) {
      deps.log(`node did not start: ${describeError(error).message}`);
      if (!deps.startHidden) showStartFailure(describeError(error).message);
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
      if (host.running && firstRunWindow && !firstRunWindow.isDestroyed()) firstRunWindow.close();
      return null;
    },
    'window:open-partner': (url) => {
      openPartner(url);
      return null;
    },
    'first-run:get-defaults': () => firstRunDefaults(deps.hostName),
    'first-run:submit': (answers) => {
      if (host.snapshot.phase !== 'unconfigured') {
        throw new DesktopError('BUSY', 'this PC is already set up; change its settings in the dashboard');
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

  const trayActions: Record<TrayAction, () => void> = {
    'open-dashboard': () => openDashboard(),
    'switch-over': () => host.running?.node.requestSwitchover(),
    'start-node': () => void startNode(),
    'toggle-open-at-login': () => {
      setPreferences({ openAtLogin: !preferences().openAtLogin });
    },
    quit: () => api.app.quit(),
  };

  host.on('observation', (observation, self) => notifications.observe(observation, self));
  host.on('changed', (snapshot) => {
    refreshTray();
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
      const site = siteOf(url);
      if (site !== null && site === dashboardSite()) return dashboardCsp(host.running!.apiUrl);
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

    const configured = settings.load().nodeConfigured;
    if (!configured) host.markUnconfigured();
    tray = new TrayController(
      api,
      deps.paths.trayDir,
      trayActions,
      trayPresentation(host.snapshot, preferences().openAtLogin),
    );
    if (!configured) {
      openFirstRun();
      return;
    }
    if (!deps.startHidden) openWhenRunning = 'none';
    void startNode();
  })();

  return {
    host,
    quit,
    ready,
    openDashboard,
    windows: () => ({ dashboard: dashboardWindow, firstRun: firstRunWindow }),
  };
}
