/**
 * `tandem-node user add --data-dir DIR --name NAME [--password-file FILE]`: makes an operator login for
 * the dashboard and `POST /api/login`. The password comes from the file's first line or from stdin (asked
 * for without echo on a terminal, the first line when piped); it never appears on the command line, where
 * other users of the machine could read it. Works while the node runs: logins read the users as they come.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { hashPassword, passwordProblem, USER_NAME, USER_NAME_RULE } from '../auth/index.ts';
import { TandemError, UsageError } from '../errors.ts';
import { openDatabase, UserStore } from '../store/index.ts';

export const USER_USAGE = 'tandem-node user add --data-dir DIR --name NAME [--password-file FILE]';

const USER_FLAGS = {
  'data-dir': { type: 'string' },
  name: { type: 'string' },
  'password-file': { type: 'string' },
} as const;

export interface UserCommandIo {
  readonly out: (line: string) => void;
  /** The password when no file is given; the CLI reads stdin. */
  readonly readPassword: (prompt: string) => Promise<string>;
  readonly now: () => number;
}

export async function runUserCommand(argv: string[], io: UserCommandIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb !== 'add') throw new UsageError(`usage: ${USER_USAGE}`);
  let values: { 'data-dir'?: string; name?: string; 'password-file'?: string };
  try {
    values = parseArgs({ args: rest, options: USER_FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error), {
      cause: error,
    });
  }
  const dataDir = values['data-dir'];
  const name = values.name;
  if (!dataDir) throw new UsageError('user add needs --data-dir');
  if (!name) throw new UsageError('user add needs --name');
  if (!USER_NAME.test(name)) throw new UsageError(`--name: "${name}" ${USER_NAME_RULE}`);
  const file = values['password-file'];
  const password = file ? readPasswordFile(file) : await io.readPassword(`Password for "${name}": `);
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(problem);

  const passwordHash = await hashPassword(password);
  fs.mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(dataDir);
  try {
    if (!new UserStore(db).add({ name, passwordHash, createdAt: io.now() })) {
      throw new TandemError('USER_EXISTS', `user "${name}" exists already on this node`);
    }
  } finally {
    db.close();
  }
  io.out(`User "${name}" added: it can log in to the dashboard of this node.`);
  return 0;
}

function readPasswordFile(file: string): string {
  try {
    return firstLine(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--password-file: ${file} cannot be read`, { cause: error });
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}

/** Reads the password from stdin: without echo on a terminal, else the first line of what is piped in. */
export async function readPasswordFromStdin(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return firstLine(Buffer.concat(chunks).toString('utf8'));
  }
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = readline.createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.once('line', resolve);
      rl.once('SIGINT', () => reject(new UsageError('cancelled')));
      rl.once('close', () => reject(new UsageError('no password given')));
    });
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
