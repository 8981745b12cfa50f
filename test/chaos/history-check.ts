/**
 * The history side of a chaos schedule (docs/rules.md "Data 4"): every value write a writer saw
 * acknowledged is a sample in the history of both nodes once the pair has settled, and no write is a sample
 * more often than it ran (answered `executed: true`). The writers' values are unique per writer (the op
 * counter), so a value found at two times was recorded twice. Samples reach the other node by replication, or by forwarding after a split or fail-back,
 * which runs after the link is up: the read is repeated for a few seconds until both nodes hold them all.
 */
import type { ChaosNode } from './chaos-node.ts';
import { alarmTag, type Op } from './workload.ts';

/**
 * A time a node ran on damaged history: values stored there meanwhile have no samples on it, by design
 * (docs/rules.md "Data 4"), so writes in flight then are not looked for on that node.
 */
export interface HistoryGap {
  readonly node: string;
  readonly from: number;
  readonly to: number;
}

export interface HistoryCheck {
  /** Acknowledged value writes looked for, on each node. */
  readonly expected: number;
  /** `node: tag = value` of each write not looked for on a node that ran on damaged history meanwhile. */
  readonly excused: readonly string[];
  /** `node: tag = value` of each acknowledged write not in that node's history. */
  readonly missing: readonly string[];
  /** `node: tag = value at ts1, ts2` of each write recorded more than once. */
  readonly twice: readonly string[];
}

interface HistoryAnswer {
  readonly kind: 'raw' | 'buckets';
  readonly samples?: readonly { ts: number; value: unknown }[];
}

export async function checkHistory(
  ops: readonly Op[],
  nodes: readonly ChaosNode[],
  boundMs: number,
  gaps: readonly HistoryGap[] = [],
): Promise<HistoryCheck> {
  // Alarm tags are written the same two values again and again: only the value tags name their write.
  const alarmTags = new Set(ops.map((op) => alarmTag(op.writer)));
  const acknowledged = ops.filter(
    (op) => op.kind === 'write' && op.outcome === 'ok' && op.repeatOf === null && !alarmTags.has(op.key),
  );
  const tags = [...new Set(acknowledged.map((op) => op.key))];
  // A uid answered `executed: true` more than once ran more than once (the checker judges whether that was
  // allowed: a first answer given while the pair was not linked): each run is a sample of its own.
  const runs = new Map<string, number>();
  for (const op of ops) {
    const key = `${op.key}=${op.value}`;
    runs.set(key, (runs.get(key) ?? 0) + op.attempts.filter((a) => a.executed === true).length);
  }
  const deadline = Date.now() + boundMs;
  for (;;) {
    const missing: string[] = [];
    const excused: string[] = [];
    const twice: string[] = [];
    for (const node of nodes) {
      const held = new Map<string, Map<unknown, number[]>>();
      for (const tag of tags) {
        const times = new Map<unknown, number[]>();
        for (const sample of await samplesOf(node, tag)) {
          times.set(sample.value, [...(times.get(sample.value) ?? []), sample.ts]);
        }
        held.set(tag, times);
        for (const [value, at] of times)
          if (at.length > Math.max(1, runs.get(`${tag}=${String(value)}`) ?? 0))
            twice.push(`${node.o.label}: ${tag} = ${String(value)} at ${at.join(', ')}`);
      }
      for (const op of acknowledged) {
        if (held.get(op.key)?.has(op.value)) continue;
        const write = `${node.o.label}: ${op.key} = ${op.value}`;
        const inGap = gaps.some(
          (gap) => gap.node === node.o.label && op.issuedAt <= gap.to && (op.doneAt ?? Infinity) >= gap.from,
        );
        (inGap ? excused : missing).push(write);
      }
    }
    if ((missing.length === 0 && twice.length === 0) || Date.now() > deadline)
      return { expected: acknowledged.length, excused, missing, twice };
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function samplesOf(node: ChaosNode, tag: string): Promise<readonly { ts: number; value: unknown }[]> {
  // A day either side of now: a node under faketime records on the pair's clock, but may be an hour off.
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 86_400_000).toISOString();
  const answer = await node.get<HistoryAnswer>(
    `/api/history/${encodeURIComponent(tag)}?from=${from}&to=${to}&maxPoints=10000`,
  );
  if (answer.kind !== 'raw' || !answer.samples) throw new Error(`${node.o.label}: ${tag} history not raw`);
  return answer.samples;
}
