import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { devPrivateKeyUrl } from '../paths.ts';
import { devPublicKeyUrl, readLicense } from './license.ts';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, runLicenseCommand } from './license-command.ts';

const devPrivateKeyPath = fileURLToPath(devPrivateKeyUrl);
const devPublicKey = readFileSync(devPublicKeyUrl, 'utf8');
const NOW = Date.parse('2026-06-01T12:00:00Z');

describe('runLicenseCommand', () => {
  let dir: string;
  let lines: string[];
  const out = (line: string): void => {
    lines.push(line);
  };
  const run = (...args: string[]): Promise<number> => runLicenseCommand(args, out, { now: () => NOW });

  async function usageError(...args: string[]): Promise<UsageError> {
    const error: unknown = await run(...args).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('USAGE');
    expect((error as UsageError).message).not.toContain('\n');
    return error as UsageError;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-license-command-'));
    lines = [];
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('issue', () => {
    it('writes a license that reads back as valid with the development public key', async () => {
      const file = join(dir, 'license.json');
      const code = await run(
        'issue',
        ...['--key', devPrivateKeyPath, '--licensee', 'Plant North', '--out', file],
        ...['--module', 'modbus', '--module', 'history', '--module', 'modbus'],
        ...['--limit', 'tags=1000', '--limit', 'devices=20', '--expires', '2027-01-01'],
      );

      expect(code).toBe(0);
      expect(lines).toEqual([file]);
      expect(readLicense(file, devPublicKey, NOW)).toEqual({
        state: 'valid',
        license: {
          licensee: 'Plant North',
          modules: ['modbus', 'history'],
          limits: { tags: 1000, devices: 20 },
          issuedAt: '2026-06-01T12:00:00.000Z',
          expiresAt: '2027-01-01T00:00:00.000Z',
        },
      });
    });

    it('issues a license without modules, limits or expiry', async () => {
      const file = join(dir, 'license.json');
      await run('issue', '--key', devPrivateKeyPath, '--licensee', 'Lab', '--out', file);
      const state = readLicense(file, devPublicKey, Date.parse('2999-01-01T00:00:00Z'));
      expect(state).toMatchObject({ state: 'valid', license: { modules: [], limits: {}, expiresAt: null } });
    });

    it('keeps the offset of a full expiry date-time', async () => {
      const file = join(dir, 'license.json');
      await run(
        'issue',
        ...['--key', devPrivateKeyPath, '--licensee', 'Lab', '--out', file],
        ...['--expires', '2027-01-01T10:00:00+02:00'],
      );
      expect(readLicense(file, devPublicKey, NOW)).toMatchObject({
        license: { expiresAt: '2027-01-01T08:00:00.000Z' },
      });
    });

    it.each([
      [['--licensee', 'A', '--out', 'x.json'], 'license issue: --key is required'],
      [['--key', 'k.pem', '--out', 'x.json'], 'license issue: --licensee is required'],
      [['--key', 'k.pem', '--licensee', ' ', '--out', 'x.json'], 'license issue: --licensee is required'],
      [['--key', 'k.pem', '--licensee', 'A'], 'license issue: --out is required'],
      [['--bogus'], "license issue: Unknown option '--bogus'"],
      [['--key'], "license issue: Option '--key <value>' argument missing"],
      [['stray'], "license issue: Unexpected argument 'stray'"],
    ])('refuses %j with one line', async (args, message) => {
      expect((await usageError('issue', ...args)).message).toBe(message);
    });

    it.each([
      [['--limit', 'tags'], '--limit: "tags" is not NAME=N with N a whole number'],
      [['--limit', 'tags=-1'], '--limit: "tags=-1" is not NAME=N with N a whole number'],
      [['--limit', 'tags=1.5'], '--limit: "tags=1.5" is not NAME=N with N a whole number'],
      [['--limit', 'tags=1', '--limit', 'tags=2'], '--limit: "tags" is given twice'],
      [['--module', 'two words'], '--module: "two words" is not a module name'],
      [['--expires', 'next year'], '--expires: "next year" is not an ISO date (YYYY-MM-DD) or date-time'],
      [['--expires', '2027-02-30'], '--expires: "2027-02-30" is not an ISO date (YYYY-MM-DD) or date-time'],
      [['--expires', '2026-05-31'], '--expires: 2026-05-31 is not in the future'],
    ])('refuses %j naming the flag', async (args, message) => {
      const file = join(dir, 'license.json');
      const error = await usageError(
        'issue',
        '--key',
        devPrivateKeyPath,
        '--licensee',
        'A',
        '--out',
        file,
        ...args,
      );
      expect(error.message).toBe(message);
      expect(readdirSync(dir)).toEqual([]);
    });

    it('refuses a key file that cannot be read or is not an Ed25519 private key', async () => {
      const file = join(dir, 'license.json');
      const missing = join(dir, 'missing.pem');
      expect((await usageError('issue', '--key', missing, '--licensee', 'A', '--out', file)).message).toBe(
        `--key: cannot read ${missing} (ENOENT)`,
      );
      const publicKeyPath = fileURLToPath(devPublicKeyUrl);
      expect(
        (await usageError('issue', '--key', publicKeyPath, '--licensee', 'A', '--out', file)).message,
      ).toBe(`--key: ${publicKeyPath} is not an Ed25519 private key in PEM form`);
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  describe('keygen', () => {
    it('writes a new key pair that can issue licenses', async () => {
      const keys = join(dir, 'keys');
      expect(await run('keygen', '--out-dir', keys)).toBe(0);
      expect(lines).toEqual([join(keys, PRIVATE_KEY_FILE), join(keys, PUBLIC_KEY_FILE)]);
      if (process.platform !== 'win32') {
        expect(statSync(join(keys, PRIVATE_KEY_FILE)).mode & 0o777).toBe(0o600);
      }

      const file = join(dir, 'license.json');
      await run('issue', '--key', join(keys, PRIVATE_KEY_FILE), '--licensee', 'A', '--out', file);
      const publicKey = readFileSync(join(keys, PUBLIC_KEY_FILE), 'utf8');
      expect(readLicense(file, publicKey, NOW).state).toBe('valid');
      expect(readLicense(file, devPublicKey, NOW).state).toBe('invalid');
    });

    it('never replaces an existing key', async () => {
      writeFileSync(join(dir, PRIVATE_KEY_FILE), 'precious');
      const error = await usageError('keygen', '--out-dir', dir);
      expect(error.message).toBe(
        `--out-dir: ${join(dir, PRIVATE_KEY_FILE)} exists already; not replacing a key`,
      );
      expect(readFileSync(join(dir, PRIVATE_KEY_FILE), 'utf8')).toBe('precious');
      expect(readdirSync(dir)).toEqual([PRIVATE_KEY_FILE]);
    });

    it('requires --out-dir', async () => {
      expect((await usageError('keygen')).message).toBe('license keygen: --out-dir is required');
    });
  });

  it('refuses a missing or unknown subcommand', async () => {
    expect((await usageError()).message).toBe('license: expected a subcommand: keygen or issue');
    expect((await usageError('renew')).message).toBe(
      'license: unknown subcommand "renew"; expected keygen or issue',
    );
  });

  it('prints usage on help', async () => {
    expect(await run('help')).toBe(0);
    expect(lines[0]).toMatch(/^usage: license keygen/);
  });
});
