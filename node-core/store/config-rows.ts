/**
 * The rows of the config log (store/config-tables.ts), in a leaf of their own: the config store, replication
 * and the merge share them as the shapes of a change, a head and a snapshot (data/config-types.ts).
 */
import type { ConfigKind } from '../protocol/words.ts';

/** A change as the log holds it (a row of config_changes). */
export interface ConfigChange {
  readonly seq: number;
  readonly epoch: number;
  readonly origin: string;
  readonly op: 'put' | 'delete';
  readonly kind: ConfigKind;
  readonly key: string;
  /** JSON of the definition for `put`, null for `delete`. */
  readonly value: string | null;
  readonly checksum: string;
  readonly at: number;
}

export interface ConfigHead {
  readonly seq: number;
  readonly checksum: string;
}

export interface ConfigSnapshot {
  readonly head: ConfigHead;
  readonly items: readonly { readonly kind: ConfigKind; readonly key: string; readonly definition: string }[];
}
