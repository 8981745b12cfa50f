/**
 * Runs in electron-main. The first run: no settings stored yet, so a small window asks what this PC is
 * (independent, master with its peer port, or backup with the master's host and port) and the pair's name,
 * or whether it only monitors pairs, with the monitor file that lists them (docs/monitor.md).
 * The answers arrive over `first-run:submit`, already checked against the contract's schema; here they become
 * node settings, the node starts with them (node-core stores them once it is up), and the desktop remembers
 * that this PC is set up. Later changes go through the dashboard.
 *
 * The page itself is served from the app's own `tandem://first-run` origin (Electron's advice over file://),
 * from a fixed list of files, each answer carrying the page's CSP.
 */
import path from 'node:path';
import type { RunningNode, SettingsOverrides } from '../../node-core/index.ts';
import { loadMonitorConfig, type RunningMonitor } from '../../node-core/monitor/index.ts';
import type { FirstRunAnswers, FirstRunDefaults, FirstRunStarted } from '../shared/bridge.ts';
import { DesktopError, describeError } from './errors.ts';
import type { StartOptions } from './node-host.ts';
import type { ElectronApi, WindowPort } from './electron-api.ts';
import { APP_SCHEME, FIRST_RUN_CSP, openSecureWindow } from './window.ts';

const FIRST_RUN_HOST = 'first-run';
export const FIRST_RUN_SITE = `${APP_SCHEME}://${FIRST_RUN_HOST}`;
const FIRST_RUN_URL = `${FIRST_RUN_SITE}/index.html`;

/** node-core's defaults, shown in the form (node-core/node/settings.ts). */
const DEFAULT_API_PORT = 8088;
const DEFAULT_PEER_PORT = 8099;

export function firstRunDefaults(hostName: string): FirstRunDefaults {
  return {
    name: hostName,
    apiPort: DEFAULT_API_PORT,
    peerPort: DEFAULT_PEER_PORT,
    masterPort: DEFAULT_PEER_PORT,
  };
}

/** The answers that make this PC a node of a pair (or an independent one). */
export type NodeAnswers = Exclude<FirstRunAnswers, { mode: 'monitor' }>;
export type MonitorAnswers = Extract<FirstRunAnswers, { mode: 'monitor' }>;

/** The answers as node settings: the same fields the CLI's flags set. */
function settingsFromAnswers(answers: NodeAnswers): SettingsOverrides {
  const common = { name: answers.name, mode: answers.mode, apiPort: answers.apiPort };
  switch (answers.mode) {
    case 'independent':
      return common;
    case 'master':
      return { ...common, peerPort: answers.peerPort };
    case 'backup':
      return { ...common, masterHost: answers.masterHost, masterPort: answers.masterPort };
  }
}

/** The set-up window, on the first-run page. */
export function openFirstRunWindow(
  api: Pick<ElectronApi, 'createWindow'>,
  paths: { readonly preload: string; readonly windowIcon: string },
  log: (message: string) => void,
): WindowPort {
  return openSecureWindow(
    api,
    {
      url: FIRST_RUN_URL,
      title: 'Set up Tandem',
      width: 640,
      height: 720,
      preload: paths.preload,
      icon: paths.windowIcon,
    },
    (error) => log(`first-run page did not load: ${describeError(error).message}`),
  );
}

export interface FirstRunDeps {
  readonly host: { start(options: StartOptions): Promise<RunningNode> };
  /** Remember that this PC is set up (desktop-settings.json). */
  readonly markConfigured: () => void;
}

/**
 * Starts the node with the answers. A start that fails (a port taken, say) throws a DesktopError naming the
 * field to change, and leaves the PC unconfigured so the operator can answer again.
 */
export async function submitFirstRun(answers: NodeAnswers, deps: FirstRunDeps): Promise<FirstRunStarted> {
  let running: RunningNode;
  try {
    running = await deps.host.start({ settings: settingsFromAnswers(answers), firstRun: true });
  } catch (error) {
    const { code, message } = describeError(error);
    const field = fieldOfStartError(code, message);
    throw new DesktopError(
      code,
      message,
      field ? { cause: error, fields: { [field]: message } } : { cause: error },
    );
  }
  deps.markConfigured();
  const view = running.node.statusView();
  return {
    name: view.node.name,
    mode: view.node.mode,
    fingerprint: view.node.fingerprint,
    apiUrl: running.apiUrl,
  };
}

export interface MonitorFirstRunDeps {
  readonly monitor: { start(configFile: string, options: { firstRun: true }): Promise<RunningMonitor> };
  /** Remember that this PC monitors the pairs of this file (desktop-settings.json). */
  readonly markMonitoring: (configFile: string) => void;
}

/**
 * "Monitor pairs": the file is checked by the monitor's own parser first, and a bad one comes back with the
 * parser's message on the `configFile` field; nothing is saved and nothing starts. A good one starts the
 * monitor, and only then is the PC remembered as a monitor.
 */
export async function submitMonitorFirstRun(
  answers: MonitorAnswers,
  deps: MonitorFirstRunDeps,
): Promise<FirstRunStarted> {
  const file = answers.configFile;
  const refuse = (message: string, cause?: unknown): DesktopError =>
    new DesktopError('BAD_INPUT', `configFile: ${message}`, { cause, fields: { configFile: message } });
  // The app's working folder is nobody's choice: a relative path would name a different file at each start.
  if (!path.isAbsolute(file))
    throw refuse('must be a full path to the monitor file (like /home/operator/fleet.json)');
  let pairs: number;
  try {
    pairs = loadMonitorConfig(file).length;
  } catch (error) {
    throw refuse(describeError(error).message, error);
  }
  let running: RunningMonitor;
  try {
    running = await deps.monitor.start(file, { firstRun: true });
  } catch (error) {
    const { code, message } = describeError(error);
    throw new DesktopError(code, message, { cause: error, fields: { configFile: message } });
  }
  deps.markMonitoring(file);
  return { mode: 'monitor', pairs, apiUrl: running.url };
}

/** node-core says which port it could not take ("API port 8088 is already in use"); point at that field. */
function fieldOfStartError(code: string, message: string): string | null {
  if (code !== 'PORT_TAKEN' && code !== 'PORT_DENIED') return null;
  if (message.startsWith('API port')) return 'apiPort';
  if (message.startsWith('peer link port')) return 'peerPort';
  return null;
}

const PAGE_FILES: Readonly<Record<string, string>> = {
  '/index.html': 'text/html; charset=utf-8',
  '/page.js': 'text/javascript; charset=utf-8',
  '/page.css': 'text/css; charset=utf-8',
};

/**
 * The `tandem://` protocol handler: only `tandem://first-run/<one of PAGE_FILES>`, read from `pageDir`;
 * anything else is 404. The CSP and nosniff go with every answer.
 */
export async function serveFirstRunPage(
  requestUrl: string,
  pageDir: string,
  readFile: (file: string) => Promise<Uint8Array>,
): Promise<Response> {
  const headers = {
    'Content-Security-Policy': FIRST_RUN_CSP,
    'X-Content-Type-Options': 'nosniff',
  };
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return new Response('not found', { status: 404, headers });
  }
  const file = url.pathname === '/' ? '/index.html' : url.pathname;
  const type = PAGE_FILES[file];
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== FIRST_RUN_HOST || !type) {
    return new Response('not found', { status: 404, headers });
  }
  try {
    const body = await readFile(path.join(pageDir, file.slice(1)));
    return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': type } });
  } catch {
    return new Response('not found', { status: 404, headers });
  }
}
