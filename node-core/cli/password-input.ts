/**
 * Where `tandem-node user add` gets a password: the first line of a file, or stdin (without echo on a
 * terminal, the first line when piped). Never a flag, where other users of the machine could read it.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { UsageError } from '../errors.ts';

export function readPasswordFile(file: string): string {
  try {
    return firstLine(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--password-file: ${file} cannot be read`, { cause: error });
  }
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

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}
