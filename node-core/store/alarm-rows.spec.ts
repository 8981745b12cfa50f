import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../../test/support/temp-database.ts';
import { openDatabase } from './database.ts';
import { AlarmRows, type AlarmStateRow } from './alarm-rows.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

const state = (
  id: string,
  hlc: string,
  extra: Record<string, unknown> = {},
): AlarmStateRow & Record<string, unknown> => ({
  id,
  active: true,
  acked: false,
  ...extra,
  version: { epoch: 3, hlc },
});

describe('AlarmRows', () => {
  it('stores each state whole, replaces it by id, deletes it, and reads it back after a reopen', () => {
    const { db, dir, dispose } = tempDatabase();
    disposers.push(dispose);
    const rows = new AlarmRows(db);
    rows.upsert([state('a', '1'), state('b', '1', { ackedBy: 'ops', ackedAt: null })]);
    rows.upsert([state('a', '2', { active: false })]);
    rows.upsert([state('c', '1')]);
    rows.delete('c');
    db.close();
    const again = openDatabase(dir);
    disposers.unshift(() => again.close());
    const back = new AlarmRows(again).states();
    expect(back).toHaveLength(2);
    expect(back).toEqual(
      expect.arrayContaining([
        state('a', '2', { active: false }),
        state('b', '1', { ackedBy: 'ops', ackedAt: null }),
      ]),
    );
    const versions = again.prepare('SELECT id, epoch, hlc FROM alarm_states ORDER BY id').all();
    expect(versions).toEqual([
      { id: 'a', epoch: 3, hlc: '2' },
      { id: 'b', epoch: 3, hlc: '1' },
    ]);
  });
});
