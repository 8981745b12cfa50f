/** A real `tandem-node monitor` process and its config file, for the integration, browser and bench tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FleetView } from '../../node-core/monitor/index.ts';
import { SOURCE_CLI, tempDir, waitFor } from './harness.ts';

export type MonitoredNode = { url: string; token: string } | { url: string; tokenFile: string };

export interface MonitoredPair {
  readonly name: string;
  readonly site?: string;
  /** Each node's token, or `tokenFile`: a file the monitor reads it from. */
  readonly nodes: readonly [MonitoredNode, MonitoredNode];
}

/** Writes the config file (docs/monitor.md) into a temp folder and returns its path. */
export function writeMonitorConfig(pairs: readonly MonitoredPair[]): string {
  const file = path.join(tempDir('monitor'), 'fleet.json');
  const entries = pairs.map((p) => ({
    name: p.name,
    ...(p.site ? { site: p.site } : {}),
    nodes: p.nodes.map((n) =>
      'token' in n ? { url: n.url, token: n.token } : { url: n.url, tokenFile: n.tokenFile },
    ),
  }));
  fs.writeFileSync(file, JSON.stringify({ pairs: entries }, null, 2));
  return file;
}

export class MonitorProcess {
  readonly config: string;
  /** `ANY_PORT` until started; then the port the monitor bound (read from its dashboard line). */
  port: number;
  child: ChildProcess | null = null;
  token = '';
  output = '';

  readonly cli: string;

  /** `cli`: the CLI from source, or the built service's (the bench). */
  constructor(config: string, port: number, cli = SOURCE_CLI) {
    this.config = config;
    this.port = port;
    this.cli = cli;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    const child = spawn(
      process.execPath,
      [this.cli, 'monitor', '--config', this.config, '--api-port', String(this.port)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TANDEM_LOG_LEVEL: 'info', ...extraEnv },
      },
    );
    this.child = child;
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    const [, port, token] = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`monitor exited early:\n${this.output}`);
        return /https?:\/\/[^\s/]+:(\d+)\/#token=(\S+)/.exec(this.output) ?? undefined;
      },
      20_000,
      'monitor start',
    );
    this.port = Number(port);
    this.token = token!;
  }

  async fleet(): Promise<FleetView> {
    const answer = await fetch(`${this.url}/api/fleet`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!answer.ok) throw new Error(`GET /api/fleet answered ${answer.status}`);
    return (await answer.json()) as FleetView;
  }

  waitFleet(predicate: (fleet: FleetView) => boolean, what: string, timeoutMs = 20_000): Promise<FleetView> {
    return waitFor(
      async () => {
        const fleet = await this.fleet();
        return predicate(fleet) ? fleet : undefined;
      },
      timeoutMs,
      what,
    );
  }

  stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
