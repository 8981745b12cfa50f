/**
 * Runs in electron-main, with no Electron and no I/O: time comes from an injected Clock (style.md 8).
 *
 * Which changes of the watched fleet become desktop notifications in "Monitor pairs" mode (docs/monitor.md
 * "In the desktop app"): a pair whose verdict changes, named with what happened. Rate-limited per pair
 * (notice-rate-limit.ts): at most one notification per pair per interval, the changes in between shown as one
 * when the interval ends, ending with the pair's state then.
 */
import type { Clock } from '../../node-core/index.ts';
import type { FleetPairView, FleetView, Verdict } from '../../node-core/monitor/index.ts';
import { NOTICE_INTERVAL_MS, seconds } from './notification-rules.ts';
import { NoticeRateLimit } from './notice-rate-limit.ts';

/** The verdicts in the fleet dashboard's words (renderer/src/fleet/fleet-format.ts). */
export const VERDICT_WORDS: Readonly<Record<Verdict, string>> = {
  split: 'Split',
  down: 'Down',
  'failed-over': 'Failed over',
  degraded: 'Degraded',
  unknown: 'Unknown',
  healthy: 'Healthy',
};

export interface FleetNotice {
  /** The pair's key in the fleet (its name, unique in the monitor file): what a click opens. */
  readonly pairKey: string;
  readonly title: string;
  readonly body: string;
}

/** What a notification needs to know of a pair: its last verdict and what it was before. */
interface PairChange {
  readonly pair: FleetPairView;
  readonly was: Verdict | null;
  /** How many changes this one stands for (more than one after a quiet period). */
  readonly changes: number;
}

/** True while the monitor has not read either node of the pair yet: its verdict says nothing. */
function stillReading(pair: FleetPairView): boolean {
  return pair.nodes.every((node) => node.reach === 'checking');
}

/**
 * The notice for a pair now, given its verdict at the last reading (`null`: never read before), or null when
 * nothing happened: the verdict is the same, the monitor is still reading the pair, or its first reading is
 * healthy (starting the monitor on a healthy fleet is no news).
 */
export function fleetNotice(was: Verdict | null, pair: FleetPairView): FleetNotice | null {
  return isNews(was, pair) ? noticeOf({ pair, was, changes: 1 }) : null;
}

function isNews(was: Verdict | null, pair: FleetPairView): boolean {
  if (stillReading(pair)) return false;
  return was === null ? pair.verdict !== 'healthy' : was !== pair.verdict;
}

function noticeOf({ pair, was, changes }: PairChange): FleetNotice {
  const word = VERDICT_WORDS[pair.verdict];
  // The headline starts with the verdict's word ("Failed over: the backup runs the plant"): the title says it.
  const detail = pair.headline.startsWith(`${word}: `)
    ? capitalise(pair.headline.slice(word.length + 2))
    : pair.headline;
  const failover =
    pair.verdict === 'failed-over' && pair.lastFailover
      ? ` Failover${pair.lastFailover.durationMs === null ? '' : ` in ${seconds(pair.lastFailover.durationMs)}`}: ${pair.lastFailover.reason}.`
      : '';
  const before =
    was === null
      ? ''
      : ` ${changes > 1 ? `${changes} changes since the last notice; before` : 'Before'}: ${VERDICT_WORDS[was].toLowerCase()}.`;
  return { pairKey: pair.key, title: `${pair.name}: ${word}`, body: `${detail}.${failover}${before}` };
}

/**
 * Follows the fleet view by view. `show` is called at once or when a pair's quiet period ends; `stop()`
 * clears every timer and drops what is held (the app is quitting).
 */
export class FleetNotifier {
  /** Each pair's verdict at its last reading. */
  readonly #last = new Map<string, Verdict>();
  readonly #limit: NoticeRateLimit<PairChange>;

  constructor(clock: Clock, show: (notice: FleetNotice) => void, intervalMs: number = NOTICE_INTERVAL_MS) {
    this.#limit = new NoticeRateLimit<PairChange>({
      clock,
      intervalMs,
      keyOf: (change) => change.pair.key,
      // Held changes as one: from the state before the first to the state after the last.
      summarise: (held) => ({ pair: held.at(-1)!.pair, was: held[0]!.was, changes: held.length }),
      show: (change) => show(noticeOf(change)),
    });
  }

  observe(fleet: FleetView): void {
    for (const pair of fleet.pairs) {
      if (stillReading(pair)) continue;
      const was = this.#last.get(pair.key) ?? null;
      this.#last.set(pair.key, pair.verdict);
      if (isNews(was, pair)) this.#limit.offer({ pair, was, changes: 1 });
    }
  }

  stop(): void {
    this.#limit.stop();
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
