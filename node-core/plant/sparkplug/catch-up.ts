/**
 * What a new session sends as historical (docs/sparkplug.md "Nothing lost, nothing twice"): per tag, the
 * changes recorded after the pair's mark and before the birth value, from the history and from what this
 * node polled as a warm standby. Samples of one value in a row are one change (a run); a run already sent
 * (the mark's, the birth's, one sent earlier in this session) is not sent again. The same plan is asked again
 * a detection window after the birth, when the history pulled from the peer has arrived: what the old
 * active polled during a hand-over, when this node was not polling yet, is sent then.
 */
import type { TagDefinition } from '../../data/index.ts';
import type { BufferedValue, HistoryPoint, HistoryStore } from '../../history/index.ts';
import type { Logger } from '../../logging.ts';
import type { TagMark } from './published-mark.ts';
import { sampleOf, type MetricSample, type MetricValue } from './sparkplug-payloads.ts';

export interface Polled {
  readonly name: string;
  readonly value: MetricValue;
  readonly quality: 'good' | 'bad' | 'uncertain';
  readonly ts: number;
}

export interface CatchUpPlan {
  /** Per tag: the last sample the broker took from the pair, and the value the birth stated. */
  readonly from: ReadonlyMap<string, TagMark>;
  readonly until: ReadonlyMap<string, Polled>;
  /** What this node polled as a warm standby before the birth. */
  readonly polled: readonly BufferedValue[];
  /** `tag@ts` of every sample sent in this session (the birth's too). */
  readonly sent: Set<string>;
}

export function makePlan(
  from: ReadonlyMap<string, TagMark>,
  until: ReadonlyMap<string, Polled>,
  polled: readonly BufferedValue[],
): CatchUpPlan {
  const sent = new Set([...until.values()].map((v) => `${v.name}@${v.ts}`));
  return { from, until, polled, sent };
}

/**
 * The changes of the plan not sent yet, oldest first, each marked as sent; `dropped` counts samples beyond
 * `limit` per tag (the oldest go).
 */
export function pendingChanges(
  plan: CatchUpPlan,
  history: HistoryStore,
  limit: number,
): { changes: Polled[]; dropped: number } {
  const changes: Polled[] = [];
  let dropped = 0;
  for (const [name, until] of plan.until) {
    const mark = plan.from.get(name);
    if (!mark) continue;
    const { samples, total } = history.between(name, mark.ts, until.ts, limit);
    dropped += total - samples.length;
    const candidates: Polled[] = [
      ...samples.map((s: HistoryPoint) => ({ name, value: s.value, quality: s.quality, ts: s.ts })),
      ...plan.polled.filter((v) => v.name === name && v.ts > mark.ts && v.ts < until.ts),
      until,
    ].sort((a, b) => a.ts - b.ts);
    let value: MetricValue = mark.value;
    let run: Polled[] | null = null;
    const runs: Polled[][] = [];
    for (const c of candidates) {
      if (c.value === value) {
        run?.push(c);
        continue;
      }
      value = c.value;
      run = [c];
      runs.push(run);
    }
    for (const r of runs) {
      if (r.some((c) => plan.sent.has(`${c.name}@${c.ts}`))) continue;
      plan.sent.add(`${name}@${r[0]!.ts}`);
      changes.push(r[0]!);
    }
  }
  return { changes: changes.sort((a, b) => a.ts - b.ts), dropped };
}

/** The plan's pending changes as historical metrics; samples beyond the buffer's `limit` dropped with a warning. */
export function pendingSamples(
  plan: CatchUpPlan,
  history: HistoryStore,
  limit: number,
  definitions: ReadonlyMap<string, TagDefinition>,
  logger: Logger,
): MetricSample[] {
  const { changes, dropped } = pendingChanges(plan, history, limit);
  if (dropped > 0)
    logger.warn(
      { dropped, limit },
      'Sparkplug: more samples waited than the buffer holds; the oldest were dropped',
    );
  return changes.flatMap((c) => {
    const definition = definitions.get(c.name);
    return definition ? [{ ...sampleOf(c.name, definition, c), historical: true }] : [];
  });
}

/** Most values kept from a warm standby's polls (as the workload's warm buffer holds). */
const STANDBY_SAMPLES = 100_000;

/**
 * What this node polled as a warm standby, for the `keepMs` before the newest. Fed whatever the status: a
 * poll that began as standby may end after the take-over, when the workload has drained its warm buffer.
 */
export class StandbyPolls {
  readonly #keepMs: number;
  #values: BufferedValue[] = [];

  constructor(keepMs: number) {
    this.#keepMs = keepMs;
  }

  push(values: readonly BufferedValue[]): void {
    if (values.length === 0) return;
    this.#values.push(...values);
    const keepFrom = values.at(-1)!.ts - this.#keepMs;
    const first = this.#values.findIndex((v) => v.ts >= keepFrom);
    if (first > 0) this.#values.splice(0, first);
    if (this.#values.length > STANDBY_SAMPLES) this.#values.splice(0, this.#values.length - STANDBY_SAMPLES);
  }

  /** The values held, which are then forgotten. */
  take(): BufferedValue[] {
    const values = this.#values;
    this.#values = [];
    return values;
  }
}

/**
 * Values of memory tags (written, never polled, so not in the history) that changed while this node held no
 * born session: on the active during a broker outage, on the standby as they were replicated to it. The next
 * birth's catch-up sends those after the pair's mark as historical. Kept in memory, at most `limit` values
 * (the oldest go, with a warning): a restart of the node during the outage loses them, not the current value.
 */
export class UnrecordedWrites {
  readonly #limit: number;
  readonly #logger: Logger;
  #values: BufferedValue[] = [];
  #dropping = false;

  constructor(limit: number, logger: Logger) {
    this.#limit = Math.min(limit, STANDBY_SAMPLES);
    this.#logger = logger;
  }

  /** Keeps the values of `values` whose tag `isMemory` says is a memory tag. */
  keep(values: readonly BufferedValue[], isMemory: (name: string) => boolean): void {
    for (const { name, value, quality, ts } of values)
      if (isMemory(name)) this.#values.push({ name, value, quality, ts });
    const over = this.#values.length - this.#limit;
    if (over <= 0) return;
    this.#values.splice(0, over);
    if (!this.#dropping)
      this.#logger.warn(
        { limit: this.#limit },
        'Sparkplug: more memory-tag writes waited than the buffer holds; the oldest were dropped',
      );
    this.#dropping = true;
  }

  /** The values held, which are then forgotten. */
  take(): BufferedValue[] {
    const values = this.#values;
    this.#values = [];
    this.#dropping = false;
    return values;
  }
}

/** Samples recorded after the confirmed mark, up to `limit`: what the status view calls buffered. */
export function waitingCount(
  history: HistoryStore,
  tags: Iterable<string>,
  confirmed: ReadonlyMap<string, TagMark>,
  limit: number,
): number {
  let total = 0;
  for (const name of tags) {
    const mark = confirmed.get(name);
    if (mark) total += history.between(name, mark.ts, Number.MAX_SAFE_INTEGER, 0).total;
  }
  return Math.min(total, limit);
}
