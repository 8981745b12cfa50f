/**
 * Operator passwords, hashed with scrypt (node:crypto) and a random salt per user. The stored text names its
 * parameters (`scrypt$N$r$p$salt$hash`, base64url), so stronger ones can come later without a migration.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** CPU/memory cost 2^15, block size 8, parallelism 1: about 32 MiB and tens of milliseconds per hash. */
const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 1024;

/** Why a password cannot be used, or `null` when it can. */
export function passwordProblem(password: string): string | null {
  if (password.length === 0) return 'the password is empty';
  if (password.length < PASSWORD_MIN_LENGTH)
    return `the password is too short (needs ${PASSWORD_MIN_LENGTH} characters or more)`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `the password is too long (at most ${PASSWORD_MAX_LENGTH} characters)`;
  return null;
}

export async function hashPassword(password: string, params = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, KEY_LENGTH, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/**
 * True when `password` matches `stored`. The keys are compared in constant time; a stored text that is not
 * one of ours answers false (and costs a hash all the same, so its shape cannot be timed either).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  const expected = parsed?.key ?? Buffer.alloc(KEY_LENGTH);
  const key = await derive(
    password,
    parsed?.salt ?? Buffer.alloc(SALT_LENGTH),
    expected.length,
    parsed?.params,
  );
  return parsed !== null && timingSafeEqual(key, expected);
}

/** A hash of nothing in particular, checked against when a name is unknown, so that costs the same as a known one. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

interface ParsedHash {
  readonly params: { N: number; r: number; p: number };
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > 2 ** 20 || !(r >= 1 && r <= 32) || !(p >= 1 && p <= 16)) return null;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8 || key.length < 16) return null;
  return { params: { N, r, p }, salt, key };
}

function derive(
  password: string,
  salt: Buffer,
  length: number,
  params: { N: number; r: number; p: number } = SCRYPT_PARAMS,
): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
