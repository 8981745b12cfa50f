/** Starts the desktop shell on a fake Electron, with real or fake nodes, in a temp userData folder. */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createNode,
  ManualClock,
  type CreateNodeOptions,
  type NodeDeps,
  type RunningNode,
} from '../../node-core/index.ts';
import { startMonitor } from '../../node-core/monitor/index.ts';
import { startDesktop, type Desktop } from '../../electron/main/desktop-app.ts';
import type { MonitorSnapshot } from '../../electron/main/monitor-host.ts';
import type { NodeSnapshot } from '../../electron/main/tray-state.ts';
import { FakeElectron } from './fake-electron.ts';
import { statusView } from './fixtures.ts';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const FIRST_RUN_PAGE = { url: 'tandem://first-run/index.html' };

export interface Harness {
  readonly electron: FakeElectron;
  readonly desktop: Desktop;
  readonly clock: ManualClock;
  readonly userData: string;
  /** Options createNode was called with, as the desktop passed them (before any test override). */
  readonly starts: CreateNodeOptions[];
  readonly logs: string[];
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  /** Mark this PC as set up before starting (desktop-settings.json). */
  configured?: boolean;
  /** desktop-settings.json as stored before starting (instead of `configured`). */
  settings?: Record<string, unknown>;
  startHidden?: boolean;
  platform?: NodeJS.Platform;
  /** Replaces the node factory (default: the real createNode with API and peer ports moved to 0). */
  createNode?: (options: CreateNodeOptions, deps?: NodeDeps) => Promise<RunningNode>;
  /** Use the real createNode with the ports given (to test a taken port). */
  realPorts?: boolean;
  gotLock?: boolean;
  /** Replaces node-core's monitor ("Monitor pairs" mode; default: the real one). */
  startMonitor?: typeof startMonitor;
  /** The dashboard build the node and the monitor serve (default: none). */
  dashboardDir?: string | null;
}

const made: Harness[] = [];

export function startHarness(options: HarnessOptions = {}): Harness {
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-desktop-'));
  const stored = options.settings ?? (options.configured ? { nodeConfigured: true } : null);
  if (stored) fs.writeFileSync(path.join(userData, 'desktop-settings.json'), JSON.stringify(stored));
  const electron = new FakeElectron(userData);
  electron.app.gotLock = options.gotLock ?? true;
  const clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
  const starts: CreateNodeOptions[] = [];
  const logs: string[] = [];
  const realOnPortZero = (o: CreateNodeOptions, d?: NodeDeps): Promise<RunningNode> =>
    createNode(
      options.realPorts ? o : { ...o, settings: { ...o.settings, apiPort: 0, peerPort: 0, opcuaPort: 0 } },
      d,
    );
  const factory = options.createNode ?? realOnPortZero;
  const desktop = startDesktop(electron, {
    createNode: (o: CreateNodeOptions, d?: NodeDeps) => {
      starts.push(o);
      return factory(o, d);
    },
    startMonitor: options.startMonitor ?? startMonitor,
    clock,
    hostName: 'gateway-a',
    platform: options.platform ?? 'linux',
    executable: '/opt/Tandem/tandem',
    startHidden: options.startHidden ?? false,
    log: (m) => logs.push(m),
    paths: {
      preload: '/app/electron/preload/index.cjs',
      firstRunDir: path.join(REPO, 'electron', 'first-run'),
      trayDir: path.join(REPO, 'assets', 'tray'),
      windowIcon: path.join(REPO, 'assets', 'icons', '512x512.png'),
      dashboardDir: options.dashboardDir ?? null,
      autostartDir: path.join(userData, 'autostart'),
    },
  });
  if (!desktop) throw new Error('startDesktop returned null; use startDesktop directly for the lock test');
  const harness: Harness = {
    electron,
    desktop,
    clock,
    userData,
    starts,
    logs,
    cleanup: async () => {
      await desktop.host.stop().catch(() => undefined);
      await desktop.monitor.stop().catch(() => undefined);
      fs.rmSync(userData, { recursive: true, force: true });
    },
  };
  made.push(harness);
  return harness;
}

export async function cleanupAll(): Promise<void> {
  for (const harness of made.splice(0)) await harness.cleanup();
}

/** Resolves at the first snapshot (now or later) that satisfies `test`. Event-driven: no polling, no sleeping. */
export function untilSnapshot(desktop: Desktop, test: (s: NodeSnapshot) => boolean): Promise<NodeSnapshot> {
  const now = desktop.host.snapshot;
  if (test(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const onChange = (s: NodeSnapshot): void => {
      if (!test(s)) return;
      desktop.host.off('changed', onChange);
      resolve(s);
    };
    desktop.host.on('changed', onChange);
  });
}

/** As `untilSnapshot`, for the monitor of "Monitor pairs" mode. */
export function untilMonitor(
  desktop: Desktop,
  test: (s: MonitorSnapshot) => boolean,
): Promise<MonitorSnapshot> {
  const now = desktop.monitor.snapshot;
  if (test(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const onChange = (s: MonitorSnapshot): void => {
      if (!test(s)) return;
      desktop.monitor.off('changed', onChange);
      resolve(s);
    };
    desktop.monitor.on('changed', onChange);
  });
}

/** Lets promise callbacks run; no timers. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A RunningNode that records what is asked of it, for tests that need no real node. */
export function fakeRunningNode(settings: Record<string, unknown> = {}): RunningNode & { stopped: number } {
  const node = Object.assign(new EventEmitter(), {
    nodeId: 'node-self',
    settings: { name: 'line-1', mode: 'independent', timing: { pingRateMs: 1000 }, ...settings },
    statusView: () => statusView({ mode: 'independent', peer: null }),
    requestSwitchover: () => undefined,
  });
  const running = {
    node,
    apiUrl: 'http://127.0.0.1:45678',
    token: 'fake-token-0123456789',
    dashboardUrl: 'http://127.0.0.1:45678/#token=fake-token-0123456789',
    stopped: 0,
    stop: () => {
      running.stopped++;
      return Promise.resolve();
    },
  };
  return running as unknown as RunningNode & { stopped: number };
}
