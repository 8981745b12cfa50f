import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';

/** Cheap parameters keep the spec fast; the format and the checks are the same as with the real ones. */
const FAST = { N: 2 ** 10, r: 8, p: 1 } as const;

describe('password hashing', () => {
  it('stores scrypt with its parameters, a salt and the key, never the password', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(stored).not.toContain('correct');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash: the same password twice gives two different texts, both valid', async () => {
    const a = await hashPassword('same password here', FAST);
    const b = await hashPassword('same password here', FAST);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password here', a)).toBe(true);
    expect(await verifyPassword('same password here', b)).toBe(true);
  });

  it('uses the default (stronger) parameters when none are given', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const stored = await hashPassword('Kl\u00e4ranlage-Nord', FAST);
    expect(await verifyPassword('Kla\u0308ranlage-Nord', stored)).toBe(true);
  });

  it('answers false, not an error, for a stored text that is not one of its hashes', async () => {
    for (const stored of ['', 'plain', 'scrypt$3$8$1$AAAA$BBBB', 'bcrypt$2b$10$xyz', 'scrypt$1024$8$1$$']) {
      expect(await verifyPassword('anything at all', stored)).toBe(false);
    }
  });

  it('names what is wrong with an unusable password', () => {
    expect(passwordProblem('')).toBe('the password is empty');
    expect(passwordProblem('short')).toMatch(/too short \(needs 10 characters or more\)/);
    expect(passwordProblem('x'.repeat(2000))).toMatch(/too long/);
    expect(passwordProblem('long enough pass')).toBeNull();
  });
});
