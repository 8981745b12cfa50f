/**
 * The Configuration screen's data: the pair's devices, tag definitions and alarm rules, kept current by the
 * live `config` messages (a change made on either node, or replicated from the peer, lists that kind again),
 * and the changes an installer makes: save, delete, and tags imported from or exported to a CSV file.
 */
import type { ConfigKind } from '../../../node-core/dto.ts';
import { toProblem, type ApiProblem, type CsvDownload } from './api-client.ts';
import { ItemsRefused, type ConfigApi, type ConfigItem, type EditedKind } from './config-client.ts';
import { csvBlob, csvFilename } from './csv.ts';
import type { ActionNotice } from './action-notice.ts';
import { failed, valueOf, type Loadable } from './loadable.ts';
import { tagsCsv, tagsFromCsv, type LineProblem } from './tag-csv.ts';

const EDITED_KINDS: readonly EditedKind[] = ['device', 'tag', 'alarm-rule'];

export const KIND_NOUN: Readonly<Record<EditedKind, string>> = {
  device: 'device',
  tag: 'tag',
  'alarm-rule': 'alarm rule',
};

/** What a save or delete came to: done, or the node's answer when it refused. */
export type ChangeOutcome = { readonly ok: true } | { readonly ok: false; readonly problem: ApiProblem };

/** What an import came to: every tag written, or the lines that are wrong (and nothing written). */
export type ImportOutcome =
  | { readonly kind: 'written'; readonly count: number }
  | { readonly kind: 'refused'; readonly problems: readonly LineProblem[] }
  | { readonly kind: 'failed'; readonly problem: ApiProblem };

export class ConfigState {
  lists = $state.raw<Record<EditedKind, Loadable<ConfigItem[]>>>({
    device: { kind: 'loading' },
    tag: { kind: 'loading' },
    'alarm-rule': { kind: 'loading' },
  });
  /** The kind and name of the item a change is out for (`import` for an import). */
  busy = $state<string | null>(null);
  notice = $state.raw<ActionNotice | null>(null);

  readonly #api: ConfigApi;
  readonly #now: () => number;
  #started = false;
  /** A list being fetched, and whether a change came meanwhile (then it is fetched once more). */
  readonly #loading = new Map<EditedKind, boolean>();

  constructor(api: ConfigApi, now: () => number = () => Date.now()) {
    this.#api = api;
    this.#now = now;
  }

  ensureLoaded(): void {
    if (!this.#started) void this.load();
  }

  load(): Promise<void> {
    this.#started = true;
    return Promise.all(EDITED_KINDS.map((kind) => this.#fetch(kind))).then(() => undefined);
  }

  /** A live `config` message: the kinds it names are listed again, once the screen was opened. */
  changed(kinds: readonly ConfigKind[]): void {
    if (!this.#started) return;
    for (const kind of EDITED_KINDS) if (kinds.includes(kind)) void this.#fetch(kind);
  }

  items(kind: EditedKind): ConfigItem[] | null {
    return valueOf(this.lists[kind]);
  }

  async save(kind: EditedKind, name: string, definition: object): Promise<ChangeOutcome> {
    return this.#change(
      kind,
      name,
      () => this.#api.put(kind, name, definition),
      `Saved ${KIND_NOUN[kind]} ${name}.`,
    );
  }

  async remove(kind: EditedKind, name: string): Promise<ChangeOutcome> {
    return this.#change(
      kind,
      name,
      () => this.#api.remove(kind, name),
      `Deleted ${KIND_NOUN[kind]} ${name}.`,
    );
  }

  /** Reads the file, then writes all its tags or none: a bad line is named with the node's message. */
  async importTags(text: string): Promise<ImportOutcome> {
    const reading = tagsFromCsv(text);
    if (!reading.ok) return { kind: 'refused', problems: reading.problems };
    this.busy = 'import';
    this.notice = null;
    try {
      const count = await this.#api.putAll(
        'tag',
        reading.tags.map((t) => t.item),
      );
      this.notice = { tone: 'success', message: `Imported ${count === 1 ? '1 tag' : `${count} tags`}.` };
      void this.#fetch('tag');
      return { kind: 'written', count };
    } catch (error) {
      if (error instanceof ItemsRefused)
        return {
          kind: 'refused',
          problems: error.items.map((p) => ({ line: reading.tags[p.index]?.line ?? 0, message: p.message })),
        };
      return { kind: 'failed', problem: toProblem(error) };
    } finally {
      this.busy = null;
    }
  }

  /** Every tag definition as CSV (the list as last loaded). */
  exportTags(nodeName: string): CsvDownload {
    return {
      blob: csvBlob(tagsCsv(this.items('tag') ?? [])),
      filename: csvFilename('tandem', nodeName, 'tags'),
    };
  }

  dismissNotice(): void {
    this.notice = null;
  }

  async #change(
    kind: EditedKind,
    name: string,
    run: () => Promise<void>,
    done: string,
  ): Promise<ChangeOutcome> {
    if (this.busy)
      return { ok: false, problem: { status: 0, code: 'BUSY', message: 'another change is under way' } };
    this.busy = `${kind}:${name}`;
    this.notice = null;
    try {
      await run();
      this.notice = { tone: 'success', message: done };
      void this.#fetch(kind);
      return { ok: true };
    } catch (error) {
      return { ok: false, problem: toProblem(error) };
    } finally {
      this.busy = null;
    }
  }

  async #fetch(kind: EditedKind): Promise<void> {
    if (this.#loading.has(kind)) {
      this.#loading.set(kind, true);
      return;
    }
    this.#loading.set(kind, false);
    try {
      const items = await this.#api.list(kind);
      this.lists = { ...this.lists, [kind]: { kind: 'loaded', value: items, at: this.#now() } };
    } catch (error) {
      this.lists = { ...this.lists, [kind]: failed(this.lists[kind], toProblem(error)) };
    } finally {
      const again = this.#loading.get(kind) === true;
      this.#loading.delete(kind);
      if (again) void this.#fetch(kind);
    }
  }
}
