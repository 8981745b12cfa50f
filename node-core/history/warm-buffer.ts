/**
 * What a warm standby polled recently (docs/rules.md "Data 4": a warm standby keeps its recent polls, so
 * that when it takes over it can fill the history for the detection window). A ring of fixed capacity that
 * also forgets what is older than its window; on take-over `drainInto` writes the part of it that the
 * history does not cover yet.
 */
import type { Clock } from '../clock/index.ts';
import type { HistoryQuality, HistorySample, HistoryStore, HistoryValue } from '../store/history-store.ts';

export interface BufferedValue {
  readonly name: string;
  readonly value: HistoryValue;
  readonly quality: HistoryQuality;
  readonly ts: number;
}

export interface WarmBufferOptions {
  readonly clock: Clock;
  /** How far back the buffer reaches; see `detectionWindowMs`. */
  readonly windowMs: number;
  /** Most values held; the oldest go first when it is full. */
  readonly maxSamples: number;
}

/** The redundancy timing of node settings (node/settings.ts `timing`). */
export interface DetectionTiming {
  readonly pingRateMs: number;
  readonly pingTimeoutMs: number;
  readonly missedPings: number;
  readonly failoverTimeMs: number;
}

/**
 * How long a master can be gone before the backup takes over (docs/rules.md "Roles 3"): the longer of
 * `missedPings` unanswered heartbeats (the last one waited for up to the ping timeout) and the failover
 * time, plus one ping of slack and `extraMs` (for example the interval at which the standby pulls history).
 */
export function detectionWindowMs(timing: DetectionTiming, extraMs = 0): number {
  const missed = timing.missedPings * timing.pingRateMs + timing.pingTimeoutMs;
  return Math.max(missed, timing.failoverTimeMs) + timing.pingRateMs + extraMs;
}

export class WarmBuffer {
  readonly #o: WarmBufferOptions;
  readonly #ring: (BufferedValue | undefined)[];
  #head = 0;
  #length = 0;

  constructor(options: WarmBufferOptions) {
    if (!(options.maxSamples >= 1)) throw new RangeError('maxSamples: must be at least 1');
    this.#o = options;
    this.#ring = new Array<BufferedValue | undefined>(Math.trunc(options.maxSamples));
  }

  get size(): number {
    this.#evictOld();
    return this.#length;
  }

  /** Adds what a poll read (oldest first is expected; the ring keeps arrival order). */
  push(values: readonly BufferedValue[]): void {
    const capacity = this.#ring.length;
    for (const v of values) {
      const at = (this.#head + this.#length) % capacity;
      this.#ring[at] = { name: v.name, value: v.value, quality: v.quality, ts: v.ts };
      if (this.#length < capacity) this.#length++;
      else this.#head = (this.#head + 1) % capacity;
    }
    this.#evictOld();
  }

  /** The values held, oldest first. */
  values(): BufferedValue[] {
    this.#evictOld();
    const out: BufferedValue[] = [];
    for (let i = 0; i < this.#length; i++) {
      const v = this.#ring[(this.#head + i) % this.#ring.length];
      if (v) out.push(v);
    }
    return out;
  }

  clear(): void {
    this.#ring.fill(undefined);
    this.#head = 0;
    this.#length = 0;
  }

  /**
   * On take-over: records, as samples of `origin` (this node), the buffered values that are newer than both
   * `after` (when the old active node was last known alive, e.g. its last answered heartbeat) and what the
   * history already holds for the tag (what that node recorded and forwarded), then empties the buffer.
   * Returns how many samples were added.
   */
  drainInto(store: HistoryStore, origin: string, options: { readonly after?: number } = {}): number {
    const after = options.after ?? Number.NEGATIVE_INFINITY;
    const covered = new Map<string, number>();
    const samples: HistorySample[] = [];
    for (const v of this.values()) {
      let upTo = covered.get(v.name);
      if (upTo === undefined) {
        upTo = Math.max(after, store.latestTsOfTag(v.name) ?? Number.NEGATIVE_INFINITY);
        covered.set(v.name, upTo);
      }
      if (v.ts > upTo) samples.push({ tag: v.name, ts: v.ts, value: v.value, quality: v.quality, origin });
    }
    this.clear();
    return store.record(samples);
  }

  #evictOld(): void {
    const oldest = this.#o.clock.now() - this.#o.windowMs;
    while (this.#length > 0) {
      const v = this.#ring[this.#head];
      if (v && v.ts >= oldest) break;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#ring.length;
      this.#length--;
    }
  }
}
