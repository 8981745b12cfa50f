import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE } from '../node/create-node.ts';
import { CERT_FILE, KEY_FILE } from '../trust/identity.ts';
import { DatabaseError, IDENTITY_FILES, openDatabase } from './database.ts';

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-db-spec-'));

describe('openDatabase and a node whose database is gone', () => {
  it('knows every file of a node identity by the name the node writes it under', () => {
    expect([...IDENTITY_FILES].sort()).toEqual([ADMIN_TOKEN_FILE, CERT_FILE, KEY_FILE].sort());
  });

  it('a folder with no identity gets a database; one with any identity file and no database is refused', () => {
    const fresh = tempDir();
    openDatabase(fresh).close();
    expect(fs.statSync(path.join(fresh, 'tandem.db')).size).toBeGreaterThan(0);

    for (const name of IDENTITY_FILES) {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, name), 'x');
      expect(() => openDatabase(dir), name).toThrow(DatabaseError);
      expect(fs.readdirSync(dir), name).toEqual([name]);
    }
  });

  it('a write-ahead log with content next to an empty database is refused too (the changes are in it)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'tandem.db'), '');
    fs.writeFileSync(path.join(dir, 'tandem.db-wal'), 'frames');
    expect(() => openDatabase(dir)).toThrow(/it is empty \(0 bytes\), but .* \(tandem\.db-wal\)/);
  });
});
