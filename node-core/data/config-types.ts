/**
 * The shapes of the config log (config-store.ts), in a leaf of their own: the store and the parts it is built
 * from (checksum, item cache, conflict set), replication and the merge all share them.
 */
import type { ConfigKind } from './config-kind.ts';

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

/** A change asked for on the active node, before it has a place (seq, checksum) in the log. */
export interface LocalChange {
  readonly op: 'put' | 'delete';
  readonly kind: ConfigKind;
  readonly key: string;
  /** The definition for `put` (stored as JSON), ignored for `delete`. */
  readonly definition: unknown;
}

/** What `watch` tells: one item changed, or any may have. */
export type ConfigNotice = { readonly kind: ConfigKind; readonly key: string } | 'all';

/** One item of a config change: its key and (for a put) its definition. */
export interface ConfigItem {
  readonly key: string;
  readonly definition: unknown;
}
