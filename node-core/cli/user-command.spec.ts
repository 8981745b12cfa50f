import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TandemError, UsageError } from '../errors.ts';
import { OfflineAccounts } from '../auth/index.ts';
import { ConfigStore } from '../data/index.ts';
import { MetaStore, openDatabase, UserStore } from '../store/index.ts';
import { runUserCommand, USER_USAGE } from './user-command.ts';

const CREATED = Date.parse('2025-06-01T03:00:00Z');

describe('tandem-node user', () => {
  let dir = '';
  let lines: string[] = [];
  const io = {
    out: (line: string) => void lines.push(line),
    readPassword: () => Promise.resolve('correct horse battery'),
    now: () => CREATED,
  };
  const run = (...argv: string[]) => runUserCommand(argv, io);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-user-command-'));
    lines = [];
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Accounts made straight in the config log: the list and remove tests need no scrypt hashing. */
  function seed(...users: [name: string, createdAt: number][]): void {
    const db = openDatabase(dir);
    try {
      const accounts = new OfflineAccounts(db);
      for (const [name, createdAt] of users)
        accounts.change({ op: 'put', name, definition: { passwordHash: 'scrypt$x', createdAt } }, createdAt);
    } finally {
      db.close();
    }
  }

  /** The config log of the folder's node: what the pair replicates. */
  function configLog(): { op: string; kind: string; key: string }[] {
    const db = openDatabase(dir);
    try {
      const config = new ConfigStore(db, new MetaStore(db));
      return (config.changesAfter({ seq: 0, checksum: '0'.repeat(64) }) ?? []).map(({ op, kind, key }) => ({
        op,
        kind,
        key,
      }));
    } finally {
      db.close();
    }
  }

  it('list says so when there are no users', async () => {
    expect(await run('list', '--data-dir', dir)).toBe(0);
    expect(lines).toEqual(['No users in this pair (add one with tandem-node user add).']);
  });

  it('list prints one user per line: the name, then when it was made (ISO 8601)', async () => {
    seed(['night-shift', CREATED + 60_000], ['ops', CREATED]);
    expect(await run('list', '--data-dir', dir)).toBe(0);
    expect(lines).toEqual(['night-shift  2025-06-01T03:01:00.000Z', 'ops          2025-06-01T03:00:00.000Z']);
  });

  it('add makes a user that list then shows', async () => {
    expect(await run('add', '--data-dir', dir, '--name', 'ops')).toBe(0);
    lines = [];
    await run('list', '--data-dir', dir);
    expect(lines).toEqual(['ops  2025-06-01T03:00:00.000Z']);
  });

  it('remove deletes the login and leaves the others', async () => {
    seed(['ops', CREATED], ['other', CREATED]);
    expect(await run('remove', '--data-dir', dir, '--name', 'ops')).toBe(0);
    expect(lines).toEqual([
      'User "ops" removed: it can no longer log in, and its open sessions on both nodes end.',
    ]);
    lines = [];
    await run('list', '--data-dir', dir);
    expect(lines).toEqual(['other  2025-06-01T03:00:00.000Z']);
  });

  it('add and remove on a node that does not run are changes in its config log, which the pair replicates', async () => {
    expect(await run('add', '--data-dir', dir, '--name', 'ops')).toBe(0);
    expect(lines).toEqual(['User "ops" added: it can log in to the dashboard of both nodes of the pair.']);
    expect(await run('remove', '--data-dir', dir, '--name', 'ops')).toBe(0);
    expect(configLog()).toEqual([
      { op: 'put', kind: 'user', key: 'ops' },
      { op: 'delete', kind: 'user', key: 'ops' },
    ]);
  });

  it("operators of an earlier version (one node's users table) become the pair's accounts at start", () => {
    const db = openDatabase(dir);
    try {
      new UserStore(db).add({ name: 'legacy', passwordHash: 'scrypt$old', createdAt: CREATED });
      const accounts = new OfflineAccounts(db);
      expect(accounts.moveLegacyUsers(db, CREATED)).toBe(1);
      expect(accounts.accounts.get('legacy')).toEqual({
        name: 'legacy',
        passwordHash: 'scrypt$old',
        createdAt: CREATED,
      });
      expect(new UserStore(db).count()).toBe(0);
      expect(accounts.moveLegacyUsers(db, CREATED)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('remove of an unknown name fails (exit 1) with one clear line, changing nothing', async () => {
    seed(['ops', CREATED]);
    const failure = run('remove', '--data-dir', dir, '--name', 'nobody');
    await expect(failure).rejects.toThrow(TandemError);
    await expect(failure).rejects.not.toThrow(UsageError);
    await expect(failure).rejects.toThrow('no user "nobody" on this node');
    await run('list', '--data-dir', dir);
    expect(lines).toEqual(['ops  2025-06-01T03:00:00.000Z']);
  });

  it('refuses bad flags as usage errors (exit 2), naming what is wrong', async () => {
    const missing = path.join(dir, 'not-there');
    const cases: [string[], string][] = [
      [['list'], 'user list needs --data-dir'],
      [['list', '--data-dir', dir, '--name', 'ops'], "Unknown option '--name'"],
      [['list', '--data-dir', missing], `--data-dir: ${missing} is not a folder`],
      [['remove', '--data-dir', dir], 'user remove needs --name'],
      [['remove', '--name', 'ops'], 'user remove needs --data-dir'],
      [['remove', '--data-dir', dir, '--name', 'bad name'], '--name: "bad name" must be 1–64'],
      [
        ['remove', '--data-dir', dir, '--name', 'ops', '--password-file', 'x'],
        "Unknown option '--password-file'",
      ],
      [['remove', '--data-dir', missing, '--name', 'ops'], `--data-dir: ${missing} is not a folder`],
      [[], 'user: expected a subcommand: add, list or remove'],
      [['rename'], 'user: unknown subcommand "rename"; expected add, list or remove'],
    ];
    for (const [argv, said] of cases) {
      const failure = run(...argv);
      await expect(failure, argv.join(' ')).rejects.toThrow(UsageError);
      await expect(failure, argv.join(' ')).rejects.toThrow(said);
    }
    // A mistyped folder is not made into a new, empty node.
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('prints its usage on help', async () => {
    expect(await run('help')).toBe(0);
    expect(lines).toEqual(USER_USAGE);
    expect(lines.join('\n')).toMatch(/user list --data-dir DIR[\s\S]*user remove --data-dir DIR --name NAME/);
  });
});
