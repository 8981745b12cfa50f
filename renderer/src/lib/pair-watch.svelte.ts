/**
 * The dashboard reads both nodes (issue 15 item 2): besides its own node (DashboardState), it asks the
 * partner for its status every poll, with the partner's session from the same sign-in (pair-sign-in.ts), and
 * for its failover history while this node does not answer. What the partner last answered is kept with
 * the time it came, so a reading that grows old is marked stale, never shown as live.
 */
import type { FailoverEvent, StatusView } from '../../../node-core/dto.ts';
import { toProblem, type ApiProblem } from './api-client.ts';
import type { PartnerReading } from './pair-view.ts';

/** What the watch asks the partner (an ApiClient on the partner's API). */
export interface PartnerApi {
  status(): Promise<StatusView>;
  events(query?: { limit?: number }): Promise<FailoverEvent[]>;
}

export interface PairWatchOptions {
  readonly pollMs?: number;
  readonly now?: () => number;
  readonly setInterval?: (callback: () => void, ms: number) => number;
  readonly clearInterval?: (id: number) => void;
}

const PAIR_WATCH_DEFAULTS = { pollMs: 2000, eventLimit: 20 } as const;

export class PairWatch {
  /** The partner's last answer, or null before it gave one. */
  reading = $state.raw<PartnerReading | null>(null);
  /** Why the last ask failed (the partner is down too, or refused the session); null after an answer. */
  problem = $state.raw<ApiProblem | null>(null);

  /** The partner's API (its dashboard is there too). */
  readonly apiUrl: string;
  readonly pollMs: number;
  readonly #api: PartnerApi;
  readonly #ownAnswering: () => boolean;
  readonly #now: () => number;
  readonly #setInterval: (callback: () => void, ms: number) => number;
  readonly #clearInterval: (id: number) => void;
  #timer: number | null = null;
  #asking = false;

  constructor(apiUrl: string, api: PartnerApi, ownAnswering: () => boolean, options: PairWatchOptions = {}) {
    this.apiUrl = apiUrl;
    this.#api = api;
    this.#ownAnswering = ownAnswering;
    this.pollMs = options.pollMs ?? PAIR_WATCH_DEFAULTS.pollMs;
    this.#now = options.now ?? (() => Date.now());
    this.#setInterval = options.setInterval ?? ((callback, ms) => window.setInterval(callback, ms));
    this.#clearInterval = options.clearInterval ?? ((id) => window.clearInterval(id));
  }

  /** Asks now, then every poll; `start()` after `start()` restarts. */
  start(): void {
    this.stop();
    void this.poll();
    this.#timer = this.#setInterval(() => void this.poll(), this.pollMs);
  }

  stop(): void {
    if (this.#timer !== null) this.#clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One round: the partner's status, and its recent history while this node does not answer. */
  async poll(): Promise<void> {
    if (this.#asking) return;
    this.#asking = true;
    try {
      const status = await this.#api.status();
      const events = this.#ownAnswering()
        ? (this.reading?.events ?? null)
        : await this.#api.events({ limit: PAIR_WATCH_DEFAULTS.eventLimit });
      this.reading = { status, events, at: this.#now() };
      this.problem = null;
    } catch (error) {
      this.problem = toProblem(error);
    } finally {
      this.#asking = false;
    }
  }
}
