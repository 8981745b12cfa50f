/**
 * What the clients of the pair do during one data run: config puts and deletes, tag writes and alarm
 * acknowledgements with a uid, and repeats of an earlier uid (a client that lost the answer and asks again,
 * perhaps of the other node). `randomDataScript(seed)` draws all of it from the seed, from a PRNG of its own,
 * so the redundancy scenario of data seed N is the scenario of redundancy seed N.
 */
import type { ConfigKind } from '../../node-core/data/index.ts';
import { Prng } from './prng.ts';
import type { NodeName } from './scenario.ts';

/** Memory tags that are written and never deleted, so their values can be followed to the end of a run. */
export const WRITTEN_TAGS = ['T0', 'T1', 'T2'] as const;
/** A Modbus holding register: a write goes to the (simulated) device first, which answers later or fails. */
export const DEVICE_TAG = 'M0';
/** Alarm rules on T0 and T1: active above 50. */
export const ALARMS = { A0: 'T0', A1: 'T1' } as const;
export type AlarmId = keyof typeof ALARMS;
/** Tags that are created and deleted (no values), devices, and the alarm rules themselves churn as config. */
const SCRATCH_TAGS = ['S0', 'S1'] as const;
const DEVICES = ['D0', 'D1'] as const;

export type DataOp =
  | {
      readonly kind: 'put';
      readonly configKind: ConfigKind;
      readonly key: string;
      readonly definition: object;
    }
  | { readonly kind: 'delete'; readonly configKind: ConfigKind; readonly key: string }
  | { readonly kind: 'write'; readonly tag: string; readonly value: number; readonly uid: string }
  | { readonly kind: 'ack'; readonly alarm: AlarmId; readonly by: string; readonly uid: string };

export interface ScheduledOp {
  /** Milliseconds after the start of the run. */
  readonly at: number;
  /** The node the client asks first; it follows a 307 or moves on to the other node by itself. */
  readonly first: NodeName;
  readonly op: DataOp;
  /** A repeat of an earlier op with the same uid (a client that asks again). */
  readonly repeat: boolean;
}

export interface DataScript {
  readonly ops: readonly ScheduledOp[];
  /** Probability that the answer of one HTTP attempt is lost on the way (the server did the work). */
  readonly answerLossRate: number;
}

/** No new ops after this; clients give up after five rounds, so the end of a run is quiet. */
export const DATA_OPS_UNTIL_MS = 21_000;

export function tagDefinition(description: string): object {
  return { dataType: 'float', source: { kind: 'memory' }, description };
}

export function randomDataScript(seed: number): DataScript {
  const rng = new Prng(seed ^ 0x0da7a5);
  const ops: ScheduledOp[] = [];
  const uidOps: ScheduledOp[] = [];
  let uid = 0;
  const first = (): NodeName => rng.pick<NodeName>(['master', 'backup']);
  // The tags, the device tag and the alarm rules are put early (and again later, as config churn), so that
  // writes and acknowledgements have something to act on once a node is active.
  const setupAt = rng.int(1500, 4000);
  for (const tag of WRITTEN_TAGS) {
    ops.push({ at: setupAt, first: first(), op: put('tag', tag, tagDefinition('initial')), repeat: false });
  }
  ops.push({ at: setupAt + 1, first: first(), op: put('tag', DEVICE_TAG, deviceTag(0)), repeat: false });
  for (const [alarm, tag] of Object.entries(ALARMS)) {
    ops.push({
      at: setupAt + 2,
      first: first(),
      op: put('alarm-rule', alarm, alarmRule(tag)),
      repeat: false,
    });
  }
  for (let at = setupAt + rng.int(50, 500); at < DATA_OPS_UNTIL_MS; at += rng.int(10, 450)) {
    const roll = rng.next();
    if (roll < 0.2) {
      ops.push({ at, first: first(), op: randomPut(rng), repeat: false });
    } else if (roll < 0.3) {
      const kind = rng.pick<'device' | 'alarm-rule' | 'tag'>(['device', 'alarm-rule', 'tag']);
      const key =
        kind === 'device'
          ? rng.pick(DEVICES)
          : kind === 'tag'
            ? rng.pick(SCRATCH_TAGS)
            : rng.pick(alarmIds());
      ops.push({ at, first: first(), op: { kind: 'delete', configKind: kind, key }, repeat: false });
    } else if (roll < 0.68) {
      const tag = rng.chance(0.15) ? DEVICE_TAG : rng.pick(WRITTEN_TAGS);
      // Values around the alarm threshold, so alarms are raised and cleared.
      const op: DataOp = { kind: 'write', tag, value: rng.int(0, 100), uid: `w${++uid}` };
      const scheduled = { at, first: first(), op, repeat: false };
      ops.push(scheduled);
      uidOps.push(scheduled);
    } else if (roll < 0.85) {
      const op: DataOp = { kind: 'ack', alarm: rng.pick(alarmIds()), by: 'operator', uid: `a${++uid}` };
      const scheduled = { at, first: first(), op, repeat: false };
      ops.push(scheduled);
      uidOps.push(scheduled);
    } else {
      const earlier = uidOps.length > 0 ? uidOps[rng.int(0, uidOps.length - 1)] : undefined;
      if (earlier) ops.push({ at, first: first(), op: earlier.op, repeat: true });
    }
  }
  return { ops, answerLossRate: rng.pick([0, 0.03, 0.1]) };
}

function alarmIds(): [AlarmId, ...AlarmId[]] {
  return ['A0', 'A1'];
}

function put(configKind: ConfigKind, key: string, definition: object): DataOp {
  return { kind: 'put', configKind, key, definition };
}

function deviceTag(register: number): object {
  return { dataType: 'float', source: { kind: 'modbus', device: 'D0', register, table: 'holding' } };
}

function alarmRule(tag: string, threshold = 50): object {
  return { tag, condition: 'high', threshold, deadband: 0, priority: 'medium' };
}

function randomPut(rng: Prng): DataOp {
  const n = rng.int(0, 999);
  switch (rng.int(0, 4)) {
    case 0:
      return put('tag', rng.pick(WRITTEN_TAGS), tagDefinition(`d${n}`));
    case 1:
      return put('tag', rng.pick(SCRATCH_TAGS), tagDefinition(`s${n}`));
    case 2:
      return put('tag', DEVICE_TAG, deviceTag(n));
    case 3:
      return put('device', rng.pick(DEVICES), {
        protocol: 'modbus-tcp',
        host: `10.0.0.${n % 250}`,
        port: 502,
        unitId: 1,
        pollRateMs: 1000,
        timeoutMs: 500,
      });
    default: {
      const alarm = rng.pick(alarmIds());
      return put('alarm-rule', alarm, alarmRule(ALARMS[alarm], 50 + (n % 2)));
    }
  }
}
