import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TandemError, UsageError } from '../errors.ts';
import { openDatabase, UserStore } from '../store/index.ts';
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

  /** Users made straight in the database: the list and remove tests need no scrypt hashing. */
  function seed(...users: [name: string, createdAt: number][]): void {
    const db = openDatabase(dir);
    try {
      const store = new UserStore(db);
      for (const [name, createdAt] of users) store.add({ name, passwordHash: 'scrypt$x', createdAt });
    } finally {
      db.close();
    }
  }

  it('list says so when there are no users', async () => {
    expect(await run('list', '--data-dir', dir)).toBe(0);
    expect(lines).toEqual(['No users on this node (add one with tandem-node user add).']);
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
    expect(lines).toEqual(['User "ops" removed: it can no longer log in, and its open sessions end.']);
    lines = [];
    await run('list', '--data-dir', dir);
    expect(lines).toEqual(['other  2025-06-01T03:00:00.000Z']);
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
