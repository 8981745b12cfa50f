import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../../../test/support/temp-database.ts';
import { HistoryStore, toHistorySamples } from '../../history/index.ts';
import { makePlan, pendingChanges, type Polled } from './catch-up.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

function history(): HistoryStore {
  const t = tempDatabase();
  disposers.push(t.dispose);
  return new HistoryStore(t.db);
}

const ramp = (value: number, ts: number): Polled => ({ name: 'ramp', value, quality: 'good', ts });
const values = (changes: readonly Polled[]) => changes.map((c) => `${String(c.value)}@${c.ts}`);

/**
 * A take-over as the failover test meets it on a loaded machine: the old active's last published sample is
 * 220 at t=1000 (the mark). The new active births before its first poll as active, so its runtime still holds
 * the value replicated from the old active, 220 at t=1000; as a warm standby it had polled 221 and 222 after it.
 */
describe('the catch-up after a take-over', () => {
  const mark = new Map([['ramp', { ts: 1000, value: 220 }]]);
  const birth = new Map([['ramp', ramp(220, 1000)]]);
  const warmPolls = [ramp(220, 990), ramp(221, 1040), ramp(221, 1090), ramp(222, 1140)];

  it('sends what this node polled after the mark even when the birth states the old value', () => {
    const plan = makePlan(mark, birth, warmPolls, 'own');
    expect(values(pendingChanges(plan, history(), 1000).changes)).toEqual(['221@1040', '222@1140']);
  });

  it('a later look sends what the peer recorded before the first live sample, and nothing twice', () => {
    const store = history();
    const plan = makePlan(mark, birth, warmPolls, 'own');
    expect(values(pendingChanges(plan, store, 1000).changes)).toEqual(['221@1040', '222@1140']);
    // Live from 224 on; the old active's polls while standing down (223) arrive with the pulled history, with
    // this node's own live samples already recorded.
    const live = ramp(224, 1240);
    store.record(toHistorySamples([ramp(222, 1145), ramp(223, 1190), live, ramp(225, 1340)], 'peer'));
    const firstLive = (name: string) => (name === 'ramp' ? live : undefined);
    expect(values(pendingChanges(plan, store, 1000, firstLive).changes)).toEqual(['223@1190']);
    expect(values(pendingChanges(plan, store, 1000, firstLive).changes)).toEqual([]);
  });

  it('sends nothing the old active published: samples up to the mark, and the mark value polled again', () => {
    const plan = makePlan(mark, birth, [ramp(219, 950), ramp(220, 990), ramp(220, 1010)], 'own');
    expect(pendingChanges(plan, history(), 1000).changes).toEqual([]);
  });

  it('a birth that states the newest value sends the changes before it and not the birth value again', () => {
    const plan = makePlan(mark, new Map([['ramp', ramp(222, 1150)]]), warmPolls, 'own');
    expect(values(pendingChanges(plan, history(), 1000).changes)).toEqual(['221@1040']);
  });

  it("each node's readings in their own order: a loaded node's late timestamps send nothing twice", () => {
    // Measured in the failover test: the peer's polls, processed late, carry timestamps up to 130 ms after
    // this node's reading of the next value (445 at 1320 after this node's 446 at 1269).
    const store = history();
    store.record(
      toHistorySamples([ramp(442, 966), ramp(444, 1087), ramp(445, 1199), ramp(445, 1320)], 'peer'),
    );
    store.record(toHistorySamples([ramp(443, 1062), ramp(444, 1202), ramp(446, 1269)], 'own'));
    const plan = makePlan(
      new Map([['ramp', { ts: 966, value: 442 }]]),
      new Map([['ramp', ramp(446, 1269)]]),
      [],
      'own',
    );
    const first = values(pendingChanges(plan, store, 1000).changes);
    const later = values(pendingChanges(plan, store, 1000, () => ramp(447, 1370)).changes);
    expect([...first, ...later].map((v) => v.split('@')[0])).toEqual(['443', '444', '445']);
  });
});
