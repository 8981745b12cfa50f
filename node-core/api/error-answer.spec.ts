/** How the API answers a failed request: storage failures made by a real SQLite file, never a bare 500. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DataError } from '../data/data-error.ts';
import { errorAnswer } from './error-answer.ts';

function database(): { file: string; db: Database.Database } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-errors-')), 'test.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT)');
  return { file, db };
}

function thrownBy(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
}

describe('errorAnswer', () => {
  it('a full disk (SQLITE_FULL) is 507 Insufficient Storage, saying nothing was changed', () => {
    const { db } = database();
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const full = thrownBy(() => db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000)));
    expect((full as Error & { code: string }).code).toBe('SQLITE_FULL');
    expect(errorAnswer(full)).toEqual({
      status: 507,
      code: 'STORAGE_FULL',
      message: "the node's disk is full: nothing was changed; free space on the node's disk, then try again",
    });
    // Also when it arrives as the cause of another error, and as the system's ENOSPC from a sync.
    expect(errorAnswer(new Error('commit failed', { cause: full })).status).toBe(507);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, fdatasync'), { code: 'ENOSPC' });
    expect(errorAnswer(enospc).status).toBe(507);
  });

  it('a database held by another process (SQLITE_BUSY) is 503 with Retry-After', () => {
    const { file, db } = database();
    const other = new Database(file, { timeout: 0 });
    db.exec('BEGIN IMMEDIATE');
    const busy = thrownBy(() => other.prepare('INSERT INTO t VALUES (1)').run());
    db.exec('ROLLBACK');
    expect(errorAnswer(busy)).toMatchObject({ status: 503, code: 'STORAGE_BUSY', retryAfterS: 1 });
    expect(errorAnswer(busy).message).toContain('SQLITE_BUSY');
  });

  it('a database that cannot be written (SQLITE_READONLY) is 503 naming the code', () => {
    const { file, db } = database();
    db.close();
    const readOnly = new Database(file, { readonly: true });
    const error = thrownBy(() => readOnly.prepare('INSERT INTO t VALUES (1)').run());
    expect(errorAnswer(error)).toMatchObject({ status: 503, code: 'STORAGE_READ_ONLY' });
    expect(errorAnswer(error).message).toContain('SQLITE_READONLY');
  });

  it('requests that are wrong keep their 4xx; only what is left is a 500, and says it is internal', () => {
    const zod = thrownBy(() => z.object({ value: z.number() }).parse({ value: 'x' }));
    expect(errorAnswer(zod)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^value: /) as string,
    });
    expect(errorAnswer(new DataError('UID_REUSED', 'uid "u" was used at …'))).toMatchObject({ status: 409 });
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(errorAnswer(tooLarge)).toMatchObject({ status: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(errorAnswer(new TypeError('x is undefined'))).toEqual({
      status: 500,
      code: 'ERROR',
      message: 'internal error: x is undefined',
    });
  });
});
