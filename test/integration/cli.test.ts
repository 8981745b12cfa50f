import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANY_PORT, freePort, NodeProcess, runCli, tempDir } from './harness.ts';

const sha256 = (file: string): string =>
  crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('tandem-node CLI', () => {
  it('fingerprint prints the SHA-256 of the node certificate, making the key pair first, and is stable', () => {
    const dir = tempDir('fp');
    const first = runCli(['fingerprint', '--data-dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(runCli(['fingerprint', '--data-dir', dir]).stdout).toBe(first.stdout);
    expect(fs.statSync(path.join(dir, 'node-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('an invalid flag value: one line on stderr naming the flag, exit 2, nothing created', () => {
    const dir = path.join(tempDir('badflag'), 'node');
    for (const [args, named] of [
      [['--mode', 'primary'], '--mode'],
      [['--ping-rate', 'fast'], '--ping-rate'],
      [['--mode', 'backup'], '--master-host'],
      [['--recovery', 'window'], '--restore-window'],
      [
        ['--restore-window', 'not cron', '--restore-window-length', '1000', '--recovery', 'window'],
        '--restore-window',
      ],
      [['--trust-peer', 'abc'], '--trust-peer'],
      [['--ledger-retention', '0'], '--ledger-retention'],
      [['--history-retention', 'forever'], '--history-retention'],
      [['--bogus'], 'bogus'],
    ] as const) {
      const result = runCli(['--data-dir', dir, '--api-port', '0', '--peer-port', '0', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(named);
    }
    expect(runCli(['--api-port', '0']).stderr).toContain('--data-dir');
  });

  it('a taken API port: one clear line, non-zero exit, the settings stay as they were', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', () => resolve()));
    try {
      const dir = tempDir('port');
      const result = runCli(['--data-dir', dir, '--api-port', String(port), '--name', 'will-not-stick']);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`tandem-node: API port ${port} is already in use`);
      // The next start without flags does not pick up the failed start's name.
      const node = new NodeProcess(dir, ANY_PORT, []);
      await node.start();
      expect((await node.status())?.node.name).not.toBe('will-not-stick');
      await node.kill('SIGTERM');
    } finally {
      blocker.close();
    }
  });

  it('a corrupt database: one clear line, non-zero exit, and the file is never overwritten', () => {
    const dir = tempDir('corrupt');
    const file = path.join(dir, 'tandem.db');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('this is not a database'), crypto.randomBytes(8192)]));
    const before = sha256(file);
    const result = runCli(['--data-dir', dir, '--api-port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`database ${file} cannot be used`);
    expect(sha256(file)).toBe(before);
  });

  it('an unreadable database: one clear line, non-zero exit', () => {
    if (process.getuid?.() === 0) {
      // root reads any file; make the path a folder instead, which no one can open as a database.
      const dir = tempDir('unreadable');
      fs.mkdirSync(path.join(dir, 'tandem.db'));
      const result = runCli(['--data-dir', dir, '--api-port', '0']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('cannot be used');
      return;
    }
    const dir = tempDir('unreadable');
    runCli(['fingerprint', '--data-dir', dir]);
    fs.chmodSync(path.join(dir, 'tandem.db'), 0o000);
    const result = runCli(['--data-dir', dir, '--api-port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot be used');
  });

  it('flags given are stored as settings, so the next start without them behaves the same', async () => {
    const dir = tempDir('persist');
    const first = new NodeProcess(dir, ANY_PORT, [
      '--name',
      'line-9',
      '--standby',
      'cold',
      '--ping-rate',
      '250',
    ]);
    await first.start();
    expect(await first.kill('SIGTERM')).toBe(0);
    const second = new NodeProcess(dir, ANY_PORT, []);
    await second.start();
    const status = await second.status();
    expect(status?.node.name).toBe('line-9');
    expect(status?.node.standbyLevel).toBe('cold');
    expect(second.token).toBe(first.token);
    await second.kill('SIGTERM');
  });

  it('SIGTERM stops the node within its bound even while a client holds a request open', async () => {
    const node = new NodeProcess(tempDir('held'), ANY_PORT, ['--ping-timeout', '500']);
    await node.start();
    // A request whose body never comes: the API would wait for it for minutes.
    const client = net.connect(node.apiPort, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    client.on('error', () => undefined);
    client.write(
      `PUT /api/config/tags/held HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${node.token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    const started = Date.now();
    expect(await node.kill('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    client.destroy();
  });

  it('SIGINT stops the node cleanly with exit 0', async () => {
    const node = new NodeProcess(tempDir('sigint'), ANY_PORT, []);
    await node.start();
    expect(await node.kill('SIGINT')).toBe(0);
  });
});
