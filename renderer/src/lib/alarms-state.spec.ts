import { describe, expect, it } from 'vitest';
import { alarmView, FakeApi } from '../test/fixtures.ts';
import {
  AlarmsState,
  canAcknowledge,
  conditionOf,
  OPERATOR_STORAGE_KEY,
  sortAlarms,
} from './alarms-state.svelte.ts';

function memoryStorage(initial: Record<string, string> = {}): Pick<Storage, 'getItem' | 'setItem'> & {
  data: Record<string, string>;
} {
  const data = { ...initial };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) };
}

describe('alarm order and state', () => {
  it('puts unacknowledged active first, then acknowledged active, cleared unacknowledged, the rest', () => {
    const list = [
      alarmView({ id: 'normal' }),
      alarmView({ id: 'cleared', activatedAt: '2025-06-01T01:00:00Z', clearedAt: '2025-06-01T01:01:00Z' }),
      alarmView({ id: 'acked', active: true, acked: true, activatedAt: '2025-06-01T01:00:00Z' }),
      alarmView({
        id: 'low-new',
        active: true,
        activatedAt: '2025-06-01T02:00:00Z',
        rule: { tag: 't', condition: 'high', threshold: 1, deadband: 0, priority: 'low' },
      }),
      alarmView({
        id: 'critical-old',
        active: true,
        activatedAt: '2025-06-01T00:00:00Z',
        rule: { tag: 't', condition: 'high', threshold: 1, deadband: 0, priority: 'critical' },
      }),
    ];
    expect(sortAlarms(list).map((a) => a.id)).toEqual([
      'critical-old',
      'low-new',
      'acked',
      'cleared',
      'normal',
    ]);
    expect(list.map(conditionOf)).toEqual([
      'normal',
      'cleared-unacked',
      'active-acked',
      'active-unacked',
      'active-unacked',
    ]);
    expect(list.map(canAcknowledge)).toEqual([false, true, false, true, true]);
  });
});

describe('AlarmsState', () => {
  it('remembers the operator name (trimmed) and reads it back', () => {
    const storage = memoryStorage({ [OPERATOR_STORAGE_KEY]: 'Ana' });
    const alarms = new AlarmsState(new FakeApi(), { storage });
    expect(alarms.operator).toBe('Ana');
    alarms.setOperator(' Bo ');
    expect(storage.data[OPERATOR_STORAGE_KEY]).toBe('Bo');
  });

  it('works without storage', () => {
    const alarms = new AlarmsState(new FakeApi(), {
      storage: {
        getItem: () => {
          throw new Error('denied');
        },
        setItem: () => {
          throw new Error('denied');
        },
      },
    });
    expect(alarms.operator).toBe('');
    alarms.setOperator('Cy');
    expect(alarms.operator).toBe('Cy');
  });

  it('counts unacknowledged active alarms and lets a live list replace an answer still out', async () => {
    const api = new FakeApi();
    let answer: (list: ReturnType<typeof alarmView>[]) => void = () => undefined;
    api.alarms.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const alarms = new AlarmsState(api, { storage: null });
    const loading = alarms.load();
    alarms.applyLive([
      alarmView({ id: 'a', active: true }),
      alarmView({ id: 'b', active: true, acked: true }),
    ]);
    answer([]);
    await loading;
    expect(alarms.unacknowledged).toBe(1);
    expect(alarms.sorted.map((a) => a.id)).toEqual(['a', 'b']);
  });
});
