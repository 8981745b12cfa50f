import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/index.ts';
import { RuntimeStore, type TagValue } from './runtime-store.ts';

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function store(): { db: Db; runtime: RuntimeStore } {
  const db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-runtime-')));
  dbs.push(db);
  return { db, runtime: new RuntimeStore(db) };
}

const value = (name: string, v: number, hlc: string): TagValue => ({
  name,
  value: v,
  quality: 'good',
  ts: v,
  version: { epoch: 1, hlc },
});

describe('runtime store', () => {
  it('stores what wins, many values per statement, as a restart reads them back', () => {
    const { db, runtime } = store();
    // 123 values: two full statements and a shorter one.
    const first = Array.from({ length: 123 }, (_, i) => value(`t${i}`, i, `000000000001000.000000.a`));
    expect(runtime.merge(first)).toHaveLength(123);
    const newer = [
      value('t5', 500, '000000000002000.000000.a'),
      value('t7', 700, '000000000000500.000000.a'),
    ];
    expect(runtime.merge(newer).map((v) => v.name)).toEqual(['t5']);
    const reloaded = new RuntimeStore(db);
    expect(reloaded.all()).toHaveLength(123);
    expect(reloaded.get('t5')?.value).toBe(500);
    expect(reloaded.get('t7')?.value).toBe(7);
    expect(reloaded.get('t122')).toEqual(first[122]);
  });
});

describe('runtime store on a full disk', () => {
  it('a transaction that fails leaves the values in memory as they were, not as it would have made them', () => {
    const { db, runtime } = store();
    runtime.merge([value('t1', 1, '000000000001000.000000.a')]);
    // No page more: what needs a new page fails with SQLITE_FULL, as on a full disk; small rows still fit.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const entry = { uid: 'u1', command: '{}', result: 'x'.repeat(20_000), at: 1 };
    expect(() =>
      runtime.atomically(() => {
        runtime.merge([
          value('t1', 2, '000000000002000.000000.a'),
          value('t2', 2, '000000000002000.000000.b'),
        ]);
        expect(runtime.get('t1')?.value).toBe(2);
        runtime.recordLedger([entry]);
      }),
    ).toThrow(expect.objectContaining({ code: 'SQLITE_FULL' }) as Error);
    expect(runtime.get('t1')?.value).toBe(1);
    expect(runtime.get('t2')).toBeUndefined();
    expect(new RuntimeStore(db).all().map((v) => v.value)).toEqual([1]);
  });
});
