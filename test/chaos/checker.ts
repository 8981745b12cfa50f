/**
 * What a settled pair must hold after a chaos schedule, judged from the recorded ops and the final state of
 * both nodes (docs/rules.md "Data", "Commands", "Partitions").
 *
 * Writers own their keys, so the only thing that can legitimately replace an acknowledged write is a later
 * write of the same writer to the same key: acknowledged, or not (a write that got no answer may still have
 * been done). A write refused with a 4xx was not done and supersedes nothing.
 *
 * - Config: every acknowledged PUT is, on both nodes, the key's current definition or was replaced by a later
 *   PUT of its writer. Found only in the conflict set it is lost, unless the key was changed on both sides of
 *   a real split (two active nodes): the schedule had one, and what the pair holds now under that key is an
 *   earlier PUT of the same writer that was sent to the other node (a change made on the winner's side);
 *   those are counted as "in conflict set". A key changed on one side only must keep that change.
 * - Tag values: every acknowledged write's value is the tag's value on both nodes or was replaced by a later
 *   write. In a split, "newest version wins" orders by epoch first, so an earlier write sent to the other
 *   side (the one with the higher epoch) may stand over a later one: counted as "split-superseded", not lost.
 * - Alarm acks: an acknowledged ack with no raise of its writer's alarm after it leaves the alarm acknowledged
 *   on both nodes (an acknowledgement never goes back); in a split where the writer also raised the alarm on
 *   the other side, that side's occurrence may win ("split-superseded").
 *
 * "During a split" is bounded by the schedule's faults: only ops sent since the start of the fault two before
 * the latest one count as evidence of a change on the other side.
 * - A uid answered `executed: true` more than once (the writers repeat some acknowledged commands with their
 *   uid, as a client whose answer was lost does) was executed twice; unless the two ran on different nodes
 *   and the first was answered while the pair was not linked (then the other node could not know the uid):
 *   that is counted as "executed again unlinked", reported, not a failure.
 */
import type { FinalState } from './pair.ts';
import { ALARM_RAISE, alarmTag, type Op } from './workload.ts';

export interface CheckResult {
  readonly acknowledged: number;
  readonly lost: number;
  readonly inConflictSet: number;
  readonly splitSuperseded: number;
  readonly executedTwice: number;
  /** Executed again on the other node after a first answer given while the pair was not linked (reported). */
  readonly executedAgainUnlinked: number;
  /** Keys whose final state differs between the two nodes (reported; the per-node checks judge loss). */
  readonly diverged: number;
  readonly details: string[];
}

export function check(
  ops: readonly Op[],
  finals: readonly FinalState[],
  split: boolean,
  link: { linkedAt(node: string, at: number): boolean; linkAround(node: string, at: number): string },
  /** When each fault of the schedule began. */
  faultStarts: readonly number[],
): CheckResult {
  const details: string[] = [];
  let lost = 0;
  let inConflictSet = 0;
  let splitSuperseded = 0;
  let executedTwice = 0;
  let executedAgainUnlinked = 0;
  const byWriterKey = new Map<string, Op[]>();
  for (const op of ops) {
    // A repeat answered `executed: false` changed nothing; one that ran again (or got no answer) wrote its
    // value again, later than what came between: it may supersede those (the executed-twice count judges it).
    if (op.repeatOf !== null && op.attempts.every((a) => a.executed !== true) && op.outcome === 'ok')
      continue;
    const k = `${op.kind}:${op.key}`;
    const list = byWriterKey.get(k) ?? [];
    list.push(op);
    byWriterKey.set(k, list);
  }
  /** Later ops of the same kind on the same key that may have been done (ids grow in issue order). */
  const laterMayHaveDone = (op: Op): Op[] =>
    (byWriterKey.get(`${op.kind}:${op.key}`) ?? []).filter((o) => o.id > op.id && o.outcome !== 'refused');

  /**
   * Whether `current` is the value of an earlier op of the writer on that key that reached the node which
   * did not answer `op` (sent there, not redirected) while a split may have been on: evidence that the key
   * was changed on the other side of that split.
   */
  const changedOnOtherSide = (
    op: Op,
    current: unknown,
    kind: 'config' | 'write' = op.kind === 'config' ? 'config' : 'write',
    key = op.key,
  ): boolean => {
    const answeredBy = op.attempts.findLast((a) => a.status === 200)?.node;
    // Only what was sent while this split can have been on: since the start of the fault two before the
    // latest one before `op` (each fault is undone before the next; a split may outlast one of them).
    const since = faultStarts.filter((t) => t <= op.issuedAt).at(-3) ?? 0;
    return (byWriterKey.get(`${kind}:${key}`) ?? []).some(
      (o) =>
        o.id < op.id &&
        o.issuedAt >= since &&
        o.outcome !== 'refused' &&
        o.value === current &&
        o.attempts.some(
          (a) => a.node !== answeredBy && (a.status === 200 || a.status === 0 || a.status >= 500),
        ),
    );
  };

  // Commands: every answer `executed: true` for a uid, over the op and its repeats.
  const byUid = new Map<string, Op[]>();
  for (const op of ops) if (op.uid !== null) byUid.set(op.uid, [...(byUid.get(op.uid) ?? []), op]);
  for (const [uid, same] of byUid) {
    const executions = same.flatMap((op) => op.attempts.filter((a) => a.executed === true));
    if (executions.length < 2) continue;
    const first = executions[0]!;
    // Executed again on the other node, after a first answer given while the link was down: that node
    // could not know the uid (docs/rules.md "Commands 1": only the ledger replicated before a failover
    // protects a retry).
    const unlinked =
      executions.slice(1).every((e) => e.node !== first.node) && !link.linkedAt(first.node, first.answeredAt);
    const text =
      `uid ${uid} answered executed:true ${executions.length} times: ` +
      `${same.map((op) => `${opText(op)}: ${attemptsText(op)}`).join(' / ')}; ` +
      `the first answering node's link around that answer: ${link.linkAround(first.node, first.answeredAt)}`;
    if (unlinked) {
      executedAgainUnlinked++;
      details.push(`executed again on the other node (first answered unlinked): ${text}`);
    } else {
      executedTwice++;
      details.push(`EXECUTED TWICE: ${text}`);
    }
  }

  for (const op of ops) {
    if (op.outcome !== 'ok' || op.repeatOf !== null) continue;
    if (op.kind === 'config') {
      const allowed = new Set([op.value, ...laterMayHaveDone(op).map((o) => o.value)]);
      let verdict: 'ok' | 'conflict' | 'lost' = 'ok';
      const where: string[] = [];
      for (const final of finals) {
        const current = final.config.get(op.key);
        if (current !== undefined && current !== null && allowed.has(current)) continue;
        // The change itself or a later one of its writer (which would have replaced it) kept as a conflict.
        const kept = final.conflicts.some(
          (c) => c.kind === 'tag' && c.key === op.key && allowed.has(descriptionOf(c.value) as string),
        );
        if (kept && split && changedOnOtherSide(op, current)) {
          if (verdict === 'ok') verdict = 'conflict';
          where.push(`${final.label}: in the conflict set, current "${current ?? 'none'}"`);
        } else {
          verdict = 'lost';
          where.push(
            `${final.label}: current "${current ?? 'none'}"${kept ? `, only in the conflict set (${split ? 'the key was not changed on the other side' : 'no split'})` : ''}`,
          );
        }
      }
      if (verdict === 'lost') {
        lost++;
        details.push(`LOST config: ${opText(op)}; ${where.join('; ')}`);
      } else if (verdict === 'conflict') {
        inConflictSet++;
        details.push(`in conflict set: ${opText(op)}; ${where.join('; ')}`);
      }
    } else if (op.kind === 'write' && op.key !== alarmTag(op.writer)) {
      const allowed = new Set<unknown>([op.value, ...laterMayHaveDone(op).map((o) => o.value)]);
      let verdict: 'ok' | 'split' | 'lost' = 'ok';
      const where: string[] = [];
      for (const final of finals) {
        const current = final.values.get(op.key);
        if (allowed.has(current)) continue;
        where.push(`${final.label}: value ${String(current)}`);
        if (split && changedOnOtherSide(op, current)) {
          if (verdict === 'ok') verdict = 'split';
        } else verdict = 'lost';
      }
      if (verdict === 'lost') {
        lost++;
        details.push(`LOST tag write: ${opText(op)}; ${where.join('; ')}`);
      } else if (verdict === 'split') {
        splitSuperseded++;
        details.push(`split-superseded tag write: ${opText(op)}; ${where.join('; ')}`);
      }
    } else if (op.kind === 'ack') {
      const raisedAfter = (byWriterKey.get(`write:${alarmTag(op.writer)}`) ?? []).some(
        (o) => o.id > op.id && o.value === ALARM_RAISE && o.outcome !== 'refused',
      );
      if (raisedAfter) continue;
      const where: string[] = [];
      for (const final of finals) {
        const alarm = final.alarms.get(op.key);
        if (alarm?.acked) continue;
        where.push(`${final.label}: ${alarm ? `active ${alarm.active}, not acknowledged` : 'no alarm'}`);
      }
      if (where.length === 0) continue;
      // Another occurrence may win only if the writer raised the alarm on the other side during the split.
      if (split && changedOnOtherSide(op, ALARM_RAISE, 'write', alarmTag(op.writer))) {
        splitSuperseded++;
        details.push(
          `split-superseded ack: ${opText(op)}; ${where.join('; ')}; attempts ${attemptsText(op)}`,
        );
      } else {
        lost++;
        details.push(`LOST ack: ${opText(op)}; ${where.join('; ')}; attempts ${attemptsText(op)}`);
      }
    }
  }

  const [a, b] = finals;
  let diverged = 0;
  if (a && b) {
    const keys = new Set([...a.config.keys(), ...b.config.keys()]);
    for (const key of keys)
      if (a.config.get(key) !== b.config.get(key)) {
        diverged++;
        details.push(
          `diverged config ${key}: ${a.label} "${a.config.get(key)}", ${b.label} "${b.config.get(key)}"`,
        );
      }
    for (const key of new Set([...a.values.keys(), ...b.values.keys()]))
      if (a.values.get(key) !== b.values.get(key)) {
        diverged++;
        details.push(
          `diverged value ${key}: ${a.label} ${String(a.values.get(key))}, ${b.label} ${String(b.values.get(key))}`,
        );
      }
    for (const key of new Set([...a.alarms.keys(), ...b.alarms.keys()])) {
      const x = a.alarms.get(key);
      const y = b.alarms.get(key);
      if (x?.acked !== y?.acked || x?.active !== y?.active) {
        diverged++;
        details.push(
          `diverged alarm ${key}: ${a.label} ${JSON.stringify(x)}, ${b.label} ${JSON.stringify(y)}`,
        );
      }
    }
    const ids = (f: FinalState): string =>
      f.conflicts
        .map((c) => c.id)
        .sort()
        .join(',');
    if (ids(a) !== ids(b)) {
      diverged++;
      details.push(`diverged conflict set: ${a.label} [${ids(a)}], ${b.label} [${ids(b)}]`);
    }
  }

  return {
    acknowledged: ops.filter((o) => o.outcome === 'ok').length,
    lost,
    inConflictSet,
    splitSuperseded,
    executedTwice,
    executedAgainUnlinked,
    diverged,
    details,
  };
}

function descriptionOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null
    ? (value as { description?: unknown }).description
    : undefined;
}

function opText(op: Op): string {
  const what =
    op.kind === 'config'
      ? `PUT ${op.key} "${op.value}"`
      : op.kind === 'write'
        ? `write ${op.key}=${op.value}`
        : `ack ${op.key} by ${op.value}`;
  return `#${op.id} writer ${op.writer} ${what}${op.uid ? ` uid ${op.uid}` : ''}`;
}

/** The attempts of an op, where and how each was answered; a long retry loop is cut in the middle. */
function attemptsText(op: Op): string {
  const text = op.attempts.map(
    (a) =>
      `:${new URL(a.node).port} ${a.status || a.error}${a.executed === null ? '' : ` executed ${a.executed}`}` +
      ` at ${new Date(a.answeredAt).toISOString().slice(11, 23)}`,
  );
  if (text.length <= 8) return text.join(', ');
  return [...text.slice(0, 3), `... ${text.length - 7} more ...`, ...text.slice(-4)].join(', ');
}
