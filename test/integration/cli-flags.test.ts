/**
 * What an installer sees of the CLI's flags: the help, the version, and what a mistyped flag does (one
 * sentence on stderr, exit 2, nothing on disk). Runs the real CLI from source.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../node-core/cli/flags.ts';
import { runCli, tempDir } from './harness.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Every file of a folder with its content's hash and its modification time. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs.readdirSync(dir).map((name) => {
      const file = path.join(dir, name);
      const hash = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      return [name, `${hash} ${fs.statSync(file).mtimeMs}`];
    }),
  );
}

describe('tandem-node flags', () => {
  it('--help and -h describe every flag with its default and unit, and point to the docs', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(runCli(['-h']).stdout).toBe(help.stdout);
    for (const flag of Object.keys(NODE_FLAGS)) {
      if (flag === 'help' || flag === 'version') continue;
      expect(help.stdout, flag).toMatch(new RegExp(`^  --${flag}\\b`, 'm'));
    }
    expect(help.stdout).toMatch(/--ping-rate MS +heartbeat interval \(default: 1000 ms\)/);
    expect(help.stdout).toMatch(/MS: milliseconds/);
    expect(help.stdout).toMatch(/--history-retention DAYS .*\(default: 90 days\)/);
    expect(help.stdout).toMatch(
      /--mode independent\|master\|backup +redundancy mode \(default: independent\)/,
    );
    expect(help.stdout).toContain('docs/contract.md');
    expect(fs.existsSync(path.join(root, 'docs/contract.md'))).toBe(true);
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const result = runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`tandem-node ${pkg.version}`);
  });

  it('a bad flag value: one sentence naming the flag and the value, exit 2, the data directory never made', () => {
    const dir = path.join(tempDir('bad-value'), 'node');
    for (const [args, said] of [
      [['--mode', 'mastr'], '--mode must be independent, master or backup, not "mastr".'],
      [
        ['--ping-rate', '-1'],
        '--ping-rate must be a whole number of milliseconds from 1 to 3600000, not -1.',
      ],
      [['--ping-rate', 'fast'], '--ping-rate must be a whole number, not "fast".'],
      [['--mode', 'backup'], '--master-host is required for a backup.'],
      [['--bogus'], '--bogus is not a flag of tandem-node (tandem-node --help lists them).'],
      [['--name'], '--name needs a value.'],
      [
        ['--opcua-allow-insecure=yes'],
        '--opcua-allow-insecure takes no value, or =true or =false; not "yes".',
      ],
      [['--trust-peer', 'abc'], '--trust-peer must be a SHA-256 fingerprint (64 hex digits), not "abc".'],
    ] as const) {
      const result = runCli(['--data-dir', dir, '--api-port', '0', '--peer-port', '0', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`tandem-node: ${said}\n`);
      expect(fs.existsSync(dir), `${args.join(' ')} made ${dir}`).toBe(false);
    }
  });

  it("a bad flag value for an existing node: the same sentence, and the node's files untouched", () => {
    const dir = tempDir('bad-value-existing');
    expect(runCli(['fingerprint', '--data-dir', dir]).code).toBe(0);
    const before = snapshot(dir);
    const result = runCli(['--data-dir', dir, '--ping-rate', '-1', '--api-port', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'tandem-node: --ping-rate must be a whole number of milliseconds from 1 to 3600000, not -1.\n',
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('fingerprint makes a data directory that is missing, as a start does', () => {
    const dir = path.join(tempDir('fp-missing'), 'var', 'lib', 'tandem');
    const result = runCli(['fingerprint', '--data-dir', dir]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a bad flag value on an existing empty folder leaves it empty', () => {
    const dir = tempDir('bad-value-empty');
    const result = runCli(['--data-dir', dir, '--mode', 'mastr', '--api-port', '0']);
    expect(result.code).toBe(2);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
