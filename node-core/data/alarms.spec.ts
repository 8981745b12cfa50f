import { describe, expect, it } from 'vitest';
import { evaluateAlarm, type AlarmRule } from './alarm-rule.ts';
import { AlarmStore, mergeAlarm, type AlarmState } from './alarm-store.ts';
import { tempDatabase } from '../../test/support/temp-database.ts';

const high: AlarmRule = { tag: 't', condition: 'high', threshold: 80, deadband: 5, priority: 'high' };

describe('alarm evaluation', () => {
  it('a high alarm raises above the threshold and clears only below threshold minus deadband', () => {
    expect(evaluateAlarm(high, 79, false)).toBe(false);
    expect(evaluateAlarm(high, 81, false)).toBe(true);
    expect(evaluateAlarm(high, 78, true)).toBe(true);
    expect(evaluateAlarm(high, 74, true)).toBe(false);
  });

  it('a low alarm mirrors it, an equal alarm compares exactly, no value keeps the state', () => {
    const low: AlarmRule = { ...high, condition: 'low', threshold: 10, deadband: 2 };
    expect(evaluateAlarm(low, 9, false)).toBe(true);
    expect(evaluateAlarm(low, 11, true)).toBe(true);
    expect(evaluateAlarm(low, 13, true)).toBe(false);
    const equal: AlarmRule = { ...high, condition: 'equal', threshold: true };
    expect(evaluateAlarm(equal, true, false)).toBe(true);
    expect(evaluateAlarm(equal, false, true)).toBe(false);
    expect(evaluateAlarm(high, null, true)).toBe(true);
  });
});

describe('Runtime data: an acknowledgement never goes back to unacknowledged', () => {
  const raised: AlarmState = {
    id: 'a',
    active: true,
    activatedAt: 1000,
    occurrence: '000000000001000.000000.n1',
    clearedAt: null,
    acked: false,
    ackedBy: null,
    ackedAt: null,
    version: { epoch: 1, hlc: '000000000001000.000000.n1' },
  };
  const acked: AlarmState = {
    ...raised,
    acked: true,
    ackedBy: 'operator',
    ackedAt: 1100,
    version: { epoch: 1, hlc: '000000000001100.000000.n1' },
  };

  it('a newer unacknowledged state of the same occurrence keeps the acknowledgement', () => {
    const clearedLater: AlarmState = {
      ...raised,
      active: false,
      clearedAt: 1200,
      version: { epoch: 2, hlc: '000000000001200.000000.n2' },
    };
    const merged = mergeAlarm(acked, clearedLater);
    expect(merged).toMatchObject({ active: false, acked: true, ackedBy: 'operator' });
    expect(mergeAlarm(clearedLater, acked)).toMatchObject({
      active: false,
      acked: true,
      ackedBy: 'operator',
    });
  });

  it('an older unacknowledged copy never undoes the acknowledgement', () => {
    expect(mergeAlarm(acked, raised)).toBe(acked);
  });

  it('a new occurrence needs a new acknowledgement', () => {
    const again: AlarmState = {
      ...raised,
      activatedAt: 5000,
      occurrence: '000000000005000.000000.n1',
      version: { epoch: 2, hlc: '000000000005000.000000.n1' },
    };
    expect(mergeAlarm(acked, again)).toMatchObject({ acked: false, activatedAt: 5000 });
  });

  it('a newer clearance of an earlier occurrence, from a node that never saw the later one, keeps the later occurrence acknowledged (simulation seed 3581)', () => {
    // The master acknowledged a later occurrence; the backup, restarted with a stale copy and active in a
    // later epoch, cleared the earlier one.
    const later: AlarmState = {
      ...acked,
      activatedAt: 5000,
      occurrence: '000000000005000.000000.n1',
      ackedAt: 5100,
      version: { epoch: 2, hlc: '000000000005100.000000.n1' },
    };
    const staleClear: AlarmState = {
      ...raised,
      active: false,
      clearedAt: 9000,
      version: { epoch: 3, hlc: '000000000009000.000001.n2' },
    };
    const merged = { ...later, active: false, clearedAt: 9000, version: staleClear.version };
    expect(mergeAlarm(later, staleClear)).toEqual(merged);
    // Both nodes end with the same state, whichever way round they merge, and merging again changes nothing.
    expect(mergeAlarm(staleClear, later)).toEqual(merged);
    expect(mergeAlarm(merged, staleClear)).toEqual(merged);
    expect(mergeAlarm(staleClear, merged)).toEqual(merged);
  });

  it('a new activation wins over a later occurrence even when its node’s clock is behind', () => {
    const cleared: AlarmState = {
      ...acked,
      active: false,
      activatedAt: 5000,
      occurrence: '000000000005000.000000.n1',
      clearedAt: 5500,
    };
    const raisedAgain: AlarmState = {
      ...raised,
      activatedAt: 4000,
      occurrence: '000000000006000.000000.n2',
      version: { epoch: 2, hlc: '000000000006000.000000.n2' },
    };
    expect(mergeAlarm(cleared, raisedAgain)).toBe(raisedAgain);
  });
});

describe('alarm occurrences are told apart by their activation stamp, not by wall clocks', () => {
  it('a stale copy of an acknowledged occurrence never comes back unacknowledged when the clocks are an hour apart (simulation seed 901)', () => {
    // The backup (its clock an hour behind) acknowledged the occurrence the master raised, then raised,
    // acknowledged and cleared a later one, stamped with its own wall clock. The restarted master then
    // sends its stale copy of the first occurrence, which by wall clock looks an hour later.
    const first: AlarmState = {
      id: 'A1',
      active: true,
      activatedAt: 1735689826056,
      occurrence: '001735689826056.000000.sim-master',
      clearedAt: null,
      acked: false,
      ackedBy: null,
      ackedAt: null,
      version: { epoch: 3, hlc: '001735689826056.000000.sim-master' },
    };
    const laterOnBackup: AlarmState = {
      id: 'A1',
      active: false,
      activatedAt: 1735686242599,
      occurrence: '001735689832053.000004.sim-backup',
      clearedAt: 1735686243126,
      acked: true,
      ackedBy: 'operator',
      ackedAt: 1735686242700,
      version: { epoch: 4, hlc: '001735689832053.000009.sim-backup' },
    };
    expect(mergeAlarm(laterOnBackup, first)).toBe(laterOnBackup);
    expect(mergeAlarm(first, laterOnBackup)).toBe(laterOnBackup);
  });

  it('a state stored before occurrences were stamped is read with one made from its activation time', () => {
    const { db, dispose } = tempDatabase();
    try {
      const hlc = '000000000007000.000000.n1';
      const legacy = {
        id: 'A2',
        active: true,
        activatedAt: 7000,
        clearedAt: null,
        acked: false,
        ackedBy: null,
        ackedAt: null,
        version: { epoch: 1, hlc },
      };
      db.prepare('INSERT INTO alarm_states (id, state, epoch, hlc) VALUES (?, ?, ?, ?)').run(
        'A2',
        JSON.stringify(legacy),
        1,
        hlc,
      );
      expect(new AlarmStore(db).get('A2')?.occurrence).toBe('000000000007000.000000.');
    } finally {
      dispose();
    }
  });
});

describe('alarm states: both nodes keep the same one, whatever the order they see them in', () => {
  it('two states of the same version with different contents settle on the same one on both nodes (simulation seed 723)', () => {
    const version = { epoch: 2, hlc: '001735689882728.000001.sim-backup' };
    const onMaster: AlarmState = {
      id: 'A1',
      active: false,
      activatedAt: 1735689880324,
      occurrence: '001735689880324.000000.sim-master',
      clearedAt: 1735689882552,
      acked: true,
      ackedBy: 'operator',
      ackedAt: 1735689880762,
      version,
    };
    const onBackup: AlarmState = { ...onMaster, clearedAt: 1735689882728 };
    // Before: each node kept its own (same version), and the two differed for good.
    expect(mergeAlarm(onMaster, onBackup)).toEqual(mergeAlarm(onBackup, onMaster));
  });

  it('merging is the same in either order, for any two states (500 random pairs)', () => {
    let seed = 11;
    const pick = <T>(options: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return options[(seed >>> 8) % options.length]!;
    };
    const state = (): AlarmState => {
      const acked = pick([true, false]);
      const activatedAt = pick([null, 100, 200]);
      return {
        id: 'A',
        active: pick([true, false]),
        activatedAt,
        occurrence: activatedAt === null ? null : `${String(activatedAt).padStart(15, '0')}.000000.a`,
        clearedAt: pick([null, 150, 250]),
        acked,
        ackedBy: acked ? pick(['ann', 'bob']) : null,
        ackedAt: acked ? pick([120, 220]) : null,
        version: { epoch: pick([1, 2]), hlc: pick(['000000000000300.000000.a', '000000000000300.000000.b']) },
      };
    };
    for (let i = 0; i < 500; i++) {
      const a = state();
      const b = state();
      expect(mergeAlarm(a, b)).toEqual(mergeAlarm(b, a));
    }
  });
});
