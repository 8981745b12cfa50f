import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './index.ts';
import { migrations } from './migrations/index.ts';
import { UserStore } from './user-store.ts';

describe('UserStore', () => {
  let dir = '';
  let db: Db | null = null;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-users-'));
  });

  afterEach(() => {
    db?.close();
    db = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function open(): UserStore {
    db ??= openDatabase(dir);
    return new UserStore(db);
  }

  it('is migration 6: a new database has the users table and the latest schema version', () => {
    open();
    expect(db!.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    expect(new UserStore(db!).count()).toBe(0);
  });

  it('adds a user once and reads it back; a second add of the name changes nothing', () => {
    const users = open();
    expect(users.add({ name: 'ops', passwordHash: 'scrypt$hash-1', createdAt: 1000 })).toBe(true);
    expect(users.add({ name: 'ops', passwordHash: 'scrypt$hash-2', createdAt: 2000 })).toBe(false);
    expect(users.get('ops')).toEqual({ name: 'ops', passwordHash: 'scrypt$hash-1', createdAt: 1000 });
    expect(users.get('OPS')).toBeUndefined();
    expect(users.get('nobody')).toBeUndefined();
    expect(users.count()).toBe(1);
  });

  it('keeps users across a reopen of the database', () => {
    open().add({ name: 'ops', passwordHash: 'scrypt$hash', createdAt: 1 });
    db!.close();
    db = null;
    expect(open().get('ops')?.passwordHash).toBe('scrypt$hash');
  });

  it('lists users by name with when they were made, and never their password hashes', () => {
    const users = open();
    expect(users.list()).toEqual([]);
    users.add({ name: 'night-shift', passwordHash: 'scrypt$hash-1', createdAt: 2000 });
    users.add({ name: 'alice', passwordHash: 'scrypt$hash-2', createdAt: 1000 });
    expect(users.list()).toEqual([
      { name: 'alice', createdAt: 1000 },
      { name: 'night-shift', createdAt: 2000 },
    ]);
  });

  it('removes a user by name once; an unknown name removes nothing', () => {
    const users = open();
    users.add({ name: 'ops', passwordHash: 'scrypt$hash', createdAt: 1 });
    users.add({ name: 'other', passwordHash: 'scrypt$hash', createdAt: 1 });
    expect(users.remove('ops')).toBe(true);
    expect(users.remove('ops')).toBe(false);
    expect(users.remove('OTHER')).toBe(false);
    expect(users.get('ops')).toBeUndefined();
    expect(users.list().map((u) => u.name)).toEqual(['other']);
  });
});
