/**
 * `tandem-node monitor --config FILE [--api-host H] [--api-port N] [--data-dir DIR]` (docs/contract.md):
 * reads the config, starts watching, serves the fleet dashboard, prints its address with the token, and
 * runs until SIGINT/SIGTERM. The token is `DIR/admin-token` (made on first start) or TANDEM_ADMIN_TOKEN;
 * with neither, a new one for this run.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { StartupError, UsageError } from '../errors.ts';
import type { Logger } from '../logging.ts';
import { followMonitorConfig, loadMonitorConfig } from './config.ts';
import { FleetMonitor } from './fleet-monitor.ts';
import { startMonitorServer } from './monitor-server.ts';
import { DEFAULT_TIMING } from './node-reader.ts';

const MONITOR_FLAGS = {
  config: { type: 'string' },
  'api-host': { type: 'string' },
  'api-port': { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

/** The monitor's default port: next to a node's 8088, so both fit on one PC. */
const MONITOR_DEFAULT_PORT = 8090;

export interface MonitorDeps {
  readonly logger: Logger;
  readonly out: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly dashboardDir: string | null;
}

export interface RunningMonitor {
  readonly url: string;
  readonly token: string;
  /** The fleet being watched, for a host in the same process (the desktop app's tray and notifications). */
  readonly fleet: FleetMonitor;
  stop(): Promise<void>;
}

export async function startMonitor(argv: string[], deps: MonitorDeps): Promise<RunningMonitor> {
  let values: { [K in keyof typeof MONITOR_FLAGS]?: string };
  try {
    values = parseArgs({ args: argv, options: MONITOR_FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(
      `monitor: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]!}`,
      {
        cause: error,
      },
    );
  }
  if (!values.config) throw new UsageError('monitor needs --config FILE (the pairs to watch)');
  const port =
    values['api-port'] === undefined ? MONITOR_DEFAULT_PORT : whole('--api-port', values['api-port']);
  const pairs = loadMonitorConfig(values.config);
  const token =
    deps.env['TANDEM_ADMIN_TOKEN'] || (values['data-dir'] ? readOrMakeToken(values['data-dir']) : newToken());
  const monitor = new FleetMonitor({ pairs, timing: DEFAULT_TIMING, logger: deps.logger });
  monitor.start();
  const unfollow = followMonitorConfig(values.config, (next) => monitor.replacePairs(next), deps.logger);
  try {
    const server = await startMonitorServer(monitor, {
      host: values['api-host'] ?? '127.0.0.1',
      port,
      token,
      dashboardDir: deps.dashboardDir,
    });
    deps.out(`Tandem monitor is watching ${pairs.length} pair${pairs.length === 1 ? '' : 's'}.`);
    deps.out(`Fleet dashboard: ${server.url}/#token=${token}`);
    return {
      url: server.url,
      token,
      fleet: monitor,
      stop: async () => {
        unfollow();
        monitor.stop();
        await server.close();
      },
    };
  } catch (error) {
    unfollow();
    monitor.stop();
    const code = (error as NodeJS.ErrnoException).code;
    // As a node's (docs/contract.md): one line, exit 1.
    if (code === 'EADDRINUSE')
      throw new StartupError('PORT_TAKEN', `monitor port ${port} is already in use`, { cause: error });
    if (code === 'EACCES')
      throw new StartupError('PORT_DENIED', `monitor port ${port} may not be used by this user`, {
        cause: error,
      });
    throw error;
  }
}

function whole(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > 65535)
    throw new UsageError(`${flag}: "${text}" is not a port number`);
  return Number(text);
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Like a node's admin token (docs/contract.md): kept in the data folder, readable by its owner only. */
function readOrMakeToken(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'admin-token');
  if (fs.existsSync(file)) {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (token.length < 16)
      throw new UsageError(`${file}: the token is too short (needs 16 characters or more)`);
    return token;
  }
  const token = newToken();
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}
