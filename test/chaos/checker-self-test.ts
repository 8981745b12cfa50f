/**
 * The checker's rules on made-up histories, run before any schedule (milliseconds, no processes): what
 * legitimately supersedes a write must pass, and a loss must be found. A checker that drifts either way
 * makes every chaos verdict worthless, so `npm run chaos` stops when this fails.
 */
import assert from 'node:assert/strict';
import { check, type CheckResult } from './checker.ts';
import type { FinalState } from './pair.ts';
import type { Op } from './workload.ts';

const A = 'http://127.0.0.1:1';
const B = 'http://127.0.0.1:2';

type Made = Partial<Op> & Pick<Op, 'kind' | 'key' | 'value'>;

function history(...made: { op: Made; node?: string; executed?: boolean | null; at?: number }[]): Op[] {
  return made.map(({ op, node = A, executed = null, at = 1000 }, id) => ({
    id,
    writer: 0,
    uid: null,
    repeatOf: null,
    issuedAt: at,
    attempts: [{ node, at, answeredAt: at + 5, status: 200, error: null, executed }],
    outcome: 'ok',
    doneAt: at + 5,
    ...op,
  }));
}

function both(
  config: Record<string, string>,
  values: Record<string, number> = {},
  conflicts: { key: string; description: string }[] = [],
): FinalState[] {
  return ['master', 'backup'].map((label) => ({
    label,
    config: new Map(Object.entries(config)),
    conflicts: conflicts.map((c, i) => ({
      id: `c${i}`,
      origin: 'n',
      epoch: 1,
      op: 'put' as const,
      kind: 'tag' as const,
      key: c.key,
      value: { description: c.description },
      at: '',
      recordedAt: '',
      current: null,
    })),
    values: new Map(Object.entries(values)),
    alarms: new Map(),
    events: [],
  }));
}

const linked = { linkedAt: () => true, linkAround: () => '' };
const unlinked = { linkedAt: () => false, linkAround: () => '' };

function expect(name: string, result: CheckResult, want: Partial<CheckResult>): void {
  for (const [key, value] of Object.entries(want))
    assert.equal(result[key as keyof CheckResult], value, `checker self-test "${name}": ${key}`);
}

export function checkerSelfTest(): void {
  const fresh = history({ op: { kind: 'config', key: 'n1', value: 'w0#1' } });
  expect('an acknowledged PUT missing on both nodes is lost', check(fresh, both({}), false, linked, []), {
    lost: 1,
  });
  expect(
    'only in the conflict set, a key nobody changed on the other side: lost',
    check(fresh, both({}, {}, [{ key: 'n1', description: 'w0#1' }]), true, linked, [0]),
    { lost: 1, inConflictSet: 0 },
  );

  const twoSides = history(
    { op: { kind: 'config', key: 'c0', value: 'w0#1' }, node: B, at: 2000 },
    { op: { kind: 'config', key: 'c0', value: 'w0#2' }, node: A, at: 3000 },
  );
  const kept = both({ c0: 'w0#1' }, {}, [{ key: 'c0', description: 'w0#2' }]);
  expect(
    'changed on both sides of a split: in the conflict set',
    check(twoSides, kept, true, linked, [1500]),
    {
      lost: 0,
      inConflictSet: 1,
    },
  );
  expect(
    'the other side changed the key before the split began: lost',
    check(twoSides, kept, true, linked, [2100, 2200, 2300]),
    { lost: 1 },
  );
  expect('the same, without any split: lost', check(twoSides, kept, false, linked, [1500]), { lost: 1 });

  const later = history(
    { op: { kind: 'config', key: 'c0', value: 'w0#1' } },
    { op: { kind: 'config', key: 'c0', value: 'w0#2', outcome: 'gave-up' } },
  );
  expect(
    'a later write that got no answer may supersede',
    check(later, both({ c0: 'w0#2' }), false, linked, []),
    {
      lost: 0,
    },
  );

  const repeated = (executed: boolean): Op[] =>
    history(
      { op: { kind: 'write', key: 'v', value: 1, uid: 'u1' }, executed: true },
      { op: { kind: 'write', key: 'v', value: 2, uid: 'u2' }, executed: true, at: 2000 },
      { op: { kind: 'write', key: 'v', value: 1, uid: 'u1', repeatOf: 0 }, node: B, executed, at: 3000 },
    );
  expect(
    'a repeat run again on the other node after an unlinked answer: reported, and its value stands',
    check(repeated(true), both({}, { v: 1 }), false, unlinked, []),
    { lost: 0, executedTwice: 0, executedAgainUnlinked: 1 },
  );
  expect(
    'a repeat run again after an answer given on a linked pair: executed twice',
    check(repeated(true), both({}, { v: 1 }), false, linked, []),
    { executedTwice: 1 },
  );
  expect(
    'a repeat answered executed:false changes nothing: the value it shows is a loss',
    check(repeated(false), both({}, { v: 1 }), false, linked, []),
    { lost: 1, executedTwice: 0 },
  );
}
