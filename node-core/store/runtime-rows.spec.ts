import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../../test/support/temp-database.ts';
import { openDatabase } from './database.ts';
import { RuntimeRows, type TagValueRow } from './runtime-rows.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

function open(): { rows: RuntimeRows; reopened: () => RuntimeRows } {
  const { db, dir, dispose } = tempDatabase();
  disposers.push(dispose);
  return {
    rows: new RuntimeRows(db),
    // The same file opened again, as after a restart.
    reopened: () => {
      db.close();
      const again = openDatabase(dir);
      disposers.unshift(() => again.close());
      return new RuntimeRows(again);
    },
  };
}

const row = (name: string, value: unknown, hlc = '000000000001000.000000.a'): TagValueRow => ({
  name,
  value,
  quality: 'good',
  ts: 5,
  version: { epoch: 2, hlc },
});

describe('RuntimeRows: tag values', () => {
  it('stores values of every type, many per statement, and reads them back after a reopen', () => {
    const { rows, reopened } = open();
    // 123 values: two full statements and a shorter one.
    const values = Array.from({ length: 123 }, (_, i) => row(`t${i}`, i));
    values.push(row('text', 'a "quoted" text'), row('flag', false), row('none', null));
    rows.upsertValues(values);
    const back = reopened().values();
    expect(back).toHaveLength(126);
    expect(back).toEqual(expect.arrayContaining(values));
  });

  it('an upsert replaces the value of its name; a later row of the same name in one batch wins', () => {
    const { rows } = open();
    rows.upsertValues([row('a', 1), row('b', 1)]);
    rows.upsertValues([row('a', 2, '000000000002000.000000.b'), row('a', 3, '000000000003000.000000.b')]);
    expect(rows.values().find((r) => r.name === 'a')).toEqual(row('a', 3, '000000000003000.000000.b'));
    expect(rows.values()).toHaveLength(2);
  });

  it('deletes a value by name', () => {
    const { rows } = open();
    rows.upsertValues([row('a', 1), row('b', 2)]);
    rows.deleteValue('a');
    rows.deleteValue('nothing');
    expect(rows.values().map((r) => r.name)).toEqual(['b']);
  });

  it('a transaction that throws stores none of its values', () => {
    const { rows } = open();
    expect(() =>
      rows.transaction(() => {
        rows.upsertValues([row('a', 1)]);
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(rows.values()).toEqual([]);
  });
});

describe('RuntimeRows: the command ledger', () => {
  it('keeps the first entry of a uid, lists the newest first, and prunes by time', () => {
    const { rows, reopened } = open();
    rows.insertLedger([
      { uid: 'u1', command: 'c1', result: '"first"', at: 10 },
      { uid: 'u2', command: 'c2', result: '"two"', at: 20 },
    ]);
    rows.insertLedger([{ uid: 'u1', command: 'c1', result: '"again"', at: 30 }]);
    expect(rows.ledgerEntry('u1')).toEqual({ uid: 'u1', command: 'c1', result: '"first"', at: 10 });
    expect(rows.ledgerEntry('u3')).toBeUndefined();
    const again = reopened();
    expect(again.ledger(10).map((e) => e.uid)).toEqual(['u2', 'u1']);
    expect(again.ledger(1).map((e) => e.uid)).toEqual(['u2']);
    expect(again.pruneLedger(15.7, 100)).toBe(1);
    expect(again.ledger(10).map((e) => e.uid)).toEqual(['u2']);
  });

  it('prunes at most the limit, oldest first', () => {
    const { rows } = open();
    rows.insertLedger([
      { uid: 'u3', command: 'c', result: '1', at: 3 },
      { uid: 'u1', command: 'c', result: '1', at: 1 },
      { uid: 'u2', command: 'c', result: '1', at: 2 },
      { uid: 'u9', command: 'c', result: '1', at: 9 },
    ]);
    expect(rows.pruneLedger(5, 2)).toBe(2);
    expect(rows.ledger(10).map((e) => e.uid)).toEqual(['u9', 'u3']);
    expect(rows.pruneLedger(5, 2)).toBe(1);
    expect(rows.ledger(10).map((e) => e.uid)).toEqual(['u9']);
  });

  it('finds old entries through an index on their time, never by reading the whole ledger', () => {
    const { db, dispose } = tempDatabase();
    disposers.push(dispose);
    const rows = new RuntimeRows(db);
    const statements: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = (sql: string) => {
      statements.push(sql);
      return prepare(sql);
    };
    rows.pruneLedger(5, 2);
    db.prepare = prepare;
    const [sql] = statements;
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(5, 2) as { detail: string }[])
      .map((r) => r.detail)
      .join('; ');
    expect(plan).toMatch(/command_ledger_by_at/);
    expect(plan).not.toMatch(/SCAN command_ledger/);
  });
});
