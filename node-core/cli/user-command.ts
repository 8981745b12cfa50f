/**
 * `tandem-node user add|list|remove`: the pair's operator accounts (docs/auth.md), for the dashboard and
 * `POST /api/login` on both nodes. Accounts are config: while the node runs, add and remove go through its API
 * (on the active node: answered once the peer stored the change too; a standby names the active node), and
 * its sessions of a removed user end at once, the peer's within about a second. A node that does not run
 * takes the change into its config log, and the pair merges it by key when it next links.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { hashPassword, OfflineAccounts, passwordProblem, USER_NAME, USER_NAME_RULE } from '../auth/index.ts';
import { TandemError, UsageError } from '../errors.ts';
import { openDatabase, type Db } from '../store/index.ts';
import { answerMessage, notActive, runningNodeApi } from './node-api.ts';
import { readPasswordFile } from './password-input.ts';

export const USER_USAGE = [
  'usage: tandem-node user add --data-dir DIR --name NAME [--password-file FILE]   (password from stdin)',
  '       tandem-node user list --data-dir DIR',
  '       tandem-node user remove --data-dir DIR --name NAME',
];

const DATA_DIR = { 'data-dir': { type: 'string' } } as const;
const NAME = { name: { type: 'string' } } as const;
const ADD_FLAGS = { ...DATA_DIR, ...NAME, 'password-file': { type: 'string' } } as const;
const REMOVE_FLAGS = { ...DATA_DIR, ...NAME } as const;

export interface UserCommandIo {
  readonly out: (line: string) => void;
  /** The password when no file is given; the CLI reads stdin. */
  readonly readPassword: (prompt: string) => Promise<string>;
  readonly now: () => number;
}

/** Runs `user <verb> …`; returns the exit code (0), or throws `UsageError` (exit 2) or `TandemError` (exit 1). */
export async function runUserCommand(argv: string[], io: UserCommandIo): Promise<number> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'add':
      return addUser(rest, io);
    case 'list':
      return listUsers(rest, io);
    case 'remove':
      return removeUser(rest, io);
    case 'help':
    case '--help':
    case '-h':
      USER_USAGE.forEach((line) => io.out(line));
      return 0;
    case undefined:
      throw new UsageError('user: expected a subcommand: add, list or remove');
    default:
      throw new UsageError(`user: unknown subcommand "${verb}"; expected add, list or remove`);
  }
}

async function addUser(args: string[], io: UserCommandIo): Promise<number> {
  const values = parseFlags(args, ADD_FLAGS);
  const dataDir = required('user add', '--data-dir', values['data-dir']);
  const name = userName('user add', values.name);
  const file = values['password-file'];
  const password = file ? readPasswordFile(file) : await io.readPassword(`Password for "${name}": `);
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(problem);

  fs.mkdirSync(dataDir, { recursive: true });
  await withDatabase(dataDir, async (db) => {
    const api = await runningNodeApi(db, dataDir);
    if (api) {
      const answer = await api.request('POST', '/api/users', { name, password });
      if (answer.status === 307) throw notActive(answer);
      if (answer.status === 409) throw exists(name);
      if (answer.status !== 201) throw new TandemError('USER_ADD_FAILED', answerMessage(answer));
      return;
    }
    const offline = new OfflineAccounts(db);
    if (offline.accounts.get(name)) throw exists(name);
    const passwordHash = await hashPassword(password);
    offline.change({ op: 'put', name, definition: { passwordHash, createdAt: io.now() } }, io.now());
  });
  io.out(`User "${name}" added: it can log in to the dashboard of both nodes of the pair.`);
  return 0;
}

async function listUsers(args: string[], io: UserCommandIo): Promise<number> {
  const values = parseFlags(args, DATA_DIR);
  const dataDir = existingDataDir('user list', values['data-dir']);
  // Read from the database also while the node runs: the accounts are config items, stored as they change.
  const users = await withDatabase(dataDir, (db) => Promise.resolve(new OfflineAccounts(db).accounts.list()));
  if (users.length === 0) {
    io.out('No users in this pair (add one with tandem-node user add).');
    return 0;
  }
  const width = Math.max(...users.map((u) => u.name.length));
  // Name, then when it was made: columns for a person, split on white space by a script.
  for (const user of users) io.out(`${user.name.padEnd(width)}  ${new Date(user.createdAt).toISOString()}`);
  return 0;
}

async function removeUser(args: string[], io: UserCommandIo): Promise<number> {
  const values = parseFlags(args, REMOVE_FLAGS);
  const dataDir = existingDataDir('user remove', values['data-dir']);
  const name = userName('user remove', values.name);
  await withDatabase(dataDir, async (db) => {
    const api = await runningNodeApi(db, dataDir);
    if (api) {
      const answer = await api.request('DELETE', `/api/users/${encodeURIComponent(name)}`);
      if (answer.status === 307) throw notActive(answer);
      if (answer.status === 404) throw notFound(name);
      if (answer.status !== 200) throw new TandemError('USER_REMOVE_FAILED', answerMessage(answer));
      return;
    }
    const offline = new OfflineAccounts(db);
    if (!offline.accounts.get(name)) throw notFound(name);
    offline.change({ op: 'delete', name }, io.now());
  });
  io.out(`User "${name}" removed: it can no longer log in, and its open sessions on both nodes end.`);
  return 0;
}

function exists(name: string): TandemError {
  return new TandemError('USER_EXISTS', `user "${name}" exists already on this node`);
}

function notFound(name: string): TandemError {
  return new TandemError('USER_NOT_FOUND', `no user "${name}" on this node`);
}

async function withDatabase<T>(dataDir: string, work: (db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase(dataDir);
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

function parseFlags<O extends Record<string, { type: 'string' }>>(
  args: string[],
  options: O,
): { [K in keyof O]?: string } {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error), {
      cause: error,
    });
  }
}

function required(command: string, flag: string, value: string | undefined): string {
  if (!value) throw new UsageError(`${command} needs ${flag}`);
  return value;
}

function userName(command: string, value: string | undefined): string {
  const name = required(command, '--name', value);
  if (!USER_NAME.test(name)) throw new UsageError(`--name: "${name}" ${USER_NAME_RULE}`);
  return name;
}

/** Listing or removing never makes a node's folder: a mistyped path is a bad flag, not a new empty node. */
function existingDataDir(command: string, value: string | undefined): string {
  const dataDir = required(command, '--data-dir', value);
  if (!fs.statSync(dataDir, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`--data-dir: ${dataDir} is not a folder`);
  return dataDir;
}
