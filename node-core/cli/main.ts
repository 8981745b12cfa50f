/**
 * `tandem-node`: one node under plain Node, as contract.md describes. Errors print one line and exit
 * non-zero (2 for bad usage, 1 when the node cannot start); what does not fit in that line (a damaged
 * database's integrity report) goes to the log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLicenseCommand } from '../license/index.ts';
import { startMonitor } from '../monitor/index.ts';
import { createLogger } from '../logging.ts';
import { createNode, type RunningNode } from '../node/create-node.ts';
import { givenSettingsProblems } from '../node/settings.ts';
import { TandemError, UsageError } from '../errors.ts';
import { dashboardDir } from '../paths.ts';
import { DATABASE_FILE, openDatabase, MetaStore, SettingsStore } from '../store/index.ts';
// The error class itself, not part of the store's surface: only the CLI reads the integrity report.
import { DatabaseDamagedError } from '../store/database.ts';
import { loadOrCreateIdentity } from '../trust/index.ts';
import { VERSION } from '../version.ts';
import { parseNodeFlags, settingsFromFlags, trustPeersFromFlags } from './flags.ts';
import { helpText } from './help.ts';
import { readPasswordFromStdin } from './password-input.ts';
import { runUserCommand } from './user-command.ts';

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'license') return runLicenseCommand(rest, (line) => console.log(line));
  if (first === 'fingerprint') return fingerprint(rest);
  if (first === 'monitor' && !rest.includes('--help'))
    return waitForSignal(
      await startMonitor(rest, {
        logger: createLogger(),
        out: (line) => console.log(line),
        env: process.env,
        dashboardDir: process.env['TANDEM_DASHBOARD_DIR'] ?? dashboardDir.pathname,
      }),
    );
  if (first === 'user')
    return runUserCommand(rest, {
      out: (line) => console.log(line),
      readPassword: readPasswordFromStdin,
      now: () => Date.now(),
    });
  if (first === 'help' || argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText());
    return 0;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    console.log(`tandem-node ${VERSION}`);
    return 0;
  }
  return runNode(argv);
}

async function runNode(argv: string[]): Promise<number> {
  const values = parseNodeFlags(argv);
  const dataDir = values['data-dir'];
  if (!dataDir) throw new UsageError("--data-dir is required: the node's own folder (tandem-node --help).");
  const settings = settingsFromFlags(values);
  const trustPeers = trustPeersFromFlags(values);
  // Every flag is checked before the data directory is touched: a mistyped one leaves nothing behind.
  const firstStart = !fs.existsSync(path.join(dataDir, DATABASE_FILE));
  const problems = givenSettingsProblems(os.hostname(), settings, firstStart);
  if (problems) throw new UsageError(problems);
  const running = await createNode(
    {
      dataDir,
      settings,
      trustPeers,
      adminToken: process.env['TANDEM_ADMIN_TOKEN'],
      dashboardDir: process.env['TANDEM_DASHBOARD_DIR'] ?? dashboardDir.pathname,
    },
    { logger: createLogger() },
  );
  const { node } = running;
  console.log(`Tandem node "${node.settings.name}" (${node.settings.mode}) is up, status ${node.status}.`);
  console.log(`Dashboard: ${running.dashboardUrl}`);
  if (node.peerPort !== null && node.settings.mode === 'master')
    console.log(`Peer link listening on port ${node.peerPort}.`);
  return waitForSignal(running);
}

function waitForSignal(running: Pick<RunningNode, 'stop'>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        console.error(`${signal} again: exiting without waiting for the hand-over`);
        resolve(130);
        return;
      }
      stopping = true;
      running.stop().then(
        () => resolve(0),
        (error: unknown) => {
          console.error(`error while stopping: ${error instanceof Error ? error.message : String(error)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function fingerprint(argv: string[]): Promise<number> {
  const dataDir = parseNodeFlags(argv)['data-dir'];
  if (!dataDir) throw new UsageError('fingerprint needs --data-dir: the folder of the node to read.');
  // As for a node's start (docs/contract.md): the folder is made if missing, so a scripted install can
  // print both fingerprints before either node ever ran.
  fs.mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(dataDir);
  try {
    const name = (new SettingsStore(db).load()['name'] as string | undefined) ?? os.hostname();
    const identity = await loadOrCreateIdentity(
      dataDir,
      `Tandem ${name} ${new MetaStore(db).nodeId().slice(0, 8)}`,
    );
    console.log(identity.info.fingerprint);
    return 0;
  } finally {
    db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const [first = '', ...more] = message.split('\n');
    if (error instanceof DatabaseDamagedError) {
      createLogger().error({ report: error.report }, `${first} (the integrity report)`);
    } else if (more.length > 0) {
      createLogger().error({ message }, first);
    }
    console.error(`tandem-node: ${first}`);
    process.exit(error instanceof UsageError ? 2 : error instanceof TandemError ? 1 : 1);
  },
);
