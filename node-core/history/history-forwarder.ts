/**
 * Forwarding history between the two nodes (docs/rules.md "Data 4": samples recorded on the backup
 * while it was active are forwarded to the master after fail-back). Pure logic over a HistoryStore and a
 * `send` port, no timers:
 * - `pull()` asks the peer for every sample it holds that this node lacks, chunk by chunk: each answer
 *   carries whole instants (all tags of a ts), so "after the newest ts I hold" resumes without a gap;
 *   recording is idempotent by (tag, ts), so a chunk received twice adds nothing.
 * - `onFrame` answers the peer's requests and stores its answers.
 * A node records its own samples in time order; the warm buffer is drained on take-over before the node
 * records anything else, so a peer's cursor never passes a sample that is written later.
 */
import { randomUUID } from 'node:crypto';
import { dispatchFrame, type FrameHandlers } from '../peer/frame-handlers.ts';
import type { HistoryFrame, HistoryRequestFrame, HistorySamplesFrame } from './history-frames.ts';
import type { HistorySample, HistoryStore } from '../store/history-store.ts';

export interface HistoryForwarderPorts {
  send(frame: HistoryFrame): void;
  /**
   * History this node could not read or store (a damaged page, a full disk): the pull or answer ends short
   * and the link goes on; the whole file's check after start tells the operator (store/store-thread.ts).
   */
  unreadable(error: unknown, what: string): void;
  /** Request ids; tests pass a counter. */
  newId?(): string;
}

export interface HistoryForwarderOptions {
  /** Samples per answer (a little more when the last instant has more tags). Default 5000. */
  readonly chunkSamples?: number;
  /** Rough bytes per answer, kept well under the peer link's frame limit. Default 4 MiB. */
  readonly chunkBytes?: number;
}

export interface PullResult {
  /** Everything the peer had arrived (false: the link went down or a newer pull replaced this one). */
  readonly complete: boolean;
  /** Samples that were new here. */
  readonly added: number;
}

interface Pull {
  id: string;
  /** Per origin, the newest ts received in this pull (even if every sample of a chunk was held already). */
  readonly cursor: Map<string, number>;
  added: number;
  readonly done: (result: PullResult) => void;
}

const FROM_THE_START = Number.MIN_SAFE_INTEGER;

export class HistoryForwarder {
  readonly #store: HistoryStore;
  readonly #p: HistoryForwarderPorts;
  readonly #chunkSamples: number;
  readonly #chunkBytes: number;
  #pull: Pull | null = null;

  constructor(store: HistoryStore, ports: HistoryForwarderPorts, options: HistoryForwarderOptions = {}) {
    this.#store = store;
    this.#p = ports;
    this.#chunkSamples = Math.max(1, options.chunkSamples ?? 5000);
    this.#chunkBytes = Math.max(1024, options.chunkBytes ?? 4 * 1024 * 1024);
  }

  get pulling(): boolean {
    return this.#pull !== null;
  }

  /** Asks the peer for everything this node lacks; a pull already under way is replaced. */
  pull(): Promise<PullResult> {
    this.#finish(false);
    return new Promise<PullResult>((resolve) => {
      this.#pull = { id: this.#newId(), cursor: new Map(), added: 0, done: resolve };
      this.#request();
    });
  }

  /** `work` on the store; a failure is reported and answered by `otherwise`, never thrown into the link. */
  #guarded<T>(what: string, work: () => T, otherwise: () => T): T {
    try {
      return work();
    } catch (error) {
      this.#p.unreadable(error, what);
      return otherwise();
    }
  }

  /** The link is down: a pull under way ends incomplete (pull again when it is back). */
  onLinkDown(): void {
    this.#finish(false);
  }

  onFrame(frame: HistoryFrame): void {
    dispatchFrame(this.#handlers, frame);
  }

  readonly #handlers: FrameHandlers<HistoryFrame> = {
    // The peer's pull gets an empty last chunk (it ends incomplete and tries again at the next link-up).
    'history-request': (frame) =>
      this.#guarded(
        'answering the peer',
        () => this.#answer(frame),
        () => this.#p.send({ t: 'history-samples', id: frame.id, samples: [], more: true }),
      ),
    'history-samples': (frame) =>
      this.#guarded(
        "storing the peer's samples",
        () => this.#receive(frame),
        () => this.#finish(false),
      ),
  };

  #request(): void {
    const pull = this.#pull;
    if (!pull) return;
    const held = this.#guarded(
      'reading what this node holds',
      () => this.#store.latestByOrigin(),
      () => null,
    );
    if (held === null) {
      this.#finish(false);
      return;
    }
    const after: Record<string, number> = held;
    for (const [origin, ts] of pull.cursor) after[origin] = Math.max(after[origin] ?? FROM_THE_START, ts);
    this.#p.send({ t: 'history-request', id: pull.id, after });
  }

  #receive(frame: HistorySamplesFrame): void {
    // Any chunk is whole instants after a point this node had reached, so storing it is always right.
    const added = this.#store.record(frame.samples);
    const pull = this.#pull;
    if (!pull || frame.id !== pull.id) return;
    pull.added += added;
    for (const s of frame.samples) {
      if (s.ts > (pull.cursor.get(s.origin) ?? FROM_THE_START)) pull.cursor.set(s.origin, s.ts);
    }
    if (!frame.more) {
      this.#finish(true);
      return;
    }
    if (frame.samples.length === 0) {
      // "More" with nothing in it would ask the same question forever.
      this.#finish(false);
      return;
    }
    pull.id = this.#newId();
    this.#request();
  }

  /** One chunk of what this node holds after the asker's cursors, origin by origin, oldest first. */
  #answer(frame: HistoryRequestFrame): void {
    const held = this.#store.latestByOrigin();
    const samples: HistorySample[] = [];
    let bytes = 0;
    let more = false;
    for (const origin of Object.keys(held).sort()) {
      const after = frame.after[origin] ?? FROM_THE_START;
      if ((held[origin] ?? FROM_THE_START) <= after) continue;
      const room = this.#chunkSamples - samples.length;
      if (room <= 0 || bytes >= this.#chunkBytes) {
        more = true;
        break;
      }
      const rows = this.#store.since(origin, after, room);
      // Take whole instants while they fit the byte budget (the first one always, so the asker advances).
      let taken = 0;
      while (taken < rows.length) {
        const ts = rows[taken]!.ts;
        let end = taken;
        let size = 0;
        while (end < rows.length && rows[end]!.ts === ts) size += JSON.stringify(rows[end++]).length + 1;
        if (samples.length > 0 && bytes + size > this.#chunkBytes) break;
        for (let i = taken; i < end; i++) samples.push(rows[i]!);
        bytes += size;
        taken = end;
      }
      const reached = samples.at(-1)?.origin === origin ? samples.at(-1)!.ts : after;
      if (reached < (held[origin] ?? FROM_THE_START)) {
        more = true;
        break;
      }
    }
    this.#p.send({ t: 'history-samples', id: frame.id, samples, more });
  }

  #finish(complete: boolean): void {
    const pull = this.#pull;
    this.#pull = null;
    pull?.done({ complete, added: pull.added });
  }

  #newId(): string {
    return this.#p.newId?.() ?? randomUUID();
  }
}
