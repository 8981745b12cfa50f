/**
 * What a new session sends as historical (docs/sparkplug.md "Nothing lost, nothing twice"): per tag, the
 * changes recorded after the pair's mark that the session has not stated, from the history (both nodes'
 * polls) and from what this node polled as a warm standby. The same plan is asked again a detection window
 * after the birth and whenever history pulled from the peer arrives: what the old active polled during a
 * hand-over, when this node was not polling yet, is sent then.
 *
 * The hand-over boundary. Start: the mark, the last sample the broker confirmed, whichever node sent it.
 * End: the first sample this session published live; before that, everything known after the mark (not the
 * birth's value: on a take-over it may be the value replicated from the old active, as old as the mark).
 * In between, each node's samples are followed in their own order (a change is a sample whose value differs
 * from that node's previous one), because the two nodes' timestamps of one reading differ by their poll's
 * latency: merged by time, a loaded node's late reading of 5 between the other's 5 and 6 reads as 5, 6, 5, 6.
 * A change is the same as one already stated (published before the mark, by the birth, or sent) when it
 * comes from the other node with the same value less than `SAME_READING_MS` apart.
 */
import type { BufferedValue, HistoryStore } from '../../history/index.ts';
import type { Logger } from '../../logging.ts';
import type { TagDefinition } from '../../protocol/config-items.ts';
import type { TagMark } from './published-mark.ts';
import { sampleOf, type MetricSample, type MetricValue } from './sparkplug-payloads.ts';

export interface Polled {
  readonly name: string;
  readonly value: MetricValue;
  readonly quality: 'good' | 'bad' | 'uncertain';
  readonly ts: number;
}

/** The history the catch-up reads: samples recorded between two times, both nodes' polls. */
export type SampleHistory = Pick<HistoryStore, 'between'>;

/** Two nodes' readings of one value this close are one reading (poll latency on a loaded machine). */
const SAME_READING_MS = 500;

export interface CatchUpPlan {
  /** Per tag: the last sample the broker took from the pair. */
  readonly from: ReadonlyMap<string, TagMark>;
  /** Per tag: the value the birth stated (possibly older than the warm polls: see above). */
  readonly birth: ReadonlyMap<string, Polled>;
  /** What this node polled as a warm standby before the birth. */
  readonly polled: readonly BufferedValue[];
  /** This node's origin in the history: the warm polls are its own. */
  readonly origin: string;
  /** `tag@ts` of every sample stated in this session (the birth's, the first live one, each sent change). */
  readonly sent: Set<string>;
  /** What this session sent of each tag, to know a reading sent already when the other node's comes. */
  readonly sentSamples: Map<string, Sample[]>;
}

interface Sample extends Polled {
  /** Whose polls: a history origin; null when not known (the mark's and the birth's, when not in the history). */
  readonly origin: string | null;
}

export function makePlan(
  from: ReadonlyMap<string, TagMark>,
  birth: ReadonlyMap<string, Polled>,
  polled: readonly BufferedValue[],
  origin: string,
): CatchUpPlan {
  const sent = new Set([...birth.values()].map(keyOf));
  return { from, birth, polled, origin, sent, sentSamples: new Map() };
}

const keyOf = (v: Polled): string => `${v.name}@${v.ts}`;

/**
 * The changes of the plan not sent yet, oldest first, each marked as sent; `dropped` counts samples beyond
 * `limit` per tag (the oldest go). `firstLive` answers the first sample of a tag the session published live,
 * the end of the window; none yet: everything known after the mark.
 */
export function pendingChanges(
  plan: CatchUpPlan,
  history: SampleHistory,
  limit: number,
  firstLive: (name: string) => Polled | undefined = () => undefined,
): { changes: Polled[]; dropped: number } {
  const changes: Polled[] = [];
  let dropped = 0;
  for (const [name, birth] of plan.birth) {
    const mark = plan.from.get(name);
    if (!mark) continue;
    const live = firstLive(name);
    if (live) plan.sent.add(keyOf(live));
    const end = live?.ts ?? Number.MAX_SAFE_INTEGER;
    // From a little before the mark: each node's value at the mark, and the readings already published.
    const { samples, total } = history.between(name, mark.ts - SAME_READING_MS, end, limit);
    dropped += total - samples.length;
    const known: Sample[] = [
      ...samples.map((s) => ({ name, value: s.value, quality: s.quality, ts: s.ts, origin: s.origin })),
      ...plan.polled
        .filter((v) => v.name === name && v.ts > mark.ts - SAME_READING_MS && v.ts < end)
        .map((v) => ({ ...v, origin: plan.origin })),
    ];
    const originAt = (ts: number) => known.find((k) => k.ts === ts)?.origin ?? null;
    const stated: Sample[] = [
      { name, ...mark, quality: 'good', origin: originAt(mark.ts) },
      { ...birth, origin: originAt(birth.ts) },
      ...(live ? [{ ...live, origin: plan.origin }] : []),
      ...known.filter((k) => k.ts <= mark.ts),
      ...(plan.sentSamples.get(name) ?? []),
    ];
    const sameReading = (c: Sample) =>
      stated.some(
        (s) =>
          s.value === c.value &&
          (s.origin === null || s.origin !== c.origin) &&
          Math.abs(s.ts - c.ts) < SAME_READING_MS,
      );
    const sent = plan.sentSamples.get(name) ?? [];
    plan.sentSamples.set(name, sent);
    for (const run of runsAfterMark(known, mark)) {
      const head = run[0]!;
      if (run.some((c) => plan.sent.has(keyOf(c))) || sameReading(head)) continue;
      plan.sent.add(keyOf(head));
      sent.push(head);
      stated.push(head);
      changes.push({ name, value: head.value, quality: head.quality, ts: head.ts });
    }
  }
  return { changes: changes.sort((a, b) => a.ts - b.ts), dropped };
}

/**
 * Each origin's samples in their order, cut into runs of one value; the runs that start after the mark, by
 * the time they start. An origin's value at the mark is its last sample up to it (or the mark's value).
 */
function runsAfterMark(known: readonly Sample[], mark: TagMark): Sample[][] {
  const byOrigin = new Map<string | null, Sample[]>();
  for (const k of known) byOrigin.set(k.origin, [...(byOrigin.get(k.origin) ?? []), k]);
  const runs: Sample[][] = [];
  for (const samples of byOrigin.values()) {
    samples.sort((a, b) => a.ts - b.ts);
    let value: MetricValue = samples.findLast((s) => s.ts <= mark.ts)?.value ?? mark.value;
    let run: Sample[] | null = null;
    for (const s of samples.filter((x) => x.ts > mark.ts)) {
      if (s.value === value) {
        run?.push(s);
        continue;
      }
      value = s.value;
      run = [s];
      runs.push(run);
    }
  }
  return runs.sort((a, b) => a[0]!.ts - b[0]!.ts);
}

/** The plan's pending changes as historical metrics; samples beyond the buffer's `limit` dropped with a warning. */
export function pendingSamples(
  plan: CatchUpPlan,
  history: SampleHistory,
  limit: number,
  definitions: ReadonlyMap<string, TagDefinition>,
  logger: Logger,
  firstLive: (name: string) => Polled | undefined,
): MetricSample[] {
  const { changes, dropped } = pendingChanges(plan, history, limit, firstLive);
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

/** Samples recorded after the confirmed mark, up to `limit`: what the status view calls buffered. */
export function waitingCount(
  history: SampleHistory,
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
