/** The history of one tag over a chosen range ending now, as the chart on the Tags screen shows it. */
import type { HistoryView, TagDefinitionView } from '../../../node-core/dto.ts';
import { toProblem, type DashboardApi } from './api-client.ts';
import { failed, type Loadable } from './loadable.ts';

export const HISTORY_RANGES = [
  { id: '15m', label: '15 min', ms: 15 * 60_000 },
  { id: '1h', label: '1 h', ms: 60 * 60_000 },
  { id: '24h', label: '24 h', ms: 24 * 60 * 60_000 },
] as const;

export type HistoryRangeId = (typeof HISTORY_RANGES)[number]['id'];

/** About one point per two pixels of a wide chart; more samples come back as min/max/avg buckets. */
const HISTORY_MAX_POINTS = 600;

export interface TagHistoryOptions {
  readonly now?: () => number;
}

export class TagHistoryState {
  /** The tag shown, or null when the chart is closed. */
  tag = $state.raw<TagDefinitionView | null>(null);
  range = $state<HistoryRangeId>('1h');
  data = $state.raw<Loadable<HistoryView>>({ kind: 'loading' });

  readonly #api: DashboardApi;
  readonly #now: () => number;
  /** Counts requests, so that an older answer never replaces a newer one. */
  #request = 0;

  constructor(api: DashboardApi, options: TagHistoryOptions = {}) {
    this.#api = api;
    this.#now = options.now ?? (() => Date.now());
  }

  open(tag: TagDefinitionView): Promise<void> {
    this.tag = tag;
    this.data = { kind: 'loading' };
    return this.load();
  }

  close(): void {
    this.#request += 1;
    this.tag = null;
    this.data = { kind: 'loading' };
  }

  setRange(range: HistoryRangeId): Promise<void> {
    this.range = range;
    this.data = { kind: 'loading' };
    return this.load();
  }

  /** Fetches the chosen range, ending now. */
  async load(): Promise<void> {
    const tag = this.tag;
    if (!tag) return;
    const request = ++this.#request;
    const rangeMs = HISTORY_RANGES.find((r) => r.id === this.range)?.ms ?? HISTORY_RANGES[1].ms;
    const to = this.#now();
    try {
      const view = await this.#api.history(tag.name, {
        from: new Date(to - rangeMs).toISOString(),
        to: new Date(to).toISOString(),
        maxPoints: HISTORY_MAX_POINTS,
      });
      if (request === this.#request) this.data = { kind: 'loaded', value: view, at: this.#now() };
    } catch (error) {
      if (request === this.#request) this.data = failed(this.data, toProblem(error));
    }
  }
}
