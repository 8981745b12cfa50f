/**
 * Runs in electron-main. The desktop app in "Monitor pairs" mode (docs/monitor.md "In the desktop app"): the
 * fleet monitor runs in this process (monitor-host.ts), its fleet dashboard fills the window, the tray shows
 * the worst state of everything watched (fleet-tray.ts), and a pair whose verdict changes is a notification
 * (fleet-notices.ts) whose click opens that pair: the dashboard of the node that runs it, as the fleet
 * dashboard's own click through does.
 */
import type { Clock } from '../../node-core/index.ts';
import type { FleetPairView, startMonitor } from '../../node-core/monitor/index.ts';
import type { ElectronApi, WindowPort } from './electron-api.ts';
import { describeError, showStartFailure } from './errors.ts';
import { FleetNotifier, type FleetNotice } from './fleet-notices.ts';
import { fleetTrayPresentation } from './fleet-tray.ts';
import { MonitorHost } from './monitor-host.ts';
import type { TrayPresentation } from './tray-state.ts';
import { dashboardCsp, openSecureWindow, siteOf } from './window.ts';

export interface MonitorModeDeps {
  readonly api: Pick<ElectronApi, 'createWindow' | 'dialog'>;
  readonly startMonitor: typeof startMonitor;
  /** `userData/monitor`: the monitor's admin token. */
  readonly dataDir: string;
  readonly dashboardDir: string | null;
  readonly clock: Clock;
  readonly preload: string;
  readonly windowIcon: string;
  readonly log: (message: string) => void;
  /** Shows a desktop notification; `onClick` runs when it is clicked. */
  readonly notify: (notice: { title: string; body: string }, onClick: () => void) => void;
  /** The tray needs drawing again (the fleet or the monitor changed). */
  readonly changed: () => void;
  /** Started at login: no window, no dialog; the tray says what is wrong. */
  readonly startHidden: boolean;
}

/** Where a click on a pair goes: the dashboard of the node that runs the plant, else of one that answers. */
function pairDashboard(pair: FleetPairView): string | null {
  const node = pair.activeNode ? pair.nodes[pair.activeNode.index] : pair.nodes.find((n) => n.answering);
  return node?.dashboardUrl ?? null;
}

export class MonitorMode {
  readonly host: MonitorHost;
  readonly #deps: MonitorModeDeps;
  readonly #notifier: FleetNotifier;
  #window: WindowPort | null = null;
  /** The site of the watched node whose dashboard the window shows, else null (the fleet dashboard). */
  #shownNode: string | null = null;
  /** A window asked for while the monitor starts: opened once it runs (a pair key, or '' for the fleet). */
  #openWhenRunning: string | null = null;

  constructor(deps: MonitorModeDeps) {
    this.#deps = deps;
    this.host = new MonitorHost(deps);
    this.#notifier = new FleetNotifier(deps.clock, (notice) => this.#notify(notice));
    this.host.on('changed', (snapshot) => {
      if (snapshot.phase === 'running') {
        this.#notifier.observe(snapshot.fleet);
        if (this.#openWhenRunning !== null) {
          const pairKey = this.#openWhenRunning;
          this.#openWhenRunning = null;
          this.open(pairKey === '' ? undefined : pairKey);
        }
      }
      deps.changed();
    });
  }

  get window(): WindowPort | null {
    return this.#window;
  }

  trayPresentation(openAtLogin: boolean): TrayPresentation {
    return fleetTrayPresentation(this.host.snapshot, openAtLogin);
  }

  /** Starts watching; a failure is logged and, unless started hidden, said in a dialog. */
  async start(configFile: string): Promise<void> {
    if (!this.#deps.startHidden) this.#openWhenRunning ??= '';
    try {
      await this.host.start(configFile);
    } catch (error) {
      const reason = describeError(error).message;
      this.#deps.log(`monitor did not start: ${reason}`);
      if (!this.#deps.startHidden) showStartFailure(this.#deps.api.dialog, 'monitor', reason, this.#deps.log);
    }
  }

  /** The fleet dashboard, or with `pairKey` that pair's node dashboard (the fleet's when it has none to show). */
  open(pairKey?: string): void {
    const snapshot = this.host.snapshot;
    const running = this.host.running;
    if (!running) {
      if (snapshot.phase === 'starting') this.#openWhenRunning = pairKey ?? '';
      else if (snapshot.phase === 'failed')
        showStartFailure(this.#deps.api.dialog, 'monitor', snapshot.reason, this.#deps.log);
      return;
    }
    const pair =
      pairKey === undefined ? undefined : running.fleet.view().pairs.find((p) => p.key === pairKey);
    const nodeUrl = pair ? pairDashboard(pair) : null;
    // The fleet page takes its token from the fragment, which never reaches a server (renderer/src/lib/session.ts).
    const url = nodeUrl ?? `${running.url}/#token=${running.token}`;
    this.#shownNode = nodeUrl === null ? null : siteOf(nodeUrl);
    const win = this.#window;
    if (win && !win.isDestroyed()) {
      win
        .loadURL(url)
        .catch((error: unknown) => this.#deps.log(`page did not load: ${describeError(error).message}`));
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return;
    }
    this.#window = this.#openWindow(url);
  }

  /** The CSP for a response from the monitor or the node the window shows; null for any other address. */
  policyFor(url: string): string | null {
    const site = siteOf(url);
    const running = this.host.running;
    if (site === null) return null;
    if (running && site === siteOf(running.url)) return dashboardCsp(running.url);
    if (site === this.#shownNode) return dashboardCsp(url);
    return null;
  }

  stop(): void {
    this.#notifier.stop();
  }

  #notify(notice: FleetNotice): void {
    this.#deps.notify({ title: notice.title, body: notice.body }, () => this.open(notice.pairKey));
  }

  #openWindow(url: string): WindowPort {
    const win = openSecureWindow(
      this.#deps.api,
      {
        url,
        title: 'Tandem monitor',
        width: 1280,
        height: 820,
        preload: this.#deps.preload,
        icon: this.#deps.windowIcon,
        // A tile's link (target=_blank) to a watched node: shown here, never in a new window.
        onOpenRequest: (requested) => this.#openWatchedNode(requested),
        // A watched https node with a self-signed certificate: shown if it is the one the monitor file pins.
        pinnedFingerprint: (page) => this.host.running?.fleet.pinnedFingerprint(page) ?? null,
      },
      (error) => this.#deps.log(`fleet dashboard did not load: ${describeError(error).message}`),
    );
    win.on('closed', () => {
      if (this.#window === win) this.#window = null;
    });
    return win;
  }

  /** Only the dashboard of a node the monitor watches, and only from the fleet page. */
  #openWatchedNode(url: string): void {
    const running = this.host.running;
    const site = siteOf(url);
    if (!running || site === null || this.#shownNode !== null) return;
    const pair = running.fleet
      .view()
      .pairs.find((p) => p.nodes.some((node) => siteOf(node.dashboardUrl) === site));
    if (pair) this.open(pair.key);
  }
}
