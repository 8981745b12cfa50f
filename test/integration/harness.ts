/**
 * Real `tandem-node` processes on 127.0.0.1 with temporary data directories, for integration tests.
 * Waits poll the real API with generous bounds; nothing asserts on wall-clock speed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FailoverEvent, StatusView } from '../../node-core/dto.ts';

/** The CLI run from source; service-build.test.ts and the bench also run the built one (`buildService`). */
export const SOURCE_CLI = path.resolve(import.meta.dirname, '../../node-core/cli/main.ts');

/** Builds the service as installers ship it (`npm run build:node`) and returns its CLI entry. */
export function buildService(): string {
  const root = path.resolve(import.meta.dirname, '../..');
  const result = spawnSync('npm', ['run', 'build:node'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`npm run build:node failed:\n${result.stdout}\n${result.stderr}`);
  return path.join(root, 'dist/node/node-core/tandem-node.js');
}

/** Fast timing so that failovers take a fraction of a second. */
export const FAST = [
  '--ping-rate',
  '100',
  '--ping-timeout',
  '300',
  '--missed-pings',
  '3',
  '--failover-time',
  '600',
  '--connection-wait',
  '1500',
];

/** The fastest timings worth running (100/100/3/300/1000): failover well under a second (bench, chaos). */
export const FASTEST = [
  '--ping-rate',
  '100',
  '--ping-timeout',
  '100',
  '--missed-pings',
  '3',
  '--failover-time',
  '300',
  '--connection-wait',
  '1000',
];

/** What a test file made: its nodes are killed and its temp folders removed once the file is done. */
const madeDirs = new Set<string>();
const startedNodes = new Set<NodeProcess>();

/** Kills the nodes still running and removes the temp folders made so far. */
export async function cleanUp(): Promise<void> {
  await Promise.all([...startedNodes].map((node) => node.kill('SIGKILL')));
  startedNodes.clear();
  for (const dir of madeDirs) fs.rmSync(dir, { recursive: true, force: true });
  madeDirs.clear();
}

// Under vitest, registered while a test file imports this module, so the hook belongs to that file and
// runs after the file's own afterAll hooks (after-hooks run in reverse order). The bench, chaos and fuzz
// scripts import this module under plain Node, where there is no runner.
if (process.env['VITEST']) {
  const { afterAll } = await import('vitest');
  afterAll(cleanUp);
}

/** A temp folder, removed when the test file is done. */
export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tandem-${label}-`));
  madeDirs.add(dir);
  return dir;
}

/** Removes `dir` when the test file is done (a folder made some other way, e.g. a mount point). */
export function removeWhenDone(dir: string): void {
  madeDirs.add(dir);
}

/**
 * `--api-port 0`: the node binds any free port and prints it in its dashboard address, which `start` reads.
 * Better than `freePort`: nothing can take the port between choosing it and binding it.
 */
export const ANY_PORT = 0;

/**
 * A port that was free a moment ago. Pick-and-release: another process may bind it before whoever uses it
 * does. Only for ports that must be known before the process that binds them starts (the master's peer
 * port, named in the backup's flags; an OPC UA or broker port; a port nothing listens on); `NodeProcess`
 * retries a start that found its port taken.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cli = SOURCE_CLI,
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function fingerprintOf(dataDir: string, cli = SOURCE_CLI): string {
  const result = runCli(['fingerprint', '--data-dir', dataDir], {}, cli);
  if (result.code !== 0) throw new Error(`fingerprint failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** How often `start` tries again when a port it was given is taken (see `freePort`). */
const PORT_TAKEN_ATTEMPTS = 5;

export class NodeProcess {
  readonly dataDir: string;
  /** `ANY_PORT` until the first start; then the port bound, kept for restarts (clients hold the URL). */
  apiPort: number;
  readonly args: string[];
  readonly cli: string;
  child: ChildProcess | null = null;
  token = '';
  output = '';

  constructor(dataDir: string, apiPort: number, args: string[], cli = SOURCE_CLI) {
    this.dataDir = dataDir;
    this.apiPort = apiPort;
    this.args = args;
    this.cli = cli;
  }

  get url(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /**
   * Starts the process and resolves once it printed its dashboard address. A port taken by someone else
   * (a port chosen by `freePort` and bound by another test in between) is tried again a few times.
   */
  async start(extraArgs: string[] = []): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#startOnce(extraArgs);
        return;
      } catch (error) {
        if (!(error instanceof PortTakenError) || attempt === PORT_TAKEN_ATTEMPTS) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  async #startOnce(extraArgs: string[]): Promise<void> {
    const args = [
      this.cli,
      '--data-dir',
      this.dataDir,
      '--api-port',
      String(this.apiPort),
      // No OPC UA server unless a test asks for one (`--opcua-port N` in its args wins): nodes on one machine
      // would all want 4840, and each server costs a start-up (docs/opcua.md).
      '--opcua-port',
      '0',
      ...this.args,
      ...extraArgs,
    ];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TANDEM_LOG_LEVEL: 'warn' },
    });
    this.child = child;
    startedNodes.add(this);
    this.output = '';
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    const [, port, token] = await waitFor(
      () => DASHBOARD_LINE.exec(this.output) ?? (child.exitCode !== null ? fail(this.output) : undefined),
      20_000,
      'node start',
    );
    this.apiPort = Number(port);
    this.token = token!;
  }

  async api<T>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(this.url + route, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      redirect: 'manual',
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (CSV, metrics): keep the text.
    }
    return { status: response.status, body: parsed as T };
  }

  async status(): Promise<StatusView | null> {
    try {
      return (await this.api<StatusView>('GET', '/api/status')).body;
    } catch {
      return null;
    }
  }

  async events(): Promise<FailoverEvent[]> {
    return (await this.api<FailoverEvent[]>('GET', '/api/events?limit=1000')).body;
  }

  async waitStatus(
    predicate: (s: StatusView) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<StatusView> {
    return waitFor(
      async () => {
        const s = await this.status();
        return s && predicate(s) ? s : undefined;
      },
      timeoutMs,
      what,
    );
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  }
}

/** `Dashboard: http://127.0.0.1:PORT/#token=TOKEN` (node-core/cli/main.ts). */
const DASHBOARD_LINE = /https?:\/\/[^\s/]+:(\d+)\/#token=(\S+)/;

class PortTakenError extends Error {}

function fail(output: string): never {
  if (/port \d+ is already in use/.test(output)) throw new PortTakenError(`a port was taken:\n${output}`);
  throw new Error(`node exited early:\n${output}`);
}

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** FAST's ping rate: one heartbeat per 100 ms. */
const FAST_PING_RATE_MS = 100;

/**
 * Resolves once `node`'s peer has answered heartbeats for `count` more ping intervals: for a test that shows
 * that something does not happen, "a while" measured in the pair's own heartbeats rather than a sleep, so a
 * loaded machine that holds the nodes back makes the wait longer instead of the test weaker.
 */
export async function heartbeatsLater(
  node: NodeProcess,
  count: number,
  pingRateMs = FAST_PING_RATE_MS,
): Promise<StatusView> {
  const first = await node.waitStatus((s) => s.peer?.lastHeartbeatAt != null, 'a heartbeat answered');
  const from = Date.parse(first.peer!.lastHeartbeatAt!);
  return node.waitStatus(
    (s) => Date.parse(s.peer?.lastHeartbeatAt ?? '') >= from + count * pingRateMs,
    `${count} more heartbeats answered`,
    30_000,
  );
}

/**
 * Resolves once `node` has missed `count` more heartbeats than it had when called (its link is down: one a
 * ping interval): how long a split or a silence lasted, in the node's own terms.
 */
export async function pingsMissed(node: NodeProcess, count: number): Promise<StatusView> {
  const before = (await node.status())?.peer?.missedPings ?? 0;
  return node.waitStatus(
    (s) => (s.peer?.missedPings ?? 0) >= before + count,
    `${count} more heartbeats missed`,
    30_000,
  );
}

export interface Pair {
  master: NodeProcess;
  backup: NodeProcess;
  peerPort: number;
  stop(): Promise<void>;
}

/** How `makePair` builds the pair, where the defaults do not fit. */
export interface MakePairOptions {
  /** false: neither node trusts the other's certificate yet. */
  readonly trusted?: boolean;
  readonly cli?: string;
  readonly name?: string;
  /** The master's peer port (a free one by default). */
  readonly peerPort?: number;
  /** Where the backup dials the master: the peer port, or a proxy in front of it. */
  readonly dialPort?: number;
  /** The master's data directory (a temp one by default), e.g. on a small file system that a test fills. */
  readonly masterDir?: string;
}

/** Makes a master/backup pair whose certificates are approved in advance (`--trust-peer`). */
export async function makePair(
  masterArgs: string[] = [],
  backupArgs: string[] = [],
  opts: MakePairOptions = {},
): Promise<Pair> {
  const cli = opts.cli ?? SOURCE_CLI;
  const name = opts.name ?? 'line-1';
  const masterDir = opts.masterDir ?? tempDir(`${name}-master`);
  const backupDir = tempDir(`${name}-backup`);
  // The backup's flags name the master's peer port, so it is chosen before either starts (see freePort).
  const peerPort = opts.peerPort ?? (await freePort());
  const trust =
    opts.trusted === false
      ? [[], []]
      : [
          ['--trust-peer', fingerprintOf(backupDir, cli)],
          ['--trust-peer', fingerprintOf(masterDir, cli)],
        ];
  const common = ['--name', name, '--peer-port', String(peerPort), '--peer-host', '127.0.0.1', ...FAST];
  const master = new NodeProcess(
    masterDir,
    ANY_PORT,
    [...common, '--mode', 'master', ...trust[0]!, ...masterArgs],
    cli,
  );
  const backup = new NodeProcess(
    backupDir,
    ANY_PORT,
    [
      ...common,
      '--mode',
      'backup',
      '--master-host',
      '127.0.0.1',
      '--master-port',
      String(opts.dialPort ?? peerPort),
      ...trust[1]!,
      ...backupArgs,
    ],
    cli,
  );
  return {
    master,
    backup,
    peerPort,
    stop: async () => {
      await Promise.all([master.kill('SIGKILL'), backup.kill('SIGKILL')]);
    },
  };
}

/** Starts both nodes of `pair` and resolves once the backup is standby next to the active master. */
export async function formPair(pair: Pair): Promise<Pair> {
  await pair.master.start();
  await pair.backup.start();
  await pair.backup.waitStatus(
    (s) => s.node.status === 'standby' && s.peer?.status === 'active',
    'pair formed',
  );
  return pair;
}
