/**
 * A node's data directory whose database is lost or damaged (contract.md, "Starting a node"): the CLI
 * refuses with one line on stderr, exits 1 and leaves every file as it was; a damaged database's integrity
 * report goes to the log, not to the operator's screen.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { breakRecentHistory, damageHistory } from '../support/damaged-history.ts';
import { ANY_PORT, NodeProcess, runCli, tempDir } from './harness.ts';

/** Every file of `dir` by name, with the SHA-256 of its content. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    files[name] = crypto
      .createHash('sha256')
      .update(fs.readFileSync(path.join(dir, name)))
      .digest('hex');
  }
  return files;
}

/** stderr split into the log's JSON records and the lines meant for a person. */
function stderrOf(text: string): { lines: string[]; records: Record<string, unknown>[] } {
  const all = text.split('\n').filter((line) => line.trim() !== '');
  const records = all.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines: all.filter((l) => !l.startsWith('{')), records };
}

/** A copy of the configured node's folder, so each test damages its own. */
function copyOf(dir: string, label: string): string {
  const copy = tempDir(label);
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
}

/** Problems SQLite's quick check reports for the database `bytes` (a scratch copy), or -1 when it throws. */
function problemsIn(bytes: Buffer): number {
  const scratch = path.join(tempDir('scratch'), 'check.db');
  fs.writeFileSync(scratch, bytes);
  const db = new Database(scratch);
  try {
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    return rows[0]?.quick_check === 'ok' ? 0 : rows.flatMap((r) => r.quick_check.split('\n')).length - 1;
  } catch {
    return -1; // the check itself stops on this damage ("database disk image is malformed")
  } finally {
    db.close();
  }
}

/** The database with one leaf page that claims to be an interior page, chosen so the check finds several problems. */
function garbled(bytes: Buffer): Buffer {
  const interior: Record<number, number> = { 0x0a: 0x02, 0x0d: 0x05 };
  for (let offset = 4096; offset < bytes.length; offset += 4096) {
    const to = interior[bytes[offset]!];
    if (to === undefined) continue;
    const copy = Buffer.from(bytes);
    copy[offset] = to;
    if (problemsIn(copy) > 1) return copy;
  }
  throw new Error('no page whose damage gives several problems');
}

let configured: string;

beforeAll(async () => {
  configured = tempDir('configured');
  const node = new NodeProcess(configured, ANY_PORT, ['--name', 'line-7', '--standby', 'cold']);
  await node.start();
  const put = await node.api('PUT', '/api/config/tags/line7.speed', {
    dataType: 'float',
    source: { kind: 'memory' },
  });
  expect(put.status).toBe(200);
  expect(await node.kill('SIGTERM')).toBe(0);
  // Everything in the database file itself, so that damage to its pages is not hidden behind the log.
  const db = new Database(path.join(configured, 'tandem.db'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
});

describe('a data directory that holds a node but no usable database', () => {
  for (const [what, lose] of [
    ['is empty (0 bytes)', (file: string) => fs.truncateSync(file, 0)],
    ['is missing', (file: string) => fs.rmSync(file)],
  ] as const) {
    it(`a database that ${what} next to the node's identity: one line, exit 1, nothing changed`, () => {
      const dir = copyOf(configured, 'lost-db');
      const file = path.join(dir, 'tandem.db');
      lose(file);
      const before = snapshot(dir);
      const result = runCli(['--data-dir', dir, '--api-port', '0', '--peer-port', '0']);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr.trim()).toBe(
        `tandem-node: database ${file} cannot be used: it ${what}, but ${dir} holds a node's identity ` +
          `(node-key.pem, node-cert.pem, admin-token); restore the database from a backup, or move those ` +
          `files away to start a new node there. Nothing was changed`,
      );
      expect(snapshot(dir)).toEqual(before);
      // The other commands that open the database refuse it the same way.
      for (const args of [['fingerprint'], ['user', 'list']]) {
        const other = runCli([...args, '--data-dir', dir]);
        expect(other.code, args.join(' ')).toBe(1);
        expect(other.stderr).toContain(`database ${file} cannot be used: it ${what}`);
      }
      expect(snapshot(dir)).toEqual(before);
    });
  }

  it('only the admin token left: still a node, still refused', () => {
    const dir = tempDir('token-only');
    fs.writeFileSync(path.join(dir, 'admin-token'), 'a-token-from-an-earlier-start-0123456789\n');
    const before = snapshot(dir);
    const result = runCli(['--data-dir', dir, '--api-port', '0', '--peer-port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('it is missing, but');
    expect(result.stderr).toContain('(admin-token)');
    expect(snapshot(dir)).toEqual(before);
  });

  it('a 0-byte database in a folder that is no node yet is a first start', async () => {
    const dir = tempDir('fresh-empty');
    fs.writeFileSync(path.join(dir, 'tandem.db'), '');
    const node = new NodeProcess(dir, ANY_PORT, ['--name', 'fresh-line']);
    await node.start();
    expect((await node.status())?.node.name).toBe('fresh-line');
    expect(await node.kill('SIGTERM')).toBe(0);
  });
});

describe('a damaged database', () => {
  it('one line on stderr naming the first problem, the full integrity report in the log, nothing changed', () => {
    const dir = copyOf(configured, 'garbled');
    const file = path.join(dir, 'tandem.db');
    fs.writeFileSync(file, garbled(fs.readFileSync(file)));
    const before = snapshot(dir);

    const result = runCli(['--data-dir', dir, '--api-port', '0', '--peer-port', '0']);
    expect(result.code).toBe(1);
    const { lines, records } = stderrOf(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^tandem-node: database ${file} cannot be used: it is damaged \\(SQLite's integrity check found \\d+ ` +
          `problems, the first: ".+"; the full report is in the log\\); restore it from a backup$`,
      ),
    );
    const logged = records.find((r) => Array.isArray(r['report']));
    expect(logged?.['level']).toBe(50);
    const report = logged?.['report'] as string[];
    expect(report.length).toBeGreaterThan(1);
    expect(lines[0]).toContain(`found ${report.length} problems, the first: "${report[0]}"`);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('damaged history', () => {
  it('does not hold up the start: the node runs, and its status, history and log say the database is damaged', async () => {
    const dir = copyOf(configured, 'damaged-history');
    const file = path.join(dir, 'tandem.db');
    damageHistory(file);
    const node = new NodeProcess(dir, ANY_PORT, ['--name', 'line-7', '--standby', 'cold']);
    await node.start();
    try {
      const status = await node.waitStatus((s) => s.databaseDamage !== null, 'the check after start');
      expect(status.node.status).toBe('active');
      expect(status.databaseDamage).toMatch(
        new RegExp(`^database ${file} is damaged: SQLite's integrity check after start found \\d+ problems?`),
      );
      const damaged = (await node.events()).filter((event) => event.kind === 'database-damaged');
      expect(damaged.map((event) => event.reason)).toEqual([status.databaseDamage]);
      const logged = node.output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((record) => record['msg'] === status.databaseDamage);
      expect(logged?.['level']).toBe(50);
      expect((logged?.['report'] as string[]).length).toBeGreaterThan(0);
      // What it cannot run without still works: a config change is stored and answered.
      const put = await node.api('PUT', '/api/config/tags/line7.level', {
        dataType: 'float',
        source: { kind: 'memory' },
      });
      expect(put.status).toBe(200);
    } finally {
      await node.kill('SIGTERM');
    }
  });

  it('history that no write gets past: writes are answered and stored without their samples, and the node says why', async () => {
    const dir = copyOf(configured, 'broken-history');
    const file = path.join(dir, 'tandem.db');
    // Samples of line7.speed in history_recent, whose every page is then unreadable.
    const db = new Database(file);
    const record = db.prepare(
      `INSERT INTO history_recent (tag, ts, value, quality, origin) VALUES ('line7.speed', ?, '1', 'good', 'x')`,
    );
    for (let i = 0; i < 2000; i++) record.run(Date.now() - 60_000 + i);
    db.close();
    breakRecentHistory(file);
    const node = new NodeProcess(dir, ANY_PORT, ['--name', 'line-7', '--standby', 'cold']);
    await node.start();
    try {
      for (const value of [1, 2, 3]) {
        const write = await node.api('POST', '/api/tags/line7.speed/write', { value, uid: `w${value}` });
        expect(write.status).toBe(200);
        expect((await node.api<{ value: number }>('GET', '/api/tags/line7.speed')).body.value).toBe(value);
      }
      const status = await node.waitStatus((s) => s.databaseDamage !== null, 'the check after start');
      expect(status.node.status).toBe('active');
      const history = await node.api<{ error: { code: string } }>(
        'GET',
        `/api/history/line7.speed?from=${new Date(Date.now() - 120_000).toISOString()}&to=${new Date().toISOString()}`,
      );
      expect(history.body.error.code).toBe('STORAGE_DAMAGED');
      expect(node.output).toContain('history is damaged: values are stored without their samples');
    } finally {
      await node.kill('SIGTERM');
    }
  });
});
