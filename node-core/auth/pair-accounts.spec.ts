/** The pair's accounts as config items: read back through the real config store on a real SQLite file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../data/index.ts';
import { MetaStore, openDatabase, type Db } from '../store/index.ts';
import { PairAccounts, publicAccount } from './pair-accounts.ts';

describe('PairAccounts', () => {
  let dir = '';
  let db: Db;
  let config: ConfigStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-accounts-'));
    db = openDatabase(dir);
    config = new ConfigStore(db, new MetaStore(db));
  });

  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const put = (name: string, definition: unknown): void =>
    void config.commitLocal('put', 'user', name, definition, 1, 'node-a', 1000);

  it('an account committed to the config log is found by name, and listed without its hash', () => {
    const accounts = new PairAccounts(config);
    put('ops', { passwordHash: 'scrypt$a', createdAt: 5 });
    put('night-shift', { passwordHash: 'scrypt$b', createdAt: 6 });
    expect(accounts.get('ops')).toEqual({ name: 'ops', passwordHash: 'scrypt$a', createdAt: 5 });
    expect(accounts.list()).toEqual([
      { name: 'night-shift', createdAt: 6 },
      { name: 'ops', createdAt: 5 },
    ]);
    config.commitLocal('delete', 'user', 'ops', null, 1, 'node-a', 1001);
    expect(accounts.get('ops')).toBeUndefined();
  });

  it('an account replicated from the peer is found like one made here', () => {
    const peerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-accounts-peer-'));
    const peerDb = openDatabase(peerDir);
    try {
      const peer = new ConfigStore(peerDb, new MetaStore(peerDb));
      const change = peer.commitLocal(
        'put',
        'user',
        'ops',
        { passwordHash: 'scrypt$p', createdAt: 9 },
        1,
        'b',
        1,
      );
      const accounts = new PairAccounts(config);
      expect(accounts.get('ops')).toBeUndefined();
      config.applyReplicated([change]);
      expect(accounts.get('ops')?.passwordHash).toBe('scrypt$p');
    } finally {
      peerDb.close();
      fs.rmSync(peerDir, { recursive: true, force: true });
    }
  });

  it('an item that is not an account, or a name no login could use, is no account', () => {
    const accounts = new PairAccounts(config);
    put('broken', { password: 'plain text' });
    put('bad name', { passwordHash: 'scrypt$a', createdAt: 5 });
    expect(accounts.get('broken')).toBeUndefined();
    expect(accounts.get('bad name')).toBeUndefined();
    expect(accounts.list()).toEqual([]);
  });

  it('publicAccount drops the password hash and keeps the rest', () => {
    expect(publicAccount({ passwordHash: 'scrypt$a', createdAt: 5 })).toEqual({ createdAt: 5 });
    expect(publicAccount(null)).toBeNull();
  });
});
