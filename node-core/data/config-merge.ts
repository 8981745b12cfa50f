/**
 * Merge by key (docs/redundancy.md "Merge by key"): a follower's unshared changes taken into the active
 * node's log. Changes the log holds too are skipped; they also move the fork point. Of the rest, a key whose
 * value here already is the follower's last value for it needs nothing; a key this log changed after the fork
 * is a conflict (this node's value stays, the follower's last change is returned for the conflict set); every
 * other key takes the follower's changes, staged here in their order as new changes. If the log no longer
 * reaches back to the fork (it was replaced by a snapshot since), every differing key counts as changed here.
 */
import { itemKey } from './config-kind.ts';
import { conflictId } from './config-conflicts.ts';
import type { ConfigChange, ConfigStore } from './config-store.ts';

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
export function accountForSnapshot(
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
