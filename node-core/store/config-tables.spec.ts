import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../../test/support/temp-database.ts';
import { ConflictSet, conflictId } from './config-conflicts.ts';
import type { ConfigChange } from './config-rows.ts';
import { ConfigTables } from './config-tables.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

function open(): { tables: ConfigTables; conflicts: ConflictSet } {
  const { db, dispose } = tempDatabase();
  disposers.push(dispose);
  return { tables: new ConfigTables(db), conflicts: new ConflictSet(db) };
}

const EMPTY = { seq: 0, checksum: 'empty' };

function change(seq: number, op: 'put' | 'delete', key: string, value: unknown = null): ConfigChange {
  return {
    seq,
    epoch: 1,
    origin: 'node-a',
    op,
    kind: 'tag',
    key,
    value: op === 'put' ? JSON.stringify(value) : null,
    checksum: `c${seq}`,
    at: 1000 + seq,
  };
}

describe('ConfigTables', () => {
  it('logs changes, keeps the items they leave, and reads the log back after a seq', () => {
    const { tables } = open();
    expect(tables.firstSeq()).toBeNull();
    tables.append(change(1, 'put', 'b', { n: 1 }));
    tables.append(change(2, 'put', 'a', { n: 2 }));
    tables.append(change(3, 'delete', 'b'));
    tables.append(change(4, 'put', 'a', { n: 4 }));
    expect(tables.itemsOf('tag')).toEqual([{ key: 'a', definition: '{"n":4}' }]);
    expect(tables.itemsOf('device')).toEqual([]);
    expect(tables.definition('tag', 'a')).toBe('{"n":4}');
    expect(tables.definition('tag', 'b')).toBeNull();
    expect(tables.allItems()).toEqual([{ kind: 'tag', key: 'a', definition: '{"n":4}' }]);
    expect(tables.firstSeq()).toBe(1);
    expect(tables.checksumAt(3)).toBe('c3');
    expect(tables.checksumAt(9)).toBeUndefined();
    expect(tables.changesAfter(2)).toEqual([change(3, 'delete', 'b'), change(4, 'put', 'a', { n: 4 })]);
    expect(tables.keysChangedAfter(1)).toEqual(
      expect.arrayContaining([
        { kind: 'tag', key: 'a' },
        { kind: 'tag', key: 'b' },
      ]),
    );
    expect(tables.keysChangedAfter(1)).toHaveLength(2);
  });

  it('reads the head of the empty log until one is written', () => {
    const { tables } = open();
    expect(tables.readHead(EMPTY)).toEqual(EMPTY);
    tables.writeHead({ seq: 7, checksum: 'c7' });
    tables.writeHead({ seq: 8, checksum: 'c8' });
    expect(tables.readHead(EMPTY)).toEqual({ seq: 8, checksum: 'c8' });
  });

  it('a snapshot empties the log and puts its items in the place of all items', () => {
    const { tables } = open();
    tables.append(change(1, 'put', 'old', 1));
    tables.replaceItems([
      { kind: 'device', key: 'plc', definition: '{}' },
      { kind: 'tag', key: 'new', definition: '2' },
    ]);
    expect(tables.firstSeq()).toBeNull();
    expect(tables.allItems()).toEqual([
      { kind: 'device', key: 'plc', definition: '{}' },
      { kind: 'tag', key: 'new', definition: '2' },
    ]);
  });
});

describe('ConflictSet', () => {
  it('records a conflict once, gives it back as a change, and never again once resolved', () => {
    const { conflicts } = open();
    const lost = change(5, 'put', 'a', { n: 5 });
    const id = conflictId(lost);
    conflicts.record([lost, lost], 2000);
    expect(conflicts.count()).toBe(1);
    expect(conflicts.has(id)).toBe(true);
    expect(conflicts.list()).toEqual([
      {
        id,
        origin: 'node-a',
        epoch: 1,
        op: 'put',
        kind: 'tag',
        key: 'a',
        value: { n: 5 },
        at: new Date(1005).toISOString(),
        recordedAt: new Date(2000).toISOString(),
      },
    ]);
    expect(conflicts.asChanges()).toEqual([{ ...lost, checksum: '0'.repeat(64) }]);
    expect(conflicts.take(id, 3000)?.id).toBe(id);
    expect(conflicts.take(id, 3000)).toBeUndefined();
    conflicts.record([lost], 4000);
    expect(conflicts.count()).toBe(0);
    expect(conflicts.resolvedIds()).toEqual([id]);
  });
});
