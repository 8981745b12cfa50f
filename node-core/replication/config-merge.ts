/**
 * Merge by key (docs/redundancy.md "Merge by key"): a follower's unshared changes taken into the active
 * node's log. Changes the log holds too are skipped; they also move the fork point. Of the rest, a key whose
 * value here already is the follower's last value for it needs nothing; a key this log changed after the fork
 * is a conflict (this node's value stays, the follower's last change is returned for the conflict set); every
 * other key takes the follower's changes, staged here in their order as new changes. If the log no longer
 * reaches back to the fork (it was replaced by a snapshot since), every differing key counts as changed here.
 */
import { itemKey } from '../data/config-kind.ts';
import { conflictId } from '../store/config-conflicts.ts';
import type { ConfigStore } from '../data/config-store.ts';
import type { ConfigChange, ConfigSnapshot } from '../data/config-types.ts';
import { DataError } from '../data/data-error.ts';
import type { RuntimeStore } from '../data/runtime-store.ts';

/** What the merge needs of the active node's log. */
type MergeTarget = Pick<
  ConfigStore,
  'persist' | 'holdsOrBase' | 'keysChangedAfter' | 'storedValue' | 'stage'
>;

export function mergeUnshared(
  log: MergeTarget,
  since: number,
  changes: readonly ConfigChange[],
  epoch: number,
): { merged: ConfigChange[]; conflicts: ConfigChange[] } {
  log.persist();
  // Checksums chain, so the changes this log holds too are a prefix: the last of them is the fork.
  const heldUpTo = changes.findLastIndex((change) => log.holdsOrBase(change));
  const fork = heldUpTo >= 0 ? changes[heldUpTo]!.seq : since;
  const foreign = changes.slice(heldUpTo + 1);
  if (foreign.length === 0) return { merged: [], conflicts: [] };
  const changedHere = log.keysChangedAfter(fork);
  const lastByKey = new Map<string, ConfigChange>();
  for (const change of foreign) lastByKey.set(itemKey(change), change);
  const taken = new Set<string>();
  const conflicts: ConfigChange[] = [];
  for (const [key, last] of lastByKey) {
    if (log.storedValue(last.kind, last.key) === last.value) continue;
    if (changedHere === null || changedHere.has(key)) conflicts.push(last);
    else taken.add(key);
  }
  const merged = foreign
    .filter((change) => taken.has(itemKey(change)))
    .map((c) =>
      log.stage(c.op, c.kind, c.key, c.value === null ? null : JSON.parse(c.value), epoch, c.origin, c.at),
    );
  log.persist();
  return { merged, conflicts };
}

/**
 * The follower's side, once it loaded the active node's snapshot: which of its unshared changes the snapshot
 * accounts for, merged (the snapshot holds the last value this node gave the key) or in the conflict set (the
 * active node kept it there); `lost` are the last changes of the keys for which neither holds.
 */
function accountForSnapshot(
  log: Pick<ConfigStore, 'storedValue' | 'conflicts'>,
  unshared: readonly ConfigChange[],
): { lost: ConfigChange[]; merged: number } {
  const lastByKey = new Map<string, ConfigChange>();
  for (const c of unshared) lastByKey.set(itemKey(c), c);
  const lost: ConfigChange[] = [];
  let merged = 0;
  for (const last of lastByKey.values()) {
    if (log.conflicts.has(conflictId(last))) continue;
    if (log.storedValue(last.kind, last.key) === last.value) merged++;
    else lost.push(last);
  }
  return { lost, merged };
}

/** What loading a snapshot on the follower did with the changes this node made that the peer did not hold. */
export interface SnapshotOutcome {
  /** This node's changes after the last shared point, as the log held them before the snapshot. */
  readonly unshared: ConfigChange[];
  /** Those the snapshot accounts for nowhere: now in the conflict set, recorded here. */
  readonly lost: ConfigChange[];
  readonly merged: number;
  /** The items (itemKey) of this node's changes that are in the conflict set. */
  readonly inConflict: Set<string>;
}

/**
 * The follower loads the active node's snapshot in one transaction with what follows from it: its own changes
 * that the snapshot accounts for nowhere become conflicts, and the values of tags that are gone are forgotten.
 */
export function loadAsFollower(
  config: ConfigStore,
  runtime: Pick<RuntimeStore, 'atomically' | 'forget'>,
  snapshot: ConfigSnapshot,
  now: () => number,
): SnapshotOutcome {
  return runtime.atomically(() => {
    const tagsBefore = config.list('tag').map((t) => t.key);
    const unshared = config.loadSnapshot(snapshot);
    const { lost, merged } = accountForSnapshot(config, unshared);
    // One the active node could not merge (it was not active, or there were more than a frame holds) is
    // kept as a conflict rather than dropped: in the same transaction, or a crash in between would lose it.
    if (lost.length > 0) config.conflicts.record(lost, now());
    const inConflict = new Set(unshared.filter((c) => config.conflicts.has(conflictId(c))).map(itemKey));
    for (const c of lost) inConflict.add(itemKey(c));
    // A tag the active node deleted takes its value with it, as there. A tag of this node's that is in the
    // conflict set keeps its value for when an operator applies it again.
    const kept = new Set(config.list('tag').map((t) => t.key));
    for (const c of unshared) if (c.kind === 'tag' && inConflict.has(itemKey(c))) kept.add(c.key);
    for (const name of tagsBefore) if (!kept.has(name)) runtime.forget(name);
    return { unshared, lost, merged, inConflict };
  });
}

/** The history's words for a snapshot loaded: where this node's own changes went (an operator reviews the conflicts). */
export function describeSnapshotLoad(snapshot: ConfigSnapshot, outcome: SnapshotOutcome): string {
  const conflicted = outcome.unshared.filter((c) => outcome.inConflict.has(itemKey(c))).length;
  const notes = [
    outcome.merged > 0 ? `${countOf(outcome.merged, 'change')} made here merged by key` : '',
    conflicted > 0 ? `${countOf(conflicted, 'change')} made here kept as conflicts for review` : '',
  ].filter((n) => n !== '');
  return `config snapshot at change ${snapshot.head.seq} (${snapshot.items.length} items)${notes.map((n) => `; ${n}`).join('')}`;
}

/**
 * The error for the caller of a change made here that a loaded snapshot left in the conflict set (null: the
 * change is in the snapshot), saying why and where the change is.
 */
export function conflictError(change: ConfigChange, outcome: SnapshotOutcome): DataError | null {
  if (!outcome.inConflict.has(itemKey(change))) return null;
  const why = outcome.lost.some((c) => itemKey(c) === itemKey(change))
    ? 'the active node could not merge it'
    : 'the same item was changed on the peer while the pair was split';
  return new DataError(
    'CONFLICT',
    `${change.kind} "${change.key}": ${why}; this change is in the conflict set (${conflictId(change)}) for an operator to review`,
  );
}

function countOf(n: number, noun: string): string {
  return n === 1 ? `1 ${noun}` : `${n} ${noun}s`;
}
