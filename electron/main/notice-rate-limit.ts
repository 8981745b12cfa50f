/**
 * Runs in electron-main, with no Electron and no I/O: time comes from an injected Clock (style.md 8).
 *
 * The rate limit of desktop notifications, one window per key (a node's topic, a watched pair). A notice is
 * shown at once when its key has been quiet for `intervalMs`; while the key's window is open, later notices
 * are held, and when the window closes they are shown as one (`summarise`, which ends with the latest state),
 * which opens the next window. So a flapping link gives at most one notification per key per interval, and
 * nothing is dropped silently: the last one always says how things stand now.
 */
import type { Clock } from '../../node-core/index.ts';

export interface NoticeRateLimitOptions<N> {
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Notices of one key share a window. */
  readonly keyOf: (notice: N) => string;
  /** Several held notices as one; `held` has at least two. */
  readonly summarise: (held: readonly N[]) => N;
  readonly show: (notice: N) => void;
}

interface KeyWindow<N> {
  timer: { readonly id: number };
  held: N[];
}

/**
 * `stop()` clears every timer and drops what is held (the app is quitting). Timers are owned here and checked
 * against `stopped`.
 */
export class NoticeRateLimit<N> {
  readonly #options: NoticeRateLimitOptions<N>;
  readonly #windows = new Map<string, KeyWindow<N>>();
  #stopped = false;

  constructor(options: NoticeRateLimitOptions<N>) {
    this.#options = options;
  }

  offer(next: N): void {
    if (this.#stopped) return;
    const key = this.#options.keyOf(next);
    const open = this.#windows.get(key);
    if (open) {
      open.held.push(next);
      return;
    }
    this.#options.show(next);
    this.#open(key);
  }

  stop(): void {
    this.#stopped = true;
    for (const open of this.#windows.values()) this.#options.clock.clearTimeout(open.timer);
    this.#windows.clear();
  }

  #open(key: string): void {
    const timer = this.#options.clock.setTimeout(() => this.#close(key), this.#options.intervalMs);
    this.#windows.set(key, { timer, held: [] });
  }

  #close(key: string): void {
    if (this.#stopped) return;
    const closing = this.#windows.get(key);
    this.#windows.delete(key);
    if (!closing || closing.held.length === 0) return;
    this.#options.show(closing.held.length === 1 ? closing.held[0]! : this.#options.summarise(closing.held));
    this.#open(key);
  }
}
