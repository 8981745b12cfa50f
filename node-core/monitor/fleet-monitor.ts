/**
 * Watches every pair of the config: two readers per pair, the fleet view built from them, a typed `change`
 * event (at most one per `settleMs`, so 200 nodes pushing their status each second cost a handful of
 * rebuilds), and one log line whenever a pair's verdict or a node's answer changes.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../logging.ts';
import type { WatchedPair } from './config.ts';
import { VERDICTS, type FleetPairView, type FleetView } from './fleet-dto.ts';
import { NodeReader, type MonitorTiming } from './node-reader.ts';
import { pairView } from './pair-view.ts';

export interface FleetMonitorOptions {
  readonly pairs: readonly WatchedPair[];
  readonly timing: MonitorTiming;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Changes closer together than this make one `change`. */
  readonly settleMs?: number;
}

interface Watched {
  readonly pair: WatchedPair;
  readonly readers: readonly [NodeReader, NodeReader];
}

export class FleetMonitor extends EventEmitter<{ change: [FleetView] }> {
  #pairs: readonly Watched[];
  readonly #timing: MonitorTiming;
  #started = false;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #settleMs: number;
  #view: FleetView | null = null;
  #settle: NodeJS.Timeout | null = null;
  /** What was last logged per pair, so each change is logged once. */
  readonly #logged = new Map<string, string>();

  constructor(options: FleetMonitorOptions) {
    super();
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#settleMs = options.settleMs ?? 50;
    this.#timing = options.timing;
    this.#pairs = options.pairs.map((pair) => this.#watched(pair));
  }

  start(): void {
    this.#started = true;
    for (const watched of this.#pairs) startReaders(watched);
    this.#changed();
  }

  /**
   * The config file changed (docs/monitor.md "Config file"): a pair whose entry is the same keeps its readers
   * and what they know; the others are dropped or added.
   */
  replacePairs(pairs: readonly WatchedPair[]): void {
    const before = new Map(this.#pairs.map((w) => [JSON.stringify(w.pair), w]));
    const next = pairs.map((pair) => before.get(JSON.stringify(pair)) ?? this.#watched(pair));
    for (const old of this.#pairs) if (!next.includes(old)) for (const reader of old.readers) reader.stop();
    if (this.#started) for (const watched of next) if (!this.#pairs.includes(watched)) startReaders(watched);
    this.#pairs = next;
    for (const key of this.#logged.keys()) if (!pairs.some((p) => p.key === key)) this.#logged.delete(key);
    this.#changed();
  }

  #watched(pair: WatchedPair): Watched {
    const changed = (): void => this.#changed();
    const readers = pair.nodes.map((node) => new NodeReader(node, this.#timing, this.#now, changed));
    return { pair, readers: readers as unknown as [NodeReader, NodeReader] };
  }

  stop(): void {
    if (this.#settle) clearTimeout(this.#settle);
    this.#settle = null;
    for (const { readers } of this.#pairs) for (const reader of readers) reader.stop();
  }

  /**
   * The certificate fingerprint the config pins for the node at `url`'s origin (lower-case hex), or null: the
   * desktop window shows a pinned self-signed node as the monitor reads it (docs/monitor.md).
   */
  pinnedFingerprint(url: string): string | null {
    const origin = originOf(url);
    if (origin === null) return null;
    for (const { pair } of this.#pairs) {
      const node = pair.nodes.find((n) => originOf(n.url) === origin);
      if (node) return node.fingerprint;
    }
    return null;
  }

  /** The fleet now, most severe first, then by name. */
  view(): FleetView {
    this.#view ??= this.#build();
    return this.#view;
  }

  #changed(): void {
    this.#view = null;
    if (this.#settle) return;
    this.#settle = setTimeout(() => {
      this.#settle = null;
      const view = this.view();
      this.#log(view);
      this.emit('change', view);
    }, this.#settleMs);
  }

  #build(): FleetView {
    const now = this.#now();
    const pairs = this.#pairs.map(({ pair, readers }) => pairView(pair, readers, now));
    pairs.sort(
      (a, b) => VERDICTS.indexOf(a.verdict) - VERDICTS.indexOf(b.verdict) || a.key.localeCompare(b.key),
    );
    return { at: new Date(now).toISOString(), pairs };
  }

  #log(view: FleetView): void {
    for (const pair of view.pairs) {
      const line = `${pair.headline}${pair.problems.length > 1 ? ` (${pair.problems.slice(1).join('; ')})` : ''}`;
      if (this.#logged.get(pair.key) === line) continue;
      const first = !this.#logged.has(pair.key);
      this.#logged.set(pair.key, line);
      if (first && pair.verdict === 'unknown' && pair.problems.length === 0) continue;
      const level = levelOf(pair);
      this.#logger[level](
        { pair: pair.name, verdict: pair.verdict, problems: pair.problems },
        `pair ${pair.key}: ${line}`,
      );
    }
  }
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** A pair the config cannot watch is shown with its reason, and its nodes are not contacted. */
function startReaders({ pair, readers }: Watched): void {
  if (pair.problem === null) for (const reader of readers) reader.start();
}

function levelOf(pair: FleetPairView): 'info' | 'warn' | 'error' {
  return pair.verdict === 'healthy'
    ? 'info'
    : pair.verdict === 'split' || pair.verdict === 'down'
      ? 'error'
      : 'warn';
}
