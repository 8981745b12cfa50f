/**
 * The last seq of the config log that both nodes of the pair hold (received from the active node, or
 * acknowledged by the standby). A snapshot keeps this node's own changes after it as conflicts, so it must
 * not fall behind what the peer acknowledged, and it must never run ahead of it.
 */
import type { Db, MetaStore } from '../store/index.ts';

const KEY = 'config_common_seq';

export class CommonSeq {
  readonly #db: Db;
  readonly #meta: MetaStore;
  /** As last marked; null: read it from the database. */
  #known: number | null = null;
  /** Marked outside a transaction and not written yet. */
  #unwritten: number | null = null;

  constructor(db: Db, meta: MetaStore) {
    this.#db = db;
    this.#meta = meta;
  }

  get(): number {
    return (this.#known ??= Number(this.#meta.get(KEY) ?? 0));
  }

  /**
   * Both nodes hold the log up to `seq`. Inside a transaction it is written there. Outside one (the active
   * node, on the standby's ack) it is written in the transaction of the batch that the ack sends next
   * (`writeUnwritten`), or alone once the microtasks queued so far have run if no batch went: a commit of its
   * own on every ack was a second WAL commit per batch, which the next disk sync also had to flush.
   */
  mark(seq: number): void {
    if (seq <= this.get()) return;
    if (this.#db.inTransaction) {
      this.#write(seq);
      // The transaction may still roll back: read it again next time.
      this.#known = null;
      return;
    }
    this.#known = seq;
    if (this.#unwritten === null) queueMicrotask(() => this.#flush());
    this.#unwritten = seq;
  }

  /** Inside a batch's transaction: writes the seq marked and not yet written; `stored` once it committed. */
  writeUnwritten(): number | null {
    const seq = this.#unwritten;
    if (seq !== null) this.#write(seq);
    return seq;
  }

  /** The transaction that wrote `seq` (from `writeUnwritten`) committed. */
  stored(seq: number | null): void {
    if (seq !== null && this.#unwritten === seq) this.#unwritten = null;
  }

  /** Inside a snapshot's transaction: the snapshot says what both nodes hold now, marked before or not. */
  replace(seq: number): void {
    this.#meta.set(KEY, String(seq));
    this.#unwritten = null;
    this.#known = null;
  }

  #flush(): void {
    const seq = this.#unwritten;
    if (seq === null) return;
    try {
      this.#write(seq);
      this.stored(seq);
    } catch {
      // Kept unwritten for the next batch's transaction: until then a snapshot would take a few changes
      // both nodes hold for conflicts.
    }
  }

  /** Raises the stored seq, never lowers it: a write that comes late changes nothing. */
  #write(seq: number): void {
    this.#meta.raise(KEY, seq);
  }
}
