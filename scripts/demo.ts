/**
 * `npm run demo`: a master and a backup on this machine, with their own data folders under .tandem-demo/,
 * their certificates approved for each other, and both dashboard addresses printed.
 * Stop one with Ctrl+C in its terminal… or press Ctrl+C here to stop both cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'node-core/cli/main.ts');
const base = path.join(root, '.tandem-demo');
const dirs = { master: path.join(base, 'master'), backup: path.join(base, 'backup') };

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
for (const [role, args] of Object.entries(nodes)) {
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TANDEM_LOG_LEVEL: 'warn' },
  });
  child.stdout?.on('data', (data: Buffer) => {
    for (const line of data.toString().split('\n').filter(Boolean)) console.log(`[${role}] ${line}`);
  });
  child.on('exit', (code) =>
    console.log(
      `[${role}] exited (${code}); restart it with: npm run node -- ${args.slice(0, 6).join(' ')} …`,
    ),
  );
  children.push(child);
}

console.log('Demo pair starting. Kill the master (its pid below) to watch the backup take over:');
console.log(children.map((c, i) => `  ${i === 0 ? 'master' : 'backup'} pid ${c.pid}`).join('\n'));

process.on('SIGINT', () => {
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3000).unref();
});
