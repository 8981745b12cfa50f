/** Runs in electron-main. What the composition root (index.ts) hands the desktop shell (desktop-app.ts). */
import type { Clock, createNode } from '../../node-core/index.ts';
import type { startMonitor } from '../../node-core/monitor/index.ts';

interface DesktopPaths {
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
  /** "Monitor pairs" mode: node-core's monitor, as `tandem-node monitor` runs it. */
  readonly startMonitor: typeof startMonitor;
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
