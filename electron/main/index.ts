/**
 * Runs in electron-main. The composition root (style.md 5, Podman Desktop's hand-written one): the only file
 * that loads the real `electron` module. It adapts Electron to the narrow ports of electron-api.ts (the type
 * check of this file is what proves the real Electron fits them), finds the app's files, and starts the shell.
 *
 * Layout at run time (`npm run build:electron`, and the same inside the installer's app.asar):
 *   dist/app/electron/main/index.js      this file bundled with everything it imports, node-core included
 *                                        (electron/build/bundle-main.ts), and beside it the WAL checkpoint
 *                                        worker and lazily loaded chunks: one file to load, not ~200
 *   dist/app/electron/preload/index.cjs  the preload (CommonJS)
 *   dist/app/electron/first-run/         the first-run page
 *   dist/app/package.json                the version node-core reports (node-core/paths.ts finds it)
 *   dist/app/assets/{tray,icons,license} images and the license public key node-core reads
 *   dist/renderer/                       the dashboard, served by the node
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  powerMonitor,
  protocol,
  session,
  Tray,
} from 'electron';
import { createNode, systemClock } from '../../node-core/index.ts';
import { startMonitor } from '../../node-core/monitor/index.ts';
import { startDesktop } from './desktop-app.ts';
import type { Cancellable, ElectronApi, TrayPort } from './electron-api.ts';
import { HIDDEN_FLAG } from './login-item.ts';

const appRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Notifications are kept until closed or clicked: Electron drops the click of one that was collected. */
const liveNotifications = new Set<Notification>();

const electronApi: ElectronApi = {
  app,
  ipcMain,
  dialog,
  // Only after `ready` may the default session be touched; desktop-app.ts reads it then.
  get session() {
    return session.defaultSession;
  },
  protocol,
  registerPrivilegedScheme: (scheme) =>
    protocol.registerSchemesAsPrivileged([{ scheme, privileges: { standard: true, secure: true } }]),
  // The one place a window is made: the security-critical preferences are forced here as well, whatever the
  // caller built (window.ts builds the same), so no path can open a window without them.
  createWindow: (options) =>
    new BrowserWindow({
      ...options,
      webPreferences: {
        ...options.webPreferences,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        experimentalFeatures: false,
        disableBlinkFeatures: 'Auxclick',
      },
    }),
  createTray: (imagePath): TrayPort => {
    const tray = new Tray(imagePath);
    return {
      setImage: (image) => tray.setImage(image),
      setToolTip: (text) => tray.setToolTip(text),
      setMenu: (template) => tray.setContextMenu(Menu.buildFromTemplate(template)),
      onClick: (listener) => {
        tray.on('click', listener);
      },
      destroy: () => tray.destroy(),
    };
  },
  notificationsSupported: () => Notification.isSupported(),
  showNotification: ({ title, body }, onClick) => {
    const notification = new Notification({ title, body });
    liveNotifications.add(notification);
    const forget = (): void => {
      liveNotifications.delete(notification);
    };
    notification.on('click', () => {
      forget();
      onClick();
    });
    notification.on('close', forget);
    notification.show();
  },
  onSystemShutdown: (listener) => {
    // powerMonitor exists only once the app is ready; 'shutdown' is emitted on Linux and macOS.
    void app.whenReady().then(() =>
      powerMonitor.on('shutdown', (...args: unknown[]) => {
        const event = args[0] as Cancellable | undefined;
        listener(event ?? { preventDefault: () => undefined });
      }),
    );
  },
};

// Every renderer sandboxed, whatever a window's options say; no default menu (reload, dev tools).
app.enableSandbox();
Menu.setApplicationMenu(null);

const desktop = startDesktop(electronApi, {
  createNode,
  startMonitor,
  clock: systemClock,
  hostName: os.hostname(),
  platform: process.platform,
  executable: process.env['APPIMAGE'] ?? process.execPath,
  startHidden: process.argv.includes(HIDDEN_FLAG),
  log: (message) => console.error(`tandem-desktop: ${message}`),
  paths: {
    preload: path.join(appRoot, 'electron', 'preload', 'index.cjs'),
    firstRunDir: path.join(appRoot, 'electron', 'first-run'),
    trayDir: path.join(appRoot, 'assets', 'tray'),
    windowIcon: path.join(appRoot, 'assets', 'icons', '512x512.png'),
    dashboardDir: path.join(appRoot, '..', 'renderer'),
    autostartDir: path.join(
      process.env['XDG_CONFIG_HOME'] ?? path.join(os.homedir(), '.config'),
      'autostart',
    ),
  },
});

desktop?.ready.catch((error: unknown) => {
  console.error(`tandem-desktop: could not start: ${String(error)}`);
  app.exit(1);
});
