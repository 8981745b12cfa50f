/**
 * `license keygen` and `license issue`: the vendor's tools for making a signing key pair and signing a
 * license file. The caller passes the arguments after `license`, prints a thrown `UsageError`'s message as
 * one line on stderr and exits 2.
 */
import { generateKeyPairSync } from 'node:crypto';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { issueLicense, LicenseError, type License } from './license.ts';

export const PRIVATE_KEY_FILE = 'license-private-key.pem';
export const PUBLIC_KEY_FILE = 'license-public-key.pem';

export interface LicenseCommandDeps {
  /** Time of issue; the system clock by default. */
  readonly now?: () => number;
}

const USAGE = [
  'usage: license keygen --out-dir DIR',
  '       license issue --key PRIVATE_PEM --licensee NAME [--module M]... [--limit NAME=N]...',
  '                     [--expires YYYY-MM-DD | ISO_DATE_TIME] --out FILE',
  'A date without a time expires at the start of that day (UTC).',
];

/** Runs `license <subcommand> …`; returns the exit code (0) or throws `UsageError`. */
export async function runLicenseCommand(
  args: string[],
  out: (line: string) => void,
  deps: LicenseCommandDeps = {},
): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'keygen':
      await keygen(rest, out);
      return 0;
    case 'issue':
      await issue(rest, out, deps.now ?? Date.now);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      USAGE.forEach((line) => out(line));
      return 0;
    case undefined:
      throw new UsageError('license: expected a subcommand: keygen or issue');
    default:
      throw new UsageError(`license: unknown subcommand "${subcommand}"; expected keygen or issue`);
  }
}

async function keygen(args: string[], out: (line: string) => void): Promise<void> {
  const command = 'license keygen';
  const { values } = parseFlags(command, () =>
    parseArgs({ args, strict: true, allowPositionals: false, options: { 'out-dir': { type: 'string' } } }),
  );
  const outDir = required(command, '--out-dir', values['out-dir']);
  const privatePath = resolve(outDir, PRIVATE_KEY_FILE);
  const publicPath = resolve(outDir, PUBLIC_KEY_FILE);
  for (const path of [privatePath, publicPath]) {
    if (await exists(path)) throw new UsageError(`--out-dir: ${path} exists already; not replacing a key`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await writeOrFail('--out-dir', privatePath, async () => {
    await mkdir(outDir, { recursive: true });
    // 'wx': never replace a key someone wrote in the meantime.
    await writeFile(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      flag: 'wx',
      mode: 0o600,
    });
  });
  await writeOrFail('--out-dir', publicPath, () =>
    writeFile(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' }),
  );
  out(privatePath);
  out(publicPath);
}

async function issue(args: string[], out: (line: string) => void, now: () => number): Promise<void> {
  const command = 'license issue';
  const { values } = parseFlags(command, () =>
    parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        key: { type: 'string' },
        licensee: { type: 'string' },
        module: { type: 'string', multiple: true },
        limit: { type: 'string', multiple: true },
        expires: { type: 'string' },
        out: { type: 'string' },
      },
    }),
  );
  const keyPath = required(command, '--key', values.key);
  const licensee = required(command, '--licensee', values.licensee).trim();
  const outPath = resolve(required(command, '--out', values.out));
  const issuedAt = now();
  const license: License = {
    licensee,
    modules: parseModules(values.module ?? []),
    limits: parseLimits(values.limit ?? []),
    issuedAt: new Date(issuedAt).toISOString(),
    expiresAt: values.expires === undefined ? null : parseExpiry(values.expires, issuedAt),
  };

  let keyPem: string;
  try {
    keyPem = await readFile(keyPath, 'utf8');
  } catch (cause) {
    throw new UsageError(`--key: cannot read ${keyPath} (${errorCode(cause)})`, { cause });
  }
  let text: string;
  try {
    text = issueLicense(keyPem, license);
  } catch (cause) {
    if (cause instanceof LicenseError && cause.code === 'LICENSE_KEY') {
      throw new UsageError(`--key: ${keyPath} is not an Ed25519 private key in PEM form`, { cause });
    }
    if (cause instanceof LicenseError) throw new UsageError(cause.message, { cause });
    throw cause;
  }
  await writeOrFail('--out', outPath, () => writeFile(outPath, text));
  out(outPath);
}

/** Runs `parseArgs`, turning its errors (unknown flag, missing value…) into one-line usage errors. */
function parseFlags<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.split('. ')[0] : String(cause);
    throw new UsageError(`${command}: ${message}`, { cause });
  }
}

function required(command: string, flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${command}: ${flag} is required`);
  return value;
}

function parseModules(modules: string[]): string[] {
  const names: string[] = [];
  for (const module of modules) {
    if (!/^[^\s"]+$/.test(module)) throw new UsageError(`--module: "${module}" is not a module name`);
    if (!names.includes(module)) names.push(module);
  }
  return names;
}

function parseLimits(limits: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const limit of limits) {
    const match = /^([^\s="]+)=(\d+)$/.exec(limit);
    const name = match?.[1];
    const value = Number(match?.[2]);
    if (name === undefined || !Number.isSafeInteger(value)) {
      throw new UsageError(`--limit: "${limit}" is not NAME=N with N a whole number`);
    }
    if (Object.hasOwn(result, name)) throw new UsageError(`--limit: "${name}" is given twice`);
    result[name] = value;
  }
  return result;
}

/** `YYYY-MM-DD` (start of that day, UTC) or a full ISO date-time with offset; must lie after `issuedAt`. */
function parseExpiry(text: string, issuedAt: number): string {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const at = iso.test(text) && isCalendarDate(text.slice(0, 10)) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at))
    throw new UsageError(`--expires: "${text}" is not an ISO date (YYYY-MM-DD) or date-time`);
  if (at <= issuedAt) throw new UsageError(`--expires: ${text} is not in the future`);
  return new Date(at).toISOString();
}

/** `Date.parse` rolls 2027-02-30 over into March; a typo like that should be refused instead. */
function isCalendarDate(yyyyMmDd: string): boolean {
  const [year = 0, month = 0, day = 0] = yyyyMmDd.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function writeOrFail(flag: string, path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (cause) {
    throw new UsageError(`${flag}: cannot write ${path} (${errorCode(cause)})`, { cause });
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
}
