/**
 * The shapes of the config log (config-store.ts), in a leaf of their own: the store and the parts it is built
 * from (checksum, item cache), replication and the merge all share them.
 */
import type { ConfigKind } from './config-kind.ts';

// The rows the log stores: defined with its SQL, in store/.
export type { ConfigChange, ConfigHead, ConfigSnapshot } from '../store/config-rows.ts';

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
