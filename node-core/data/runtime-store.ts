/**
 * Runtime data: current tag values with versions, and the command ledger. Held in memory for reads,
 * written through to SQLite (store/runtime-rows.ts), merged from the peer with "newest version wins".
 */
import { RuntimeRows, type LedgerRow } from '../store/runtime-rows.ts';
import type { Db } from '../store/index.ts';
import { MemoryUndo } from './memory-undo.ts';
import { compareVersions, type Version } from './version.ts';
import type { TagValueType } from './tag-definition.ts';

type Quality = 'good' | 'bad' | 'uncertain';

export interface TagValue {
  readonly name: string;
  readonly value: TagValueType | null;
  readonly quality: Quality;
  /** Milliseconds since the epoch, when the value was taken. */
  readonly ts: number;
  readonly version: Version;
}

export type LedgerEntry = LedgerRow;

export class RuntimeStore {
  readonly #rows: RuntimeRows;
  readonly #values = new Map<string, TagValue>();
  /** While `atomically` runs: puts back the values it changed in memory when it fails. */
  readonly #undo = new MemoryUndo(this.#values);

  constructor(db: Db) {
    this.#rows = new RuntimeRows(db);
    // Every row was written by `merge`, from a TagValue.
    for (const row of this.#rows.values()) this.#values.set(row.name, row as TagValue);
  }

  get(name: string): TagValue | undefined {
    return this.#values.get(name);
  }

  all(): TagValue[] {
    return [...this.#values.values()];
  }

  /** Stores the values that are newer than what this node holds; returns those that won. */
  merge(incoming: readonly TagValue[]): TagValue[] {
    const winners = incoming.filter((v) => {
      const current = this.#values.get(v.name);
      return !current || compareVersions(v.version, current.version) > 0;
    });
    if (winners.length === 0) return winners;
    this.#rows.upsertValues(winners);
    for (const v of winners) {
      this.#undo.remember(v.name);
      this.#values.set(v.name, v);
    }
    return winners;
  }

  forget(name: string): void {
    this.#undo.remember(name);
    this.#values.delete(name);
    this.#rows.deleteValue(name);
  }

  ledgerEntry(uid: string): LedgerEntry | undefined {
    return this.#rows.ledgerEntry(uid);
  }

  /** Idempotent: the first entry for a uid stays. */
  recordLedger(entries: readonly LedgerEntry[]): void {
    if (entries.length === 0) return;
    this.#rows.insertLedger(entries);
  }

  ledger(limit = 100_000): LedgerEntry[] {
    return this.#rows.ledger(limit);
  }

  /** Forgets at most `limit` command uids recorded before `beforeTs` (retention); returns how many. */
  pruneLedger(beforeTs: number, limit: number): number {
    return this.#rows.pruneLedger(beforeTs, limit);
  }

  /**
   * Runs `work` as one transaction, so a value and its ledger entry are stored together or not at all. When
   * it fails (a full disk fails the commit), the values it changed in memory are put back as well: a node
   * must not go on answering with a value whose write it refused.
   */
  atomically<T>(work: () => T): T {
    return this.#undo.run(() => this.#rows.transaction(work));
  }
}
