/**
 * `npm run demo`: a master and a backup on this machine, with their own data folders under .tandem-demo/,
 * their certificates approved for each other, and both dashboard addresses printed.
 * Stop one with Ctrl+C in its terminal… or press Ctrl+C here to stop both cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { exitNotice, restartCommand } from './demo-restart.ts';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'node-core/cli/main.ts');
const base = path.join(root, '.tandem-demo');
const dirs = { master: path.join(base, 'master'), backup: path.join(base, 'backup') };
for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });

function fingerprint(dir: string): string {
  const result = spawnSync(process.execPath, [cli, 'fingerprint', '--data-dir', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr.trim());
  return result.stdout.trim();
}

const timing = [
  '--ping-rate',
  '500',
  '--ping-timeout',
  '1500',
  '--missed-pings',
  '3',
  '--failover-time',
  '3000',
  '--connection-wait',
  '3000',
];
const common = ['--name', 'demo-pair', '--peer-host', '127.0.0.1', '--peer-port', '8099', ...timing];
const nodes: Record<'master' | 'backup', string[]> = {
  master: [
    '--data-dir',
    dirs.master,
    '--mode',
    'master',
    '--api-port',
    '8088',
    '--opcua-port',
    '4840',
    '--trust-peer',
    fingerprint(dirs.backup),
    ...common,
  ],
  backup: [
    '--data-dir',
    dirs.backup,
    '--mode',
    'backup',
    '--api-port',
    '8089',
    '--opcua-port',
    '4841',
    '--master-host',
    '127.0.0.1',
    '--master-port',
    '8099',
    '--trust-peer',
    fingerprint(dirs.master),
    ...common,
  ],
};

const children: ChildProcess[] = [];
let stopping = false;
// Logs as readable lines when this terminal shows them (node-core/logging.ts), prefixed by the node's role.
const logFormat = process.stderr.isTTY ? 'pretty' : 'json';
for (const [role, args] of Object.entries(nodes)) {
  // Its own process group: Ctrl+C reaches the demo only, which stops each node once (SIGTERM, with the
  // hand-over). A node that got the terminal's SIGINT too would take the SIGTERM as a second signal and exit
  // without the hand-over.
  const child = spawn(process.execPath, [cli, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TANDEM_LOG_LEVEL: 'warn', TANDEM_LOG_FORMAT: logFormat },
  });
  const prefixed = (write: (line: string) => void) => (data: Buffer) => {
    for (const line of data.toString().split('\n').filter(Boolean)) write(`[${role}] ${line}`);
  };
  child.stdout?.on(
    'data',
    prefixed((line) => console.log(line)),
  );
  child.stderr?.on(
    'data',
    prefixed((line) => console.error(line)),
  );
  const dataDir = dirs[role as keyof typeof dirs];
  child.on('exit', (code, signal) =>
    console.log(
      exitNotice({ role, code, signal, stoppedOnPurpose: stopping, restart: restartCommand(root, dataDir) }),
    ),
  );
  children.push(child);
}

console.log('Demo pair starting. Kill the master (its pid below) to watch the backup take over:');
console.log(children.map((c, i) => `  ${i === 0 ? 'master' : 'backup'} pid ${c.pid}`).join('\n'));

/** Some tags and alarm rules, so that every screen has something to show; kept if they exist already. */
const demoConfig: [string, object][] = [
  [
    'tags/boiler.temperature',
    {
      dataType: 'float',
      source: { kind: 'simulator', waveform: 'sine', periodMs: 60_000, min: 60, max: 95 },
      unit: '°C',
      precision: 1,
    },
  ],
  [
    'tags/conveyor.speed',
    {
      dataType: 'float',
      source: { kind: 'simulator', waveform: 'ramp', periodMs: 30_000, min: 0, max: 2.5 },
      unit: 'm/s',
      precision: 2,
    },
  ],
  [
    'tags/tank.level',
    {
      dataType: 'float',
      source: { kind: 'simulator', waveform: 'random', periodMs: 5_000, min: 40, max: 60 },
      unit: '%',
      precision: 1,
    },
  ],
  [
    'tags/line.setpoint',
    {
      dataType: 'float',
      source: { kind: 'memory' },
      description: 'written by operators',
      unit: 'm/s',
      precision: 2,
    },
  ],
  [
    'alarm-rules/boiler-hot',
    {
      tag: 'boiler.temperature',
      condition: 'high',
      threshold: 90,
      deadband: 2,
      priority: 'high',
      message: 'Boiler above 90 °C',
    },
  ],
  [
    'alarm-rules/setpoint-zero',
    {
      tag: 'line.setpoint',
      condition: 'equal',
      threshold: 0,
      priority: 'medium',
      message: 'Line setpoint is 0',
    },
  ],
];

async function seedDemoConfig(): Promise<void> {
  const tokenFile = path.join(dirs.master, 'admin-token');
  for (let attempt = 0; attempt < 60 && !fs.existsSync(tokenFile); attempt++)
    await new Promise((r) => setTimeout(r, 500));
  const token = fs.readFileSync(tokenFile, 'utf8').trim();
  const api = (method: string, url: string, body?: object): Promise<Response> =>
    fetch(`http://127.0.0.1:8088${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  for (let attempt = 0; attempt < 60; attempt++) {
    const status = await api('GET', '/api/status').then(
      (r) => (r.ok ? (r.json() as Promise<{ node: { status: string } }>) : null),
      () => null,
    );
    if (status?.node.status === 'active') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const [item, definition] of demoConfig) {
    if ((await api('GET', `/api/config/${item}`)).ok) continue;
    const answer = await api('PUT', `/api/config/${item}`, definition);
    if (!answer.ok) console.log(`demo config ${item} not stored: ${answer.status} ${await answer.text()}`);
  }
  console.log('Demo tags and alarm rules are in place (Tags and Alarms screens).');
}

seedDemoConfig().catch((error: unknown) => console.log(`demo config not seeded: ${String(error)}`));

/**
 * Ctrl+C: each node stops once, cleanly, and the demo ends when both have. A second Ctrl+C signals them again,
 * which a node takes as "exit now, without the hand-over" (node-core/cli/main.ts).
 */
function stopBoth(): void {
  stopping = true;
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  if (running.length === 0) process.exit(0);
  for (const child of running) {
    child.once('exit', () => {
      if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(0);
    });
    child.kill('SIGTERM');
  }
}
// The nodes are in their own process group, so closing the terminal (SIGHUP) must stop them here too.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stopBoth);
