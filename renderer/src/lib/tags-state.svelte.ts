/**
 * The Tags screen's data: every configured tag and its live value. Built for 10,000 tags changing ten
 * times a second: values sit in a plain Map, live batches are collected and applied once per animation
 * frame, and one `revision` signal tells the (virtualised) rows to read again. Rows never hold a signal
 * each, so a frame costs the rows on screen, not the tags in the list.
 */
import type { CommandAnswer, TagDefinitionView, TagValueView } from '../../../node-core/dto.ts';
import { toProblem, type ApiProblem, type DashboardApi } from './api-client.ts';
import type { ActionNotice } from './action-notice.ts';
import { failed, valueOf, type Loadable } from './loadable.ts';
import { TagHistoryState } from './tag-history.svelte.ts';
import { formatTagValue, isNewer, isWritable, type TagScalar } from './tag-format.ts';

export interface TagRow {
  readonly definition: TagDefinitionView;
  readonly name: string;
  readonly writable: boolean;
  /** The name in lower case, for the filter. */
  readonly key: string;
}

/** One animation frame per batch of live values (tests pass a manual one). */
export interface FrameScheduler {
  request(callback: () => void): number;
  cancel(id: number): void;
}

export interface TagsOptions {
  readonly now?: () => number;
  readonly frames?: FrameScheduler;
  /** A fresh command uid (crypto.randomUUID in the browser). */
  readonly uid?: () => string;
  /** Least time between two fetches of the list that config changes ask for (a bulk import asks often). */
  readonly reloadGapMs?: number;
}

/** A second: a list fetched again at most once a second while tags are being added in bulk. */
const RELOAD_GAP_MS = 1000;

const browserFrames: FrameScheduler = {
  request: (callback) => window.requestAnimationFrame(callback),
  cancel: (id) => window.cancelAnimationFrame(id),
};

export class TagsState {
  definitions = $state.raw<Loadable<TagRow[]>>({ kind: 'loading' });
  filter = $state('');
  /** Advances each time values were applied; `value()` reads it, so rows on screen follow. */
  revision = $state(0);
  /** Name of the tag a write is out for. */
  busy = $state<string | null>(null);
  /** Why the last write did not happen, in the operator's words. */
  writeProblem = $state<string | null>(null);
  notice = $state.raw<ActionNotice | null>(null);

  readonly history: TagHistoryState;

  readonly shown: TagRow[] = $derived(filterRows(valueOf(this.definitions) ?? [], this.filter));

  readonly #api: DashboardApi;
  readonly #now: () => number;
  readonly #frames: FrameScheduler;
  readonly #uid: () => string;
  readonly #values = new Map<string, TagValueView>();
  readonly #pending = new Map<string, TagValueView>();
  #frame: number | null = null;
  #started = false;
  /** The fetch that `configChanged` started, while it runs; another change meanwhile asks for one more. */
  #reloading: Promise<void> | null = null;
  #reloadAgain = false;
  readonly #reloadGapMs: number;
  /** The write last sent without an answer: sending the same value again reuses its uid. */
  #unanswered: { name: string; value: TagScalar; uid: string } | null = null;

  constructor(api: DashboardApi, options: TagsOptions = {}) {
    this.#api = api;
    this.#now = options.now ?? (() => Date.now());
    this.#frames = options.frames ?? browserFrames;
    this.#uid = options.uid ?? (() => crypto.randomUUID());
    this.#reloadGapMs = options.reloadGapMs ?? RELOAD_GAP_MS;
    this.history = new TagHistoryState(api, { now: this.#now });
  }

  /** Loads the list the first time the screen opens; later visits show what live updates kept current. */
  ensureLoaded(): void {
    if (!this.#started) void this.load();
  }

  async load(): Promise<void> {
    this.#started = true;
    try {
      const [definitions, values] = await Promise.all([this.#api.tagDefinitions(), this.#api.tagValues()]);
      this.#mergeValues(values);
      this.definitions = {
        kind: 'loaded',
        value: definitions.map((definition) => ({
          definition,
          name: definition.name,
          writable: isWritable(definition),
          key: definition.name.toLowerCase(),
        })),
        at: this.#now(),
      };
    } catch (error) {
      this.definitions = failed(this.definitions, toProblem(error));
    }
  }

  /**
   * The node says tags, or the devices they read from, changed (added, edited, deleted, here or replicated
   * from the peer): the list is fetched again, one fetch at a time, with one more if changes came meanwhile,
   * and that one at least `reloadGapMs` after the last.
   */
  configChanged(): void {
    if (!this.#started) return;
    if (this.#reloading) {
      this.#reloadAgain = true;
      return;
    }
    this.#reloading = this.load()
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, this.#reloadGapMs)))
      .finally(() => {
        this.#reloading = null;
        if (!this.#reloadAgain) return;
        this.#reloadAgain = false;
        this.configChanged();
      });
  }

  /** After a gap in live updates: every value again (only once the list has been opened). */
  async refreshValues(): Promise<void> {
    if (!this.#started) return;
    try {
      this.#mergeValues(await this.#api.tagValues());
    } catch {
      // The live indicator already says updates are missing; the next reconnect tries again.
    }
  }

  /** The current value of a tag; reading it subscribes the caller to the next applied batch. */
  value(name: string): TagValueView | undefined {
    void this.revision;
    return this.#values.get(name);
  }

  /**
   * A live batch: kept until the next animation frame, the last one per tag, then applied in one go.
   * Batches come in order over one socket, so arrival order is time order: no comparison per value.
   */
  applyLive(values: readonly TagValueView[]): void {
    // Until the screen is first opened there is nothing to keep: opening it fetches every value.
    if (!this.#started) return;
    for (const value of values) this.#pending.set(value.name, value);
    if (this.#frame === null && this.#pending.size > 0) {
      this.#frame = this.#frames.request(() => {
        this.#frame = null;
        this.#applyPending();
      });
    }
  }

  stop(): void {
    this.#reloadAgain = false; // a fetch asked for by a config change and not started yet is not wanted now
    if (this.#frame !== null) this.#frames.cancel(this.#frame);
    this.#frame = null;
    this.#applyPending();
  }

  setFilter(text: string): void {
    this.filter = text;
  }

  /**
   * Writes a value with a command uid. Sent again after no answer (timeout, node away), the same value
   * keeps its uid, so the node runs it at most once; an answered write makes the next one a new command.
   */
  async write(name: string, value: TagScalar): Promise<boolean> {
    if (this.busy) return false;
    const last = this.#unanswered;
    const uid = last && last.name === name && last.value === value ? last.uid : this.#uid();
    this.#unanswered = { name, value, uid };
    this.busy = name;
    this.writeProblem = null;
    this.notice = null;
    let answer: CommandAnswer;
    try {
      answer = await this.#api.writeTag(name, value, uid);
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status !== 0) this.#unanswered = null;
      this.writeProblem = writeProblemText(name, problem);
      return false;
    } finally {
      this.busy = null;
    }
    this.#unanswered = null;
    if (!answer.ok) {
      this.writeProblem = `The device did not take this write to ${name} (the node had answered this command before).`;
      return false;
    }
    // The value as written (not rounded to the tag's precision), with the tag's unit.
    const unit = valueOf(this.definitions)?.find((row) => row.name === name)?.definition.unit;
    const written = formatTagValue(value, unit ? { unit } : null);
    this.notice = {
      tone: 'success',
      message: answer.executed
        ? `Wrote ${written} to ${name}.`
        : `Wrote ${written} to ${name} (the node had already done it; not repeated).`,
    };
    return true;
  }

  clearWriteProblem(): void {
    this.writeProblem = null;
  }

  dismissNotice(): void {
    this.notice = null;
  }

  #applyPending(): void {
    if (this.#pending.size === 0) return;
    for (const value of this.#pending.values()) this.#values.set(value.name, value);
    this.#pending.clear();
    this.revision += 1;
  }

  /** A full answer may be older than live values that came meanwhile: per tag, the newer one stays. */
  #mergeValues(values: Iterable<TagValueView>): void {
    this.#applyPending();
    for (const value of values) {
      if (isNewer(value, this.#values.get(value.name))) this.#values.set(value.name, value);
    }
    this.revision += 1;
  }
}

/** Tags whose name contains the filter text (any case); the same list when there is no filter. */
export function filterRows(rows: readonly TagRow[], filter: string): TagRow[] {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return rows as TagRow[];
  return rows.filter((row) => row.key.includes(needle));
}

/** A refused or failed write, said so the operator knows what to do next. */
function writeProblemText(name: string, problem: ApiProblem): string {
  switch (problem.status) {
    case 0:
      return `No answer from the node: ${problem.message}. Trying again is safe: the same command is sent, and the node runs it at most once.`;
    case 400:
      return `The node refused the value: ${problem.message}`;
    case 404:
      return `There is no tag “${name}” on the node any more.`;
    case 409:
      return `${name} cannot be written: ${problem.message}`;
    case 502:
      return `The device did not take the write: ${problem.message}`;
    default:
      return `The write failed: ${problem.message} (HTTP ${problem.status})`;
  }
}
